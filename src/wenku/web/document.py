"""The document page: the library's reading, the economy's download box and feed, the
community's block and search's related documents, on one page."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.template.loader import render_to_string
from django.views.decorators.http import require_GET

from wenku.community.queries import for_document as community_for_document
from wenku.community.queries import shared_for_document
from wenku.core import pagecache, readscope, splice
from wenku.core.geo import place_name, province
from wenku.core.ip import client_ip
from wenku.economy import downloads
from wenku.ingest.counting import format_chars
from wenku.library import access, categories, queries, viewcount
from wenku.library.models import Document
from wenku.moderation.models import Notice, NoticeState, Review
from wenku.search.related import related_documents
from wenku.web import cards
from wenku.web.pieces import reader_pieces


@require_GET
def document(request: HttpRequest, document_id: int) -> HttpResponse:
    """The document page. Guests of a published document share one, kept until an edit,
    a comment, a rating or a decision about the document drops it; signed-in readers
    (and guests it was not kept for) share a version of it per entitlement with holes for
    their own parts, kept alike (``_assembled``); its uploader, staff, a URL with a query
    string and a page with a message waiting are made whole."""
    if (kept := _kept(request, document_id)) is not None:
        return kept
    with readscope.reading():  # the reader's account and download record, read once
        if pagecache.shareable(request) and (page := _assembled(request, document_id)):
            return page
        return _document(request, document_id)


def _document(request: HttpRequest, document_id: int) -> HttpResponse:
    doc = _full_document(request, document_id)
    seen = queries.reading(request.user, doc) if doc.status == "ready" else None
    context = _context(request, doc, seen)
    context["download_quote"] = (
        downloads.quote(request.user, doc, client_ip(request)) if context["ready"] else None
    )
    context["community"] = community_for_document(request, doc)
    response = render(request, "library/document.html", context)
    if context["ready"]:
        viewcount.record_view(request, response, doc)
        quote = context["download_quote"]
        if quote is None or not quote.per_visitor:
            pagecache.store(request, "document", doc.pk, response)
    return response


def _full_document(request: HttpRequest, document_id: int) -> Document:
    documents = Document.objects.select_related("owner", "category", "conversion")
    documents = documents.prefetch_related("tags")
    return access.viewable_or_404(request.user, document_id, documents)


def _context(request: HttpRequest, doc: Document, seen: queries.Reading | None) -> dict[str, Any]:
    """What every reader of the page sees alike (``seen``: the pages they may read)."""
    ready = doc.status == "ready"
    canonical = request.build_absolute_uri(doc.get_absolute_url())
    excerpt = queries.excerpt(doc, seen.first_text if seen else "")
    return {
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
        "recent_download_cards": cards.recent_download_cards(doc.category),
        "review": Review.objects.filter(document=doc).first() if not ready else None,
        "open_notices": (
            Notice.objects.filter(document=doc, state=NoticeState.TAKEN_DOWN)
            if doc.status == "taken_down" and request.user.pk == doc.owner_id
            else []
        ),
    }


def _assembled(request: HttpRequest, document_id: int) -> HttpResponse | None:
    """A published document's page for a reader who is neither its uploader nor staff:
    the kept version for what they may read of it (its free preview, or all of it: a
    buyer's, a VIP member's) with their own parts put in; None to make it whole."""
    user = request.user
    doc = queries.public_facts(document_id)
    if doc is None or access.is_privileged(user, doc):
        return None
    variant = "full" if access.is_entitled(user, doc) else "preview"
    holed = pagecache.get_shared(request, "document", document_id, variant)
    made = {}
    if not isinstance(holed, splice.Holed):
        holed = _holed(request, document_id, variant)
        made[variant] = holed  # kept below, with the guests' page if this is one
    quote = downloads.quote(user, doc, client_ip(request))
    pieces = reader_pieces(request, doc, quote, holed.holes)
    reader = user.pk if user.is_authenticated else None
    response = HttpResponse(splice.fill(holed, pieces, reader, lambda: get_token(request)))
    viewcount.record_view(request, response, doc)
    guests = None if quote.per_visitor else response  # kept for guests only (``store``)
    pagecache.store(request, "document", doc.pk, guests, shared=made)
    return response


def _holed(request: HttpRequest, document_id: int, variant: str) -> splice.Holed:
    """The page as readers of ``variant`` share it, made with nothing of this reader:
    their pages are those of the variant (not of their own rights), their parts holes."""
    doc = _full_document(request, document_id)
    nonce = splice.nonce()
    last = access.pages_for(doc, entitled=variant == "full")
    context = _context(request, doc, queries.reading_upto(doc, last))
    context |= {
        "reader_slots": nonce,
        "user": AnonymousUser(),  # what the page shows of a reader: nothing, as to a guest
        "csrf_token": splice.placeholder(nonce),
        "community": shared_for_document(doc),
    }
    return splice.cut(render_to_string("library/document.html", context, request), nonce)


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
