"""Search inside one document: every page where a phrase occurs (the reader's Ctrl+F).

Works on the database's page text, not the index: exact, whatever the segmentation,
and across line breaks (spaces next to Chinese characters are ignored).

Pages the reader may not view are no oracle: they are never listed, only counted
together — "全文另有 N 处匹配，下载后可见" — so a reader without the document cannot
learn which locked page holds a phrase, nor how often each does (listing each locked
page with its count let an anonymous reader rebuild a phrase of page 15 of a 5-page
preview in 187 requests). Searches are also rate-limited per reader and per address
(``WENKU_RATE_FIND``), in the page and in the API alike (``count_search``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils.safestring import SafeString

from wenku.config import conf
from wenku.core import ratelimit
from wenku.ingest.models import Page
from wenku.library import access
from wenku.library.models import Document
from wenku.search.query import clean
from wenku.search.segment import words
from wenku.search.snippets import find, fold, highlight

MAX_PAGES_LISTED = 500


@dataclass(frozen=True)
class PageMatch:
    number: int
    count: int  # occurrences on the page
    snippet: SafeString
    url: str


@dataclass
class WithinResult:
    query: str
    mode: str = "phrase"  # phrase | words (every word on the page, not as a phrase)
    matches: list[PageMatch] = field(default_factory=list)  # pages the reader may view
    locked_matches: int = 0  # occurrences on all the other pages together
    notes: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        """Pages listed (those the reader may view)."""
        return len(self.matches)


def count_search(user: Any, client: str) -> None:
    """Count one search against the address's and the signed-in reader's limits;
    ``core.ratelimit.RateLimited`` past either."""
    rate = conf().rate_find
    ratelimit.enforce("find-ip", client, rate)
    if user is not None and user.is_authenticated:
        ratelimit.enforce("find-user", str(user.pk), rate)


def search_within(document: Document, raw: str, user: Any) -> WithinResult:
    """Pages of ``document`` containing ``raw`` as a phrase (else all of its words)."""
    text, notes = clean(raw.replace('"', " ").replace("“", " ").replace("”", " "))
    result = WithinResult(query=text, notes=notes)
    phrase = fold(text, drop_cjk_spaces=True).text.strip()
    if not phrase:
        return result
    pages = list(
        Page.objects.filter(conversion_id=document.conversion_id)
        .order_by("number")
        .values_list("number", "text")
    )
    counted = _count(pages, [phrase])
    if not counted:
        terms = list(dict.fromkeys(words(text)))
        counted = _count(pages, terms) if len(terms) > 1 else []
        result.mode = "words"
    marked = [phrase] if result.mode == "phrase" else list(dict.fromkeys(words(text)))
    last = access.last_visible_page(user, document)  # once, not per page
    visible = [match for match in counted if match[0] <= last]
    result.matches = [
        _match(document, number, page_text, count, marked)
        for number, page_text, count in visible[:MAX_PAGES_LISTED]
    ]
    result.locked_matches = sum(count for number, _text, count in counted if number > last)
    return result


def _count(pages: list[tuple[int, str]], terms: list[str]) -> list[tuple[int, str, int]]:
    """(number, text, occurrences) of pages containing every term."""
    out = []
    for number, text in pages:
        folded = fold(text, drop_cjk_spaces=True).text
        counts = [len(find(folded, t)) for t in terms]
        if terms and all(counts):
            out.append((number, text, sum(counts)))
    return out


def _match(document: Document, number: int, text: str, count: int, terms: list[str]) -> PageMatch:
    url = f"{document.get_absolute_url()}#p{number}"
    return PageMatch(number, count, highlight(text, terms, drop_cjk_spaces=True), url)
