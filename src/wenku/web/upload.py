"""Uploading from the site, and the uploader's list of their documents."""

from __future__ import annotations

from dataclasses import replace

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from wenku.config import conf
from wenku.core.ip import client_ip
from wenku.library.forms import UploadForm
from wenku.library.models import Document
from wenku.publishing import intake


@login_required
def upload(request: HttpRequest) -> HttpResponse:
    form = UploadForm(request.POST or None, request.FILES or None, staff=request.user.is_staff)
    if request.method == "POST" and form.is_valid():
        files = form.cleaned_data["files"]
        details = form.cleaned_data["details"]
        if len(files) > 1:  # one title cannot name several files: each takes its own
            details = replace(details, title="")
        created = 0
        for f in files:
            try:
                intake.upload(
                    owner=request.user,
                    stream=f,
                    original_name=f.name,
                    details=details,
                    upload_ip=client_ip(request),
                )
                created += 1
            except (intake.TooLarge, intake.Unavailable) as exc:
                messages.error(request, f"{f.name}: {exc}")
        if created:
            message = ngettext(
                "%(count)s file uploaded; it is being processed.",
                "%(count)s files uploaded; they are being processed.",
                created,
            )
            messages.success(request, message % {"count": created})
        return redirect("library:my_uploads")
    context = {
        "form": form,
        "max_upload_mb": conf().max_upload_mb,
        "max_upload_bytes": conf().max_upload_mb * 1024 * 1024,
        "upload_text": upload_text(conf().max_upload_mb),
    }
    return render(request, "library/upload.html", context)


def upload_text(max_mb: int) -> dict[str, str]:
    """The words upload.js shows, in the reader's language (no strings in the script)."""
    return {
        "title": _("Title"),
        "description": _("Description"),
        "category": _("Category"),
        "tags": _("Tags (comma-separated)"),
        "none": _("(none)"),
        "waiting": _("Waiting"),
        "uploading": _("Uploading"),
        "queued": _("Queued"),
        "processing": _("Processing"),
        "ready": _("Ready"),
        "failed": _("Failed"),
        "open": _("Open"),
        "remove": _("Remove"),
        "error": _("Upload failed"),
        "publishedWith": _("Will be published with:"),
        "noCategory": _("no category"),
        "noTags": _("no tags"),
        "tooLarge": _("Larger than %(mb)s MB: it will not be accepted.") % {"mb": max_mb},
        "chosen": _("%(n)s files chosen"),
    }


@login_required
def my_uploads(request: HttpRequest) -> HttpResponse:
    docs = (
        Document.objects.filter(owner=request.user)
        .select_related("category")
        .order_by("-created_at")[:200]
    )
    return render(request, "library/my_uploads.html", {"documents": docs})
