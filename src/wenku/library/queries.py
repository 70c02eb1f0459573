"""Reading the library: the data behind the browsing pages and the document page.

Views render these; they hold no query logic of their own.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.paginator import Page as PaginatorPage
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import Count, Q, QuerySet, Sum
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from wenku.core.prepared import INT, NATURAL, Prepared
from wenku.ingest.models import Conversion, Page
from wenku.library import access, signing
from wenku.library.categories import subtree
from wenku.library.models import Category, Document

PER_PAGE = 20
SORTS = {
    "new": ("-published_at", _("Newest")),
    "downloads": ("-download_count", _("Most downloaded")),
    "rating": ("rating", _("Top rated")),
    "views": ("-view_count", _("Most viewed")),
    "pages": ("-page_count", _("Most pages")),
}
CARD_FIELDS = ("owner", "category")


def cards(queryset: QuerySet[Document]) -> QuerySet[Document]:
    """What a document card shows, fetched in the same query."""
    return queryset.select_related(*CARD_FIELDS)


def listing(
    queryset: QuerySet[Document], sort: str, page: str | int | None, fmt: str = ""
) -> PaginatorPage:
    """One page of a listing, sorted; ``fmt`` keeps one format. "Top rated" orders by
    the average of the readers' stars (then by how many rated), unrated last."""
    if fmt:
        queryset = queryset.filter(format=fmt)
    order = SORTS.get(sort, SORTS["new"])[0]
    if order == "rating":  # the figures its row keeps (``community.tallies``); unrated: 0
        ordering: list[Any] = ["-rating_average", "-rating_count", "-published_at"]
    else:
        ordering = [order, "-published_at"] if order != "-published_at" else [order]
    ordered = cards(queryset).order_by(*ordering, "-pk")
    return Paginator(ordered, PER_PAGE).get_page(page)


def formats(queryset: QuerySet[Document]) -> list[tuple[str, int]]:
    """The formats of a listing's documents, most common first, with their counts."""
    rows = (
        queryset.order_by().values_list("format").annotate(n=Count("pk")).values_list("format", "n")
    )
    return sorted(((f, n) for f, n in rows if f), key=lambda p: (-p[1], p[0]))


# --- one document


@dataclass(frozen=True)
class PageView:
    number: int
    width: int
    height: int
    url: str


@dataclass(frozen=True)
class Reading:
    """What the document page shows of a document, read in one query."""

    pages: list[PageView]  # the pages this reader may see
    text_html: SafeString  # headings and paragraphs of the free pages
    first_text: str  # page 1's text, for the description of the page


def reading(user: Any, document: Document) -> Reading:
    return reading_upto(document, access.last_visible_page(user, document))


def reading_upto(document: Document, last: int) -> Reading:
    """The document's pages up to ``last`` (the free pages' text among them)."""
    free = min(document.free_pages, last)
    rows = _PAGES_UPTO.rows(document.conversion_id, last)
    pages, text, first = [], [], ""
    for number, width, height, blocks, page_text in rows:
        pages.append(
            PageView(
                number,
                1000,
                max(1, round(1000 * height / max(width, 1.0))),
                signing.page_url(document.pk, number),
            )
        )
        if number == 1:
            first = page_text
        if number <= free:
            text.append(_page_html(number, blocks or _paragraphs(page_text)))
    return Reading(pages, mark_safe("".join(text)), first)


# Every page made whole reads its pages (``core.prepared``).
_PAGES_UPTO = Prepared(
    lambda conversion_id, last: Page.objects.filter(
        conversion=conversion_id, number__lte=last
    ).values_list("number", "width", "height", "blocks", "text"),
    INT,
    NATURAL,
)

_TAGS = {"h2": "h3", "h3": "h4", "p": "p"}


def figures_html(pages: list[PageView], total: int) -> SafeString:
    """The reader's page frames: the first two load at once, the rest when scrolled to.

    Width and height reserve each page's shape before its image arrives (no layout jump).
    ``srcset`` offers the rendition twice as wide, which browsers take on HiDPI screens
    (and the reader asks for when zoomed, by widening ``sizes``); it is rendered on its
    first request. The first page is the one a reader sees first: it is fetched first.
    """
    parts = []
    for index, page in enumerate(pages):
        alt = escape(gettext("Page %(n)s") % {"n": page.number})
        loading = "eager" if index < 2 else "lazy"
        priority = ' fetchpriority="high"' if index == 0 else ""
        url = escape(page.url)
        parts.append(
            f'<figure class="page-frame" id="p{page.number}" data-page="{page.number}">'
            f'<img src="{url}" srcset="{url} {page.width}w, {url}&amp;x=2 {page.width * 2}w" '
            f'sizes="{PAGE_SIZES}" width="{page.width}" height="{page.height}" '
            f'loading="{loading}" decoding="async"{priority} alt="{alt}">'
            f"<figcaption>{page.number} / {total}</figcaption></figure>"
        )
    return mark_safe("\n".join(parts))


# The page's displayed width at 100 % zoom: the reader column, at most 800 CSS pixels.
PAGE_SIZES = "(min-width: 840px) 800px, calc(100vw - 1rem)"


def _page_html(number: int, blocks: Iterable[dict[str, str]]) -> str:
    """One page's text as HTML, every string escaped (faster than a template loop)."""
    mark = gettext("Page %(n)s") % {"n": number}
    parts = [f'<p class="page-mark" id="t{number}">{escape(mark)}</p>']
    for block in blocks:
        tag = _TAGS.get(block.get("k", "p"), "p")
        parts.append(f"<{tag}>{escape(block.get('t', ''))}</{tag}>")
    return "\n".join(parts)


def _paragraphs(text: str) -> Iterable[dict[str, str]]:
    return ({"k": "p", "t": line.strip()} for line in text.split("\n") if line.strip())


def excerpt(document: Document, first_page_text: str, length: int = 160) -> str:
    if document.description:
        return document.description[:length]
    return " ".join(first_page_text.split())[:length]


def documents_by_status() -> list[Any]:
    """Documents by status, as a Prometheus gauge (read when /metrics is scraped)."""
    from prometheus_client.core import GaugeMetricFamily

    gauge = GaugeMetricFamily("wenku_documents", "Documents, by status.", labels=["status"])
    for status, count in Document.objects.order_by().values_list("status").annotate(n=Count("pk")):
        gauge.add_metric([status], count)
    return [gauge]


def uploader_stats(user: Any) -> dict[str, int]:
    return (
        Document.objects.public()
        .filter(owner=user)
        .aggregate(
            documents=Count("pk"),
            pages=Sum("page_count", default=0),
            views=Sum("view_count", default=0),
            downloads=Sum("download_count", default=0),
        )
    )


def in_category(category: Category) -> QuerySet[Document]:
    return Document.objects.public().filter(category__in=subtree(category.pk))


def with_tag(name: str) -> QuerySet[Document]:
    return Document.objects.public().filter(Q(tags__name=name)).distinct()


MIME_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "doc": "application/msword",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "ppt": "application/vnd.ms-powerpoint",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "xls": "application/vnd.ms-excel",
    "odt": "application/vnd.oasis.opendocument.text",
    "odp": "application/vnd.oasis.opendocument.presentation",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
    "rtf": "application/rtf",
    "wpd": "application/vnd.wordperfect",
    "txt": "text/plain",
    "md": "text/markdown",
    "epub": "application/epub+zip",
}


def structured_data(document: Document, url: str, description: str, cover: str) -> dict[str, Any]:
    """schema.org DigitalDocument for search engines."""
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "DigitalDocument",
        "name": document.title,
        "description": description,
        "url": url,
        "dateCreated": document.created_at.isoformat(),
        "author": {"@type": "Person", "name": document.owner.username},
        "encodingFormat": MIME_TYPES.get(document.format, "application/octet-stream"),
        "isAccessibleForFree": document.pricing == "free",
        "interactionStatistic": [
            {
                "@type": "InteractionCounter",
                "interactionType": "https://schema.org/ViewAction",
                "userInteractionCount": document.view_count,
            },
            {
                "@type": "InteractionCounter",
                "interactionType": "https://schema.org/DownloadAction",
                "userInteractionCount": document.download_count,
            },
        ],
    }
    if document.rating_count:
        data["aggregateRating"] = {
            "@type": "AggregateRating",
            "ratingValue": round(document.rating_average, 1),
            "ratingCount": document.rating_count,
            "bestRating": 5,
            "worstRating": 1,
        }
    data["commentCount"] = document.comment_count
    if document.published_at:
        data["datePublished"] = document.published_at.isoformat()
        data["thumbnailUrl"] = cover
    if document.category:
        data["genre"] = document.category.name
    keywords = [t.name for t in document.tags.all()]
    if keywords:
        data["keywords"] = ", ".join(keywords)
    return data


_ANY_ID = -987_654_321  # stands for the id in the compiled query below


@functools.cache
def _public_owner_query() -> tuple[str, tuple[Any, ...]]:
    """``Document.objects.public()``'s rule for one id, compiled once per process."""
    query = Document.objects.public().filter(pk=_ANY_ID).values_list("owner_id").query
    return query.sql_with_params()


def public_owner(document_id: int) -> int | None:
    """The uploader of a public document, or None: the check a kept page is served under,
    on every hit, so the query is compiled once (building it cost a third of a kept page's
    time) and run with this id."""
    sql, params = _public_owner_query()
    with connection.cursor() as cursor:
        cursor.execute(sql, [document_id if p == _ANY_ID else p for p in params])
        row = cursor.fetchone()
    return None if row is None else int(row[0])


# What the parts of a document page that are each reader's own need of the document
# (pricing, entitlement, download quote, view counting), beside its id and status.
_FACTS = ("owner_id", "pricing", "price", "page_count", "preview_pages", "conversion_id")


@functools.cache
def _public_facts_query() -> tuple[str, tuple[Any, ...]]:
    """``public_owner``'s query, with what ``public_facts`` reads, compiled once."""
    rows = Document.objects.public().filter(pk=_ANY_ID).values_list(*_FACTS, "conversion__macros")
    return rows.query.sql_with_params()


def public_facts(document_id: int) -> Document | None:
    """A public document as far as a signed-in reader's own parts of its kept page need
    it (an unsaved instance holding those fields and its conversion's ``macros``), or
    None: the check such a page is served under, compiled once as ``public_owner``'s."""
    sql, params = _public_facts_query()
    with connection.cursor() as cursor:
        cursor.execute(sql, [document_id if p == _ANY_ID else p for p in params])
        row = cursor.fetchone()
    if row is None:
        return None
    doc = Document(pk=document_id, status="ready", **dict(zip(_FACTS, row[:-1], strict=True)))
    doc.conversion = Conversion(pk=row[-2], macros=bool(row[-1]))
    return doc
