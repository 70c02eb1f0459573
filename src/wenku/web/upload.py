"""Uploading from the site, and the uploader's list of their documents."""

from __future__ import annotations

from dataclasses import replace

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import ngettext

from wenku.core.ip import client_ip
from wenku.library.forms import UploadForm
from wenku.library.models import Category, Document
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
