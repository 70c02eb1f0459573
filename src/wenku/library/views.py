from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import ngettext

from wenku.ingest.counting import format_chars
from wenku.library import access
from wenku.library.domain import UploadRejected, create_document
from wenku.library.forms import UploadForm
from wenku.library.models import Category, Document


def home(request: HttpRequest) -> HttpResponse:
    newest = (
        Document.objects.public().select_related("owner", "category").order_by("-published_at")[:24]
    )
    return render(request, "library/home.html", {"newest": newest})


def document(request: HttpRequest, document_id: int) -> HttpResponse:
    doc = get_object_or_404(
        Document.objects.select_related("owner", "category", "conversion").prefetch_related("tags"),
        pk=document_id,
    )
    if not access.can_view_document(request.user, doc):
        raise Http404
    count = doc.page_count or 0
    visible = [n for n in range(1, count + 1) if access.can_view_page(request.user, doc, n)]
    context = {
        "doc": doc,
        "chars_display": format_chars(doc.char_count) if doc.char_count is not None else "",
        "visible_pages": visible,
        "hidden_pages": count - len(visible),
    }
    return render(request, "library/document.html", context)


@login_required
def upload(request: HttpRequest) -> HttpResponse:
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        created = 0
        for f in form.cleaned_data["files"]:
            try:
                create_document(
                    owner=request.user,
                    stream=f,
                    original_name=f.name,
                    title=form.cleaned_data["title"]
                    if len(form.cleaned_data["files"]) == 1
                    else "",
                    description=form.cleaned_data["description"],
                    category=form.cleaned_data["category"],
                    tags=form.cleaned_data["tags"],
                    upload_ip=request.META.get("REMOTE_ADDR"),
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
