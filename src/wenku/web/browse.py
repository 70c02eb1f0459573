"""Browsing: the home page, categories, tags and uploaders."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from wenku.core import pagecache
from wenku.library import categories, queries
from wenku.library.models import Category, Document, Tag
from wenku.search import rankings


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """The home page; anonymous readers share one, kept until publishing changes it."""
    if (cached := pagecache.get(request, "site", "home")) is not None:
        return cached
    public = Document.objects.public()
    context = {
        "newest": list(queries.cards(public).order_by("-published_at")[:12]),
        "most_viewed": list(queries.cards(public).order_by("-view_count", "-published_at")[:10]),
        "hot": rankings.hot(limit=10),
        "tree": categories.counted_tree(),
        "total": public.count(),
    }
    response = render(request, "library/home.html", context)
    pagecache.store(request, "site", "home", response)
    return response


def _listing_page(request: HttpRequest, template: str, queryset, **context) -> HttpResponse:  # type: ignore[no-untyped-def]
    sort = request.GET.get("sort", "new")
    sort = sort if sort in queries.SORTS else "new"
    formats = queries.formats(queryset)
    fmt = request.GET.get("format", "")
    fmt = fmt if fmt in {f for f, _n in formats} else ""
    page = queries.listing(queryset, sort, request.GET.get("page"), fmt)
    context.update(
        {
            "page_obj": page,
            "sort": sort,
            "sorts": queries.SORTS,
            "format": fmt,
            "formats": formats if len(formats) > 1 else [],
        }
    )
    if request.headers.get("HX-Request"):
        return render(request, "library/_listing.html", context)
    return render(request, template, context)


@require_GET
def category(request: HttpRequest, slug: str) -> HttpResponse:
    node = get_object_or_404(Category, slug=slug)
    counted = categories.find(categories.counted_tree(), node.pk)
    return _listing_page(
        request,
        "library/category.html",
        queries.in_category(node),
        category=node,
        breadcrumbs=categories.breadcrumbs(node),
        children=counted.children if counted else [],
        hot=rankings.hot(node, limit=10),
    )


@require_GET
def tag(request: HttpRequest, name: str) -> HttpResponse:
    found = get_object_or_404(Tag, name=name)
    return _listing_page(request, "library/tag.html", queries.with_tag(found.name), tag=found)


@require_GET
def uploader(request: HttpRequest, username: str) -> HttpResponse:
    person = get_object_or_404(get_user_model(), username=username, is_active=True)
    documents = Document.objects.public().filter(owner=person)
    return _listing_page(
        request,
        "library/uploader.html",
        documents,
        person=person,
        stats=queries.uploader_stats(person),
    )
