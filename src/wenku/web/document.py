"""The document page: the library's reading, the economy's download box and feed, the
community's block and search's related documents, on one page."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from wenku.community.queries import for_document as community_for_document
from wenku.core import pagecache, readscope
from wenku.core.geo import place_name, province
from wenku.core.ip import client_ip
from wenku.economy import downloads
from wenku.economy.queries import recent_downloads_near
from wenku.ingest.counting import format_chars
from wenku.library import access, categories, queries, viewcount
from wenku.library.models import Document
from wenku.moderation.models import Notice, NoticeState, Review
from wenku.search.related import related_documents


@require_GET
def document(request: HttpRequest, document_id: int) -> HttpResponse:
    """The document page; anonymous readers of a published document share one, kept until
    an edit, a comment, a rating or a decision about the document drops it."""
    if (kept := _kept(request, document_id)) is not None:
        return kept
    with readscope.reading():  # the reader's account and download record, read once
        return _document(request, document_id)


def _document(request: HttpRequest, document_id: int) -> HttpResponse:
    documents = Document.objects.select_related("owner", "category", "conversion")
    documents = documents.prefetch_related("tags")
    doc = access.viewable_or_404(request.user, document_id, documents)
    ready = doc.status == "ready"
    seen = queries.reading(request.user, doc) if ready else None
    canonical = request.build_absolute_uri(doc.get_absolute_url())
    excerpt = queries.excerpt(doc, seen.first_text if seen else "")
    context = {
        "doc": doc,
        "ready": ready,
        "chars_display": format_chars(doc.char_count) if doc.char_count is not None else "",
        "pages": seen.pages if seen else [],
        "figures_html": queries.figures_html(seen.pages, doc.page_count or 0) if seen else "",
        "hidden_pages": (doc.page_count or 0) - len(seen.pages) if seen else 0,
        "text_html": seen.text_html if seen else "",
        "excerpt": excerpt,
        "province": place_name(province(doc.upload_ip)) if doc.upload_ip else "",
        "breadcrumbs": categories.breadcrumbs(doc.category) if doc.category else [],
        "canonical": canonical,
        "structured_data": queries.structured_data(
            doc, canonical, excerpt, request.build_absolute_uri(f"/api/v1/documents/{doc.pk}/cover")
        ),
        "related": related_documents(doc) if ready else [],
        "download_quote": downloads.quote(request.user, doc, client_ip(request)) if ready else None,
        "recent_downloads": recent_downloads_near(doc.category),
        "community": community_for_document(request, doc),
        "review": Review.objects.filter(document=doc).first() if not ready else None,
        "open_notices": (
            Notice.objects.filter(document=doc, state=NoticeState.TAKEN_DOWN)
            if doc.status == "taken_down" and request.user.pk == doc.owner_id
            else []
        ),
    }
    response = render(request, "library/document.html", context)
    if ready:
        viewcount.record_view(request, response, doc)
        quote = context["download_quote"]
        if quote is None or not quote.per_visitor:
            pagecache.store(request, "document", doc.pk, response)
    return response


def _kept(request: HttpRequest, document_id: int) -> HttpResponse | None:
    """The kept page, if there is one and the document is still public (a page outliving
    its document by a missed invalidation is not served), with the view counted."""
    if (kept := pagecache.get(request, "document", document_id)) is None:
        return None
    owner = queries.public_owner(document_id)
    if owner is None:
        return None
    viewcount.record_view(request, kept, _Viewed(document_id, owner))
    return kept


@dataclass(frozen=True)
class _Viewed:
    """What the view counter needs of a document served from a kept page."""

    pk: int
    owner_id: int
