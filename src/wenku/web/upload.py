"""Uploading from the site, and the uploader's list of their documents."""

from __future__ import annotations

from dataclasses import replace

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from wenku.config import conf
from wenku.core.ip import client_ip
from wenku.core.ratelimit import RateLimited
from wenku.library import access
from wenku.library.forms import EditForm, UploadForm
from wenku.library.models import Document
from wenku.moderation import domain as moderation
from wenku.publishing import decisions, intake
from wenku.search import originality


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
                intake.limit(request.user, client_ip(request))
                intake.upload(
                    owner=request.user,
                    stream=f,
                    original_name=f.name,
                    details=details,
                    upload_ip=client_ip(request),
                )
                created += 1
            except (intake.TooLarge, intake.Unavailable) as exc:
                messages.error(request, f"{f.name}{_(':')}{exc}")
            except intake.Refused as exc:
                messages.error(request, refused_message(f.name, exc))
            except (intake.Penalised, RateLimited) as exc:
                messages.error(request, str(exc))
                break
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
        "colon": _(":"),  # full-width in Chinese
        "held": _("Awaiting review"),
        "rejected": _("Not published"),
        "original": _("the original"),
        "publishedWith": _("Will be published with:"),
        "noCategory": _("no category"),
        "noTags": _("no tags"),
        "tooLarge": _("Larger than %(mb)s MB: it will not be accepted.") % {"mb": max_mb},
        "chosen": _("%(n)s files chosen"),
    }


def refused_message(name: str, exc: intake.Refused) -> str:
    """The refusal, with a link to the document it copies (the uploader's own: 您已上传过该文档)."""
    if exc.original is None:
        return f"{name}{_(':')}{exc}"
    return format_html(
        '{}{}{} <a href="{}">{}</a>',
        name,
        _(":"),
        str(exc),
        exc.original.get_absolute_url(),
        exc.original.title,
    )


@login_required
def my_uploads(request: HttpRequest) -> HttpResponse:
    """我的上传: every document but the deleted, with its state and the reason for it
    (review, refusal, takedown), views, downloads, earnings, and edit/delete."""
    docs = list(
        Document.objects.filter(owner=request.user)
        .not_deleted()
        .select_related("category", "review")
        .order_by("-created_at")[:200]
    )
    answerable = moderation.answerable_notices(docs)
    rows = [
        {
            "doc": d,
            "reason": moderation.uploader_reason(d),
            "counter_notice": answerable.get(d.pk),
            "similar": _has_finding(d),
        }
        for d in docs
    ]
    return render(request, "library/my_uploads.html", {"documents": docs, "rows": rows})


def _has_finding(doc: Document) -> bool:
    """Whether the review found similar documents (held, rejected or flagged for them)."""
    review = getattr(doc, "review", None)
    return bool(review is not None and review.matches)


@login_required
def upload_originality(request: HttpRequest, document_id: int) -> HttpResponse:
    """相似内容: the evidence behind an originality finding, for the uploader (and staff) —
    the matched documents, the similarity and the matching passages side by side, as the
    review screen shows them, so a held or rejected upload's reason can be checked."""
    doc = get_object_or_404(Document.objects.not_deleted().select_related("review"), pk=document_id)
    if not access.is_privileged(request.user, doc):
        raise Http404
    context = {
        "doc": doc,
        "reason": moderation.uploader_reason(doc),
        "matches": originality.evidence(doc, shown=access.listed_to(request.user)),
    }
    return render(request, "library/upload_originality.html", context)


def _own_document(request: HttpRequest, document_id: int) -> Document:
    doc = get_object_or_404(Document.objects.not_deleted(), pk=document_id)
    if doc.owner_id != request.user.pk:
        raise Http404
    return doc


@login_required
def edit_upload(request: HttpRequest, document_id: int) -> HttpResponse:
    doc = _own_document(request, document_id)
    staff = request.user.is_staff
    if request.method == "POST":
        form = EditForm(request.POST, staff=staff)
        if form.is_valid():
            before = doc.status  # ``edit`` refreshes ``doc``: a held word makes it held
            try:
                status = decisions.edit(doc, form.cleaned_data["details"], request.user)
            except decisions.NotAllowed as exc:
                form.add_error(None, str(exc))
            else:
                if status == "held" and before == "ready":
                    messages.info(request, _("Saved. A moderator will check the new details."))
                else:
                    messages.success(request, _("Saved."))
                return redirect("library:my_uploads")
    else:
        form = EditForm(initial=EditForm.initial_for(doc), staff=staff)
    return render(request, "library/edit_upload.html", {"doc": doc, "form": form})


@login_required
def delete_upload(request: HttpRequest, document_id: int) -> HttpResponse:
    """Ask, then delete (soft: the file, its fingerprint and reward history stay)."""
    doc = _own_document(request, document_id)
    if request.method == "POST":
        decisions.delete(doc, request.user)
        messages.success(request, _("“%(title)s” is deleted.") % {"title": doc.title})
        return redirect("library:my_uploads")
    return render(request, "library/delete_upload.html", {"doc": doc})
