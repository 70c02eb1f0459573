"""Search in the JSON API: the same data functions as the search pages."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Schema, Status

from wenku.api.auth import OPTIONAL, auth_user
from wenku.community.queries import rating_summary
from wenku.core import ratelimit
from wenku.library import access
from wenku.library.models import Document
from wenku.search.related import related_documents
from wenku.search.service import SearchParams, count_site_search, run_search
from wenku.search.within import count_search, search_within

router = Router(tags=["search"], auth=OPTIONAL)


class SearchIn(Schema):
    q: str = ""
    category: str = ""
    format: str = ""
    pages: str = ""
    price: str = ""
    date: str = ""
    sort: str = "relevance"
    page: str = "1"  # text, so a bad value falls back to page 1 instead of a 422


class DocumentBrief(Schema):
    id: int
    title: str
    url: str
    format: str
    pages: int | None
    category: str | None
    pricing: str
    published_at: datetime | None
    download_count: int
    view_count: int
    rating_count: int
    rating_average: float | None  # null until someone rates it
    comment_count: int  # comments and replies shown (not deleted)


class HitOut(Schema):
    document: DocumentBrief
    score: float
    page: int | None  # null when locked: the page is not named to a reader without it
    locked: bool
    snippet_html: str
    url: str
    similar: list[int]  # ids of the first near-copies folded under this (earliest) document
    similar_count: int  # every near-copy folded under it (the list names the first 10)


class FacetOptionOut(Schema):
    key: str
    label: str
    count: int
    selected: bool


class FacetOut(Schema):
    name: str
    label: str
    options: list[FacetOptionOut]


class SearchOut(Schema):
    query: str
    mode: str
    notes: list[str]
    suggestion: str = ""
    total: int
    took_ms: float
    page: int
    pages: int
    results: list[HitOut]
    facets: list[FacetOut]


class PageMatchOut(Schema):
    number: int
    count: int
    snippet_html: str
    url: str


class WithinOut(Schema):
    query: str
    mode: str
    total: int
    locked_matches: int
    notes: list[str]
    pages: list[PageMatchOut]


class Limited(Schema):
    detail: str
    retry_after: int


def brief(doc: Document) -> DocumentBrief:
    return DocumentBrief(
        id=doc.pk,
        title=doc.title,
        url=doc.get_absolute_url(),
        format=doc.format,
        pages=doc.page_count,
        category=doc.category.name if doc.category_id and doc.category else None,
        pricing=doc.pricing,
        published_at=doc.published_at,
        download_count=doc.download_count,
        view_count=doc.view_count,
        rating_count=doc.rating_count,
        rating_average=rating_summary(doc).average,
        comment_count=doc.comment_count,
    )


@router.get(
    "/search",
    response={200: SearchOut, 429: Limited},
    url_name="search",
    summary="Search documents",
)
def search(request: HttpRequest, filters: Query[SearchIn], response: HttpResponse) -> Any:
    """Full-text search. Words are AND-ed, "quoted phrases" must appear as written and
    -word excludes; when nothing matches, phrases are loosened, then any word is enough
    (`mode` says which). Snippets come only from pages the caller may view; a hit that
    matches only past the caller's free preview is `locked`, with no `page` (which locked
    page matches is never said) and a `url` to the end of the preview. Rate-limited per
    address and per user (429 with `Retry-After`)."""
    params = SearchParams.from_query(filters.dict())
    user = auth_user(request)
    try:
        count_site_search(request, user, params)
    except ratelimit.RateLimited as limited:
        response["Retry-After"] = str(limited.retry_after)
        body = Limited(detail=limited.decision.message(), retry_after=limited.retry_after)
        return Status(429, body)
    result = run_search(params, user)
    return SearchOut(
        query=result.query.text,
        mode=result.mode,
        notes=result.notes,
        suggestion=result.suggestion,
        total=result.total,
        took_ms=result.took_ms,
        page=params.page,
        pages=result.pages,
        results=[
            HitOut(
                document=brief(h.document),
                score=h.score,
                page=h.page,
                locked=h.locked,
                snippet_html=str(h.snippet),
                url=h.url,
                similar=[c.pk for c in h.similar],
                similar_count=h.similar_count,
            )
            for h in result.hits
        ],
        facets=[
            FacetOut(
                name=f.name,
                label=f.label,
                options=[
                    FacetOptionOut(key=o.key, label=o.label, count=o.count, selected=o.selected)
                    for o in f.options
                ],
            )
            for f in result.facets
        ],
    )


def _visible(request: HttpRequest, document_id: int) -> Document:
    documents = Document.objects.select_related("conversion")
    return access.viewable_or_404(auth_user(request), document_id, documents)


@router.get(
    "/documents/{document_id}/search",
    response={200: WithinOut, 429: Limited},
    url_name="document_search",
    summary="Pages of one document containing a phrase",
)
def search_document(
    request: HttpRequest, document_id: int, response: HttpResponse, q: str = ""
) -> Any:
    """Every page the caller may read where `q` occurs, with a snippet (`total` pages).
    Matches on pages past the caller's free preview are only counted, all together, in
    `locked_matches` (never which pages, nor how many on each). Rate-limited per
    address and per user (429 with `Retry-After`)."""
    doc = _visible(request, document_id)
    user = auth_user(request)
    if q.strip():
        try:
            count_search(user, ratelimit.client_key(request))
        except ratelimit.RateLimited as limited:
            response["Retry-After"] = str(limited.retry_after)
            body = Limited(detail=limited.decision.message(), retry_after=limited.retry_after)
            return Status(429, body)
    result = search_within(doc, q, user)
    return WithinOut(
        query=result.query,
        mode=result.mode,
        total=result.total,
        locked_matches=result.locked_matches,
        notes=result.notes,
        pages=[
            PageMatchOut(number=m.number, count=m.count, snippet_html=str(m.snippet), url=m.url)
            for m in result.matches
        ],
    )


@router.get(
    "/documents/{document_id}/related",
    response=list[DocumentBrief],
    url_name="document_related",
    summary="Related documents",
)
def related(request: HttpRequest, document_id: int, limit: int = 10) -> list[DocumentBrief]:
    """Documents about the same thing (content-based), without copies of this one."""
    doc = _visible(request, document_id)
    return [brief(d) for d in related_documents(doc, max(1, min(limit, 50)))]
