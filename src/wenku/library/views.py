from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET

from wenku.community.queries import for_document as community_for_document
from wenku.core.ip import client_ip
from wenku.economy.views import economy_context
from wenku.ingest.counting import format_chars
from wenku.library import access, queries, signing, viewcount
from wenku.library.domain import UploadRejected, create_document
from wenku.library.forms import UploadForm
from wenku.library.models import Category, Document
from wenku.library.pages import PageUnavailable
from wenku.library.pages import page_image as render_page_image
from wenku.search.related import related_documents


def _document(request: HttpRequest, document_id: int) -> Document:
    documents = Document.objects.select_related("owner", "category").prefetch_related("tags")
    return access.viewable_or_404(request.user, document_id, documents)


@require_GET
def document(request: HttpRequest, document_id: int) -> HttpResponse:
    from wenku.core.geo import province

    doc = _document(request, document_id)
    seen = queries.reading(request.user, doc) if doc.status == "ready" else None
    canonical = request.build_absolute_uri(doc.get_absolute_url())
    excerpt = queries.excerpt(doc, seen.first_text if seen else "")
    context = {
        "doc": doc,
        "chars_display": format_chars(doc.char_count) if doc.char_count is not None else "",
        "pages": seen.pages if seen else [],
        "figures_html": queries.figures_html(seen.pages, doc.page_count or 0) if seen else "",
        "hidden_pages": (doc.page_count or 0) - len(seen.pages) if seen else 0,
        "text_html": seen.text_html if seen else "",
        "excerpt": excerpt,
        "province": province(doc.upload_ip) if doc.upload_ip else "",
        "breadcrumbs": queries.breadcrumbs(doc.category) if doc.category else [],
        "canonical": canonical,
        "structured_data": queries.structured_data(
            doc, canonical, excerpt, request.build_absolute_uri(f"/api/v1/documents/{doc.pk}/cover")
        ),
        "related": related_documents(doc) if doc.status == "ready" else [],
        **economy_context(request, doc),
        "community": community_for_document(request, doc),
    }
    response = render(request, "library/document.html", context)
    if doc.status == "ready":
        viewcount.record_view(request, response, doc)
    return response


@require_GET
def page_image(request: HttpRequest, document_id: int, number: int) -> HttpResponse:
    """A page image behind a signed, short-lived URL; entitlement is checked again here."""
    if not signing.verify(document_id, number, request.GET.get("e", ""), request.GET.get("s", "")):
        return HttpResponse(_("This page link has expired. Reload the page."), status=403)
    documents = Document.objects.select_related("conversion")
    doc = access.viewable_or_404(request.user, document_id, documents)
    if not access.can_view_page(request.user, doc, number):
        return HttpResponse(_("This page is past the free preview."), status=403)
    try:
        data = render_page_image(doc.conversion, number)
    except PageUnavailable as exc:
        raise Http404 from exc
    response = HttpResponse(data, content_type="image/webp")
    response["Cache-Control"] = "private, max-age=300"
    return response


@require_GET
def page_urls(request: HttpRequest, document_id: int) -> JsonResponse:
    """Fresh signed URLs for the reader, when a long-open page's links have expired."""
    doc = _document(request, document_id)
    pages = queries.reading(request.user, doc).pages if doc.status == "ready" else []
    return JsonResponse({"pages": {p.number: p.url for p in pages}})


@login_required
def upload(request: HttpRequest) -> HttpResponse:
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        created = 0
        files = form.cleaned_data["files"]
        for f in files:
            try:
                create_document(
                    owner=request.user,
                    stream=f,
                    original_name=f.name,
                    title=form.cleaned_data["title"] if len(files) == 1 else "",
                    description=form.cleaned_data["description"],
                    category=form.cleaned_data["category"],
                    tags=form.cleaned_data["tags"],
                    upload_ip=client_ip(request),
                    pricing=form.cleaned_data["pricing"],
                    price=form.cleaned_data["price"],
                )
                created += 1
            except UploadRejected as exc:
                messages.error(request, f"{f.name}: {exc}")
        if created:
            message = ngettext(
                "%(count)s file uploaded; it is being processed.",
                "%(count)s files uploaded; they are being processed.",
                created,
            )
            messages.success(request, message % {"count": created})
        return redirect("library:my_uploads")
    categories = [{"id": c.pk, "name": str(c)} for c in Category.objects.select_related("parent")]
    return render(request, "library/upload.html", {"form": form, "categories": categories})


@login_required
def my_uploads(request: HttpRequest) -> HttpResponse:
    docs = (
        Document.objects.filter(owner=request.user)
        .select_related("category")
        .order_by("-created_at")[:200]
    )
    return render(request, "library/my_uploads.html", {"documents": docs})
