"""The library's own routes: page images behind signed URLs, and fresh URLs for them."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from wenku.config import conf
from wenku.core.storage import StorageUnavailable
from wenku.core.storage.urls import temporary_url
from wenku.ingest.rendering import PageUnavailable, stored_page_image
from wenku.ingest.rendering import page_image as render_page_image
from wenku.library import access, queries, signing
from wenku.library.models import Document


@require_GET
def page_image(request: HttpRequest, document_id: int, number: int) -> HttpResponse:
    """A page image behind a signed, short-lived URL; entitlement is checked again here.
    ``&x=2`` asks for the rendition twice as wide (the reader's ``srcset``)."""
    if not signing.verify(document_id, number, request.GET.get("e", ""), request.GET.get("s", "")):
        return HttpResponse(_("This page link has expired. Reload the page."), status=403)
    documents = Document.objects.select_related("conversion")
    doc = access.viewable_or_404(request.user, document_id, documents)
    if not access.can_view_page(request.user, doc, number):
        return HttpResponse(_("This page is past the free preview."), status=403)
    scale = 2 if request.GET.get("x") == "2" else 1
    try:
        return _page_response(doc, number, scale)
    except PageUnavailable as exc:
        raise Http404 from exc
    except StorageUnavailable:
        response = HttpResponse(_("Page images are unavailable for a moment."), status=503)
        response["Retry-After"] = "10"
        return response


def _page_response(doc: Document, number: int, scale: int = 1) -> HttpResponse:
    """Object storage or a CDN: a redirect to a short-lived signed URL of this one image
    (made only now, after the checks). The local folder: the bytes."""
    redirect = conf().cdn_url or conf().storage_url
    url = (
        temporary_url(stored_page_image(doc.conversion, number, scale), "image/webp")
        if redirect
        else None
    )
    if url:
        response = HttpResponse(status=302)
        response["Location"] = url
        # Shorter than the URL's own lifetime, so a cached redirect never points at an
        # expired URL.
        response["Cache-Control"] = f"private, max-age={max(1, conf().storage_url_seconds // 2)}"
        return response
    response = HttpResponse(
        render_page_image(doc.conversion, number, scale), content_type="image/webp"
    )
    response["Cache-Control"] = "private, max-age=300"
    return response


@require_GET
def page_urls(request: HttpRequest, document_id: int) -> JsonResponse:
    """Fresh signed URLs for the reader, when a long-open page's links have expired."""
    documents = Document.objects.select_related("owner", "category")
    doc = access.viewable_or_404(request.user, document_id, documents)
    pages = queries.reading(request.user, doc).pages if doc.status == "ready" else []
    return JsonResponse({"pages": {p.number: p.url for p in pages}})
