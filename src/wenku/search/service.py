"""The search data function: one for the page and the API (datasette's "one data
function, two renderers").

``run_search(params, user)`` parses the query, asks the backend (AND first; then
phrases loosened; then any word), re-checks the ids against the database, folds
copies under their originals over every result up to the page, finds the page each
hit matches best and cuts a snippet from it — only from pages the reader may view
(text past the free preview is never sent to a reader not entitled to it).
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import urlencode

from django.contrib.humanize.templatetags.humanize import intcomma
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from wenku.config import conf
from wenku.core import metrics, ratelimit
from wenku.ingest.models import Page
from wenku.library import access
from wenku.library import categories as cats
from wenku.library.models import Category, Document
from wenku.search import originality, snippets
from wenku.search.backends import base, get_backend
from wenku.search.backends.base import (
    COUNTER_SORT_CANDIDATES,
    DATE_WINDOWS,
    PAGE_BUCKETS,
    SORTS,
    EngineQuery,
    EngineResult,
    Filters,
    Mode,
    Sort,
)
from wenku.search.query import ParsedQuery, parse
from wenku.search.state import hidden_ids

MAX_PAGES = 100  # deeper than anyone reads; keeps offsets cheap
PRICES: dict[str, frozenset[str]] = {
    "free": frozenset({"free"}),
    "points": frozenset({"points", "vip_free"}),
    "vip": frozenset({"vip_only", "vip_free"}),
}


@dataclass(frozen=True)
class SearchParams:
    """What the reader asked for; unknown or invalid values fall back to the defaults."""

    q: str = ""
    category: str = ""  # slug
    format: str = ""
    pages: str = ""  # a PAGE_BUCKETS key
    price: str = ""  # a PRICES key
    date: str = ""  # a DATE_WINDOWS key
    sort: Sort = "relevance"
    page: int = 1

    @classmethod
    def from_query(cls, data: Mapping[str, Any]) -> SearchParams:
        def get(name: str) -> str:
            value = data.get(name) or ""
            return value if isinstance(value, str) else ""

        try:
            page = min(MAX_PAGES, max(1, int(get("page") or 1)))
        except ValueError:
            page = 1
        sort = get("sort")
        return cls(
            q=get("q")[:2000],
            category=get("category")[:60],
            format=get("format")[:10],
            pages=get("pages") if get("pages") in {k for k, _, _ in PAGE_BUCKETS} else "",
            price=get("price") if get("price") in PRICES else "",
            date=get("date") if get("date") in {k for k, _ in DATE_WINDOWS} else "",
            sort=sort if sort in SORTS else "relevance",
            page=page,
        )

    def query_string(self, **changes: Any) -> str:
        """This search as a URL query, with ``changes`` applied (page resets to 1)."""
        values = {**self.__dict__, "page": 1, **changes}
        defaults = SearchParams().__dict__
        kept = {k: v for k, v in values.items() if v != defaults[k]}
        return urlencode(kept, errors="ignore")  # a lone surrogate is not worth a 500


def count_site_search(request: HttpRequest, user: Any, params: SearchParams) -> None:
    """Count one site search against the address's and the signed-in reader's limits
    (``core.ratelimit.RateLimited`` past either). Only searches with words count: the
    limit is there to slow whoever asks phrase after phrase (whether a locked page says
    something is still a yes or no) and to keep one client from taking every worker."""
    if not params.q.strip():
        return
    limits = conf()
    ratelimit.enforce_reader(
        request, user, "site-search", limits.rate_search_user, limits.rate_search_ip
    )


@dataclass
class Hit:
    document: Document
    score: float
    page: int | None  # the page that matches best, if any; None when it is locked
    snippet: SafeString  # empty when the page is past what the reader may view
    locked: bool  # the matching page is past the reader's free preview (number not said)
    url: str
    similar: list[Document] = field(default_factory=list)  # copies folded under it (the first)
    similar_count: int = 0  # every copy folded under it, listed or not

    @property
    def similar_unlisted(self) -> int:
        return self.similar_count - len(self.similar)


@dataclass(frozen=True)
class FacetOption:
    key: str
    label: str
    count: int
    selected: bool
    query: str  # the search with this option toggled


@dataclass(frozen=True)
class Facet:
    name: str
    label: str
    options: list[FacetOption]


@dataclass
class SearchPage:
    params: SearchParams
    query: ParsedQuery
    hits: list[Hit] = field(default_factory=list)
    total: int = 0
    total_exact: bool = True  # False: more than ``total`` documents match ("1,000+")
    took_ms: float = 0.0
    mode: str = "all"  # all | relaxed | any
    notes: list[str] = field(default_factory=list)
    facets: list[Facet] = field(default_factory=list)
    facet_sample: int = 0  # >0: facet counts are among the best N matches (each a minimum)
    page_size: int = 10
    suggestion: str = ""  # 您是不是要找: a corrected query that finds more

    @property
    def filtered(self) -> bool:
        p = self.params
        return bool(p.category or p.format or p.pages or p.price or p.date)

    @property
    def pages(self) -> int:
        return min(MAX_PAGES, math.ceil(self.total / self.page_size)) if self.total else 0

    @property
    def has_previous(self) -> bool:
        return self.params.page > 1

    @property
    def has_next(self) -> bool:
        return self.params.page < self.pages


def run_search(params: SearchParams, user: Any) -> SearchPage:
    """Search for ``params`` as ``user`` sees the library."""
    started = time.perf_counter()
    query = parse(params.q)
    size = int(conf().search_page_size)
    result = SearchPage(params=params, query=query, notes=list(query.notes), page_size=size)
    if query.empty:
        if params.q.strip():
            result.notes.append(_("Nothing to search for: type words, not only punctuation."))
        return result
    tree = cats.parents()
    offset = (params.page - 1) * size
    # Copies fold over every result up to the page (not one page at a time), so the
    # engine is asked for them all, with a page of slack for the copies folded away.
    request = EngineQuery(
        query=query,
        filters=_filters(params, tree),
        sort=params.sort,
        offset=0,
        limit=min(base.RESULT_CAP, offset + 2 * size),
        facets=True,
        now=int(timezone.now().timestamp()),
        cap=base.RESULT_CAP,
    )
    backend = get_backend()
    if not getattr(backend, "live_status", False):
        request = replace(request, hidden=hidden_ids(backend.name))
    found, result.mode, used = _with_fallback(backend, request)
    result.total, result.total_exact = found.total, found.exact
    engine_mode: Mode = "any" if result.mode == "any" else "all"
    onward = replace(request, query=used, mode=engine_mode, facets=False)
    families, scores, complete = _families(backend, onward, found, offset + size)
    if complete:  # every match seen: count the results as shown, copies folded
        result.total = len(families)
    result.hits = _hits(families[offset : offset + size], scores, used, engine_mode, user)
    result.facets = _facets(found, params, tree)
    result.facet_sample = found.facets.sample if found.facets else 0
    # Few documents have all the words (or none, and a loosened search found these): the
    # query may hold a typo.
    with_all_words = found.total if result.mode == "all" else 0
    if with_all_words < FEW and params.page == 1:
        result.suggestion = _suggestion(backend, request, params.q, with_all_words)
    result.notes.extend(_mode_notes(result.mode, params, found.total))
    result.notes.extend(_count_notes(found))
    seconds = time.perf_counter() - started
    result.took_ms = round(seconds * 1000, 1)
    metrics.SEARCH_SECONDS.labels(backend.name).observe(seconds)
    return result


FEW = 3  # a search finding fewer documents than this may be a typo


def _suggestion(backend: Any, request: EngineQuery, q: str, total: int) -> str:
    """A one-character correction from the library's own words that finds more (the same
    filters, all its words); "" when there is none."""
    from wenku.search.suggest import suggest

    corrected = suggest(q)
    if not corrected or corrected == q.strip().lower():
        return ""
    probe = replace(request, query=parse(corrected), mode="all", facets=False, limit=1, offset=0)
    return corrected if backend.search(probe).total > total else ""


def _with_fallback(backend: Any, request: EngineQuery) -> tuple[EngineResult, str, ParsedQuery]:
    """AND; then phrases loosened to words; then any word (the first that finds something)."""
    query = request.query
    attempts: list[tuple[str, ParsedQuery, Mode]] = [("all", query, "all")]
    if query.has_phrase:
        attempts.append(("relaxed", query.relaxed(), "all"))
    if len(query.relaxed().positive) > 1:
        attempts.append(("any", query.relaxed(), "any"))
    found = EngineResult(0, [])
    for label, q, mode in attempts:
        found = backend.search(replace(request, query=q, mode=mode))
        if found.total:
            return found, label, q
    return found, "all", query


def _filters(params: SearchParams, tree: dict[int, int | None]) -> Filters:
    categories = None
    if params.category:
        chosen = Category.objects.filter(slug=params.category).values_list("pk", flat=True).first()
        categories = cats.subtree(chosen, tree) if chosen is not None else frozenset()
    pages = None
    for key, first, last in PAGE_BUCKETS:
        if params.pages == key:
            pages = (first, last)
    after = None
    for key, days in DATE_WINDOWS:
        if params.date == key:
            after = int(timezone.now().timestamp()) - days * 86400
    return Filters(
        categories=categories,
        formats=frozenset({params.format}) if params.format else None,
        pricing=PRICES.get(params.price),
        pages=pages,
        published_after=after,
    )


def filters_q(f: Filters) -> Q:
    """The same filters as a database condition (re-checked on every result page)."""
    q = Q()
    if f.categories is not None:
        q &= Q(category_id__in=f.categories)
    if f.formats is not None:
        q &= Q(format__in=f.formats)
    if f.pricing is not None:
        q &= Q(pricing__in=f.pricing)
    if f.pages is not None:
        q &= Q(page_count__gte=f.pages[0])
        if f.pages[1] is not None:
            q &= Q(page_count__lte=f.pages[1])
    if f.published_after is not None:
        from datetime import UTC, datetime

        q &= Q(published_at__gte=datetime.fromtimestamp(f.published_after, UTC))
    return q


Family = originality.Family  # the document shown, the copies folded under it (ids)


def _families(
    backend: Any, request: EngineQuery, found: EngineResult, wanted: int
) -> tuple[list[Family], dict[int, float], bool]:
    """The results from the first on, copies folded under their originals, at least
    ``wanted`` of them while more match; with each shown document's score (the best of
    its family's), and whether every match was seen.

    Folding the whole prefix, not the page alone, places each family once in the whole
    result list, at the best rank of any of its members: a later page neither repeats an
    original that a copy pulled up, nor comes up short. When copies fold away more than
    the slack, the engine is asked for as many results again (up to its cap)."""
    hits = list(found.hits)
    seen_all = len(hits) >= found.total
    folded = _fold(hits, request.filters)
    while len(folded) < wanted and not seen_all and len(hits) < request.cap:
        step = min(len(hits), request.cap - len(hits))
        # The total is known: only the hits (on PostgreSQL a count reads up to the cap).
        extra = backend.search(replace(request, offset=len(hits), limit=step, count=False)).hits
        hits += extra
        seen_all = not extra or len(hits) >= found.total
        folded = _fold(hits, request.filters)
    scores = dict(hits)
    for family in folded:  # the original takes the best rank of its family
        scores[family.root] = max(scores.get(pk, 0.0) for pk in [family.root, *family.hits])
    return folded, scores, seen_all and found.exact


def _fold(hits: list[tuple[int, float]], filters: Filters) -> list[Family]:
    ids = [doc_id for doc_id, _ in hits]
    # The database decides what is shown, whatever the index still holds; an original
    # pulled in for its copy passes the same filters.
    within = filters_q(filters)
    conversions = dict(
        Document.objects.public().filter(within, pk__in=ids).values_list("pk", "conversion_id")
    )
    return originality.fold(
        [(i, conversions[i]) for i in dict.fromkeys(ids) if i in conversions], within
    )


def _hits(
    families: list[Family], scores: dict[int, float], query: ParsedQuery, mode: Mode, user: Any
) -> list[Hit]:
    roots = Document.objects.filter(pk__in=[f.root for f in families])
    loaded = {d.pk: d for d in roots.select_related("owner", "category", "conversion")}
    named = Document.objects.filter(pk__in=[pk for f in families for pk in f.copies])
    loaded |= {d.pk: d for d in named.only("pk", "title")}  # a link each
    families = [f for f in families if f.root in loaded]  # gone since the fold: not shown
    shown = [loaded[f.root] for f in families]
    copies = {f.root: ([loaded[c] for c in f.copies if c in loaded], f.count) for f in families}
    # A reader who may see only a document's first pages is pointed at the best of those
    # when one matches, not at a locked page that matches a little better.
    within = {
        d.pk: last
        for d in shown
        if (last := access.last_visible_page(user, d)) < (d.page_count or 0)
    }
    ids = [d.pk for d in shown]
    best = get_backend().best_pages(query, mode, ids, within) if shown else {}
    texts = _page_texts(shown, best, user)
    terms = query.terms()
    hits = []
    for doc in shown:
        number = best.get(doc.pk)
        text = texts.get(doc.pk)
        locked = number is not None and text is None
        if text is None and number is None:
            text = doc.description
        snippet = snippets.found_snippet(text, terms) if text else mark_safe("")
        if locked:
            # Which locked page matches is not said (not in the number, not in the link):
            # phrase by phrase, it would tell a reader without the document what is on
            # that page. The link opens the end of the preview, which says what unlocks it.
            number = None
            url = doc.get_absolute_url() + "#preview-end"
        else:
            url = doc.get_absolute_url() + (f"#p{number}" if number else "")
        listed, count = copies[doc.pk]
        hits.append(Hit(doc, scores.get(doc.pk, 0.0), number, snippet, locked, url, listed, count))
    return hits


def _page_texts(docs: list[Document], best: dict[int, int], user: Any) -> dict[int, str]:
    """Text of each document's best page — only where ``user`` may view that page."""
    wanted = {
        (d.conversion_id, best[d.pk]): d.pk
        for d in docs
        if d.pk in best and access.can_view_page(user, d, best[d.pk])
    }
    if not wanted:
        return {}
    condition = Q()
    for conversion_id, number in wanted:
        condition |= Q(conversion_id=conversion_id, number=number)
    rows = Page.objects.filter(condition).values_list("conversion_id", "number", "text")
    return {wanted[(c, n)]: text for c, n, text in rows}


def _mode_notes(mode: str, params: SearchParams, total: int) -> list[str]:
    notes = []
    if mode == "relaxed":
        notes.append(_("No document contains the exact phrase; showing documents with its words."))
    elif mode == "any":
        notes.append(_("No document contains all the words; showing documents with some of them."))
    if params.sort in ("downloads", "views") and total > COUNTER_SORT_CANDIDATES:
        notes.append(_("Sorted among the %(n)s best matches.") % {"n": COUNTER_SORT_CANDIDATES})
    return notes


def _count_notes(found: EngineResult) -> list[str]:
    """Say so when counting stopped: the total is a minimum, and so are filter counts."""
    notes = []
    if not found.exact:
        notes.append(
            _("More than %(n)s documents match: add words or a filter to narrow them down.")
            % {"n": intcomma(found.total)}
        )
    if found.facets and found.facets.sample:
        notes.append(
            _("Counts beside the filters are among the best %(n)s matches (≥: at least).")
            % {"n": intcomma(found.facets.sample)}
        )
    return notes


def _facets(found: EngineResult, params: SearchParams, tree: dict[int, int | None]) -> list[Facet]:
    f = found.facets
    if f is None:
        return []
    rolled = cats.roll_up(f.categories, tree)
    names = cats.all_categories()  # the cached tree: labels name the ancestors too
    category = [
        (names[i].slug, cats.path_name(names[i], names), n)
        for i, n in sorted(rolled.items(), key=lambda p: (-p[1], p[0]))
        if i in names
    ][:30]
    prices = {k: sum(f.pricing.get(v, 0) for v in values) for k, values in PRICES.items()}
    labels_price = {"free": _("Free"), "points": _("Points"), "vip": _("VIP")}
    labels_date = {"week": _("Past week"), "month": _("Past month"), "year": _("Past year")}
    groups = [
        ("category", _("Category"), category),
        ("format", _("Format"), [(k, k.upper(), n) for k, n in sorted(f.formats.items())]),
        (
            "pages",
            _("Pages"),
            [(k, _page_label(k), f.pages.get(k, 0)) for k, _a, _b in PAGE_BUCKETS],
        ),
        ("price", _("Price"), [(k, labels_price[k], prices[k]) for k in PRICES]),
        ("date", _("Uploaded"), [(k, labels_date[k], f.dates.get(k, 0)) for k, _d in DATE_WINDOWS]),
    ]
    return [_facet(name, label, options, params) for name, label, options in groups]


def _page_label(key: str) -> str:
    first, _sep, last = key.partition("-")
    if not last:
        return _("%(n)s+ pages") % {"n": first}
    return _("%(first)s–%(last)s pages") % {"first": first, "last": last}


def _facet(
    name: str, label: str, options: list[tuple[str, str, int]], params: SearchParams
) -> Facet:
    current = getattr(params, name)
    out = [
        FacetOption(
            key=key,
            label=text,
            count=count,
            selected=current == key,
            query=params.query_string(**{name: "" if current == key else key}),
        )
        for key, text, count in options
        if count or current == key
    ]
    return Facet(name, label, out)
