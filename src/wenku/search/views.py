"""Search pages: thin views over the data functions of ``service`` and ``within``."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from wenku.core import pagecache, ratelimit
from wenku.library import access
from wenku.library.models import Document
from wenku.search import rankings
from wenku.search.service import SearchParams, count_site_search, run_search
from wenku.search.within import WithinResult, count_search, search_within


@ratelimit.responds
def search(request: HttpRequest) -> HttpResponse:
    """/search?q=…: results, filters with counts, sorts, pages; no JavaScript needed.
    Past the rate limit: 429 with words and Retry-After."""
    params = SearchParams.from_query(request.GET)
    count_site_search(request, request.user, params)
    # Guests asking the very same query string share one page until the index or any
    # decision changes what it finds (the limit above counts every search).
    ident = pagecache.query_key(request)
    if (page := pagecache.get(request, "search", ident, by_query=True)) is not None:
        return page
    result = run_search(params, request.user)
    kept = ("category", "format", "pages", "price", "date", "sort")
    context = {
        "result": result,
        "params": params,
        "sorts": _sorts(params),
        "hidden_fields": [
            (k, getattr(params, k)) for k in kept if getattr(params, k) not in ("", "relevance")
        ],
        "previous_query": params.query_string(page=params.page - 1),
        "next_query": params.query_string(page=params.page + 1),
        "first_rank": (params.page - 1) * result.page_size + 1,
        # Nothing found and no filter to blame: popular documents to go on with.
        "popular": _popular() if not result.hits and not result.filtered else [],
        "unfiltered": params.query_string(category="", format="", pages="", price="", date=""),
    }
    response = render(request, "search/results.html", context)
    pagecache.store(request, "search", ident, response, by_query=True)
    return response


def _popular() -> list[Document]:
    """What readers read this week, else the most viewed (a young site has no week)."""
    hot = rankings.hot(limit=8)
    if hot:
        return hot
    public = Document.objects.public().select_related("owner", "category")
    return list(public.order_by("-view_count", "-published_at")[:8])


def _sorts(params: SearchParams) -> list[dict[str, object]]:
    from django.utils.translation import gettext as _

    labels = {
        "relevance": _("Relevance"),
        "newest": _("Newest"),
        "downloads": _("Most downloaded"),
        "views": _("Most viewed"),
    }
    return [
        {"key": k, "label": v, "selected": params.sort == k, "query": params.query_string(sort=k)}
        for k, v in labels.items()
    ]


@ratelimit.responds
def search_document(request: HttpRequest, document_id: int) -> HttpResponse:
    """/d/<id>/search?q=…: pages of one document containing a phrase.

    ``?fragment=1`` renders only the list (for the reader to load into its side panel).
    Past the rate limit the list says when to try again (HTTP 429; htmx shows it).
    """
    documents = Document.objects.select_related("conversion")
    doc = access.viewable_or_404(request.user, document_id, documents)
    template = (
        "search/_within_results.html" if request.GET.get("fragment") else "search/within.html"
    )
    query = request.GET.get("q", "")
    if query.strip():
        try:
            count_search(request.user, ratelimit.client_key(request))
        except ratelimit.RateLimited as limited:
            context = {"doc": doc, "result": WithinResult(query), "limited": limited.decision}
            response = render(request, template, context, status=429)
            response["Retry-After"] = str(limited.retry_after)
            return response
    result = search_within(doc, query, request.user)
    return render(request, template, {"doc": doc, "result": result})
