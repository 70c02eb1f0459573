"""Community pages and actions: plain forms that post and come back to the document page."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from wenku.community import domain, queries
from wenku.community.domain import NotAllowed
from wenku.community.models import Comment, FavouriteFolder
from wenku.config import conf
from wenku.core import ratelimit
from wenku.library import access
from wenku.library.models import Document
from wenku.moderation.domain import Invalid, file_report
from wenku.moderation.models import ReportReason


def _document(request: HttpRequest, document_id: int) -> Document:
    return access.viewable_or_404(
        request.user, document_id, Document.objects.select_related("owner")
    )


def _back(doc: Document, anchor: str, cpage: Any = None) -> HttpResponse:
    query = f"?{urlencode({'cpage': cpage})}" if cpage and str(cpage).isdigit() else ""
    return redirect(f"{doc.get_absolute_url()}{query}#{anchor}")


def _limit(request: HttpRequest, scope: str, rate: ratelimit.RateLike) -> None:
    ratelimit.enforce(scope, str(request.user.pk), rate)


def _folder(request: HttpRequest, raw: str | None) -> FavouriteFolder | None:
    if not raw:
        return None
    if not raw.isdigit():
        raise Http404
    return get_object_or_404(FavouriteFolder, pk=int(raw), user=request.user)


# --- comments


@login_required
@require_POST
@ratelimit.responds
def comment(request: HttpRequest, document_id: int) -> HttpResponse:
    doc = _document(request, document_id)
    answering = None
    if request.POST.get("answering"):
        answering = get_object_or_404(
            Comment, pk=request.POST["answering"] if request.POST["answering"].isdigit() else 0
        )
    _limit(request, "comment", conf().rate_comment)
    try:
        made = domain.add_comment(request.user, doc, request.POST.get("body", ""), answering)
    except NotAllowed as exc:
        messages.error(request, str(exc))
        return _back(doc, "comments", request.POST.get("cpage"))
    cpage = request.POST.get("cpage") if answering else None
    return _back(doc, f"comment-{made.pk}", cpage)


@login_required
def edit_comment(request: HttpRequest, comment_id: int) -> HttpResponse:
    found = get_object_or_404(Comment.objects.select_related("document"), pk=comment_id)
    if found.author_id != request.user.pk or found.is_deleted:
        raise Http404
    error = ""
    if request.method == "POST":
        try:
            domain.edit_comment(request.user, found, request.POST.get("body", ""))
            return _back(found.document, f"comment-{found.pk}", request.POST.get("cpage"))
        except NotAllowed as exc:
            error = str(exc)
    context = {"comment": found, "error": error, "cpage": request.GET.get("cpage", "")}
    return render(request, "community/edit_comment.html", context, status=400 if error else 200)


@login_required
@require_http_methods(["GET", "POST"])
def delete_comment(request: HttpRequest, comment_id: int) -> HttpResponse:
    """GET: the comment and a button to confirm (only its author). POST: delete it."""
    found = get_object_or_404(Comment.objects.select_related("document"), pk=comment_id)
    if request.method == "GET":
        if found.author_id != request.user.pk or found.is_deleted:
            raise Http404  # not yours: as if it were not there
        context = {"comment": found, "cpage": request.GET.get("cpage", "")}
        return render(request, "community/delete_comment.html", context)
    try:
        domain.delete_comment(request.user, found)
    except NotAllowed as exc:
        raise Http404 from exc  # not yours: as if it were not there
    messages.success(request, _("Your comment is deleted."))
    return _back(found.document, "comments", request.POST.get("cpage"))


@login_required
@ratelimit.responds
def report_comment(request: HttpRequest, comment_id: int) -> HttpResponse:
    """举报 one comment (moderation records it; moderators see the words reported)."""
    found = get_object_or_404(Comment.objects.select_related("document"), pk=comment_id)
    doc = _document(request, found.document_id)
    if found.is_deleted:
        raise Http404
    error = ""
    values = {"reason": request.POST.get("reason", ""), "details": request.POST.get("details", "")}
    if request.method == "POST":
        try:
            _report, created = file_report(
                request.user,
                doc,
                values["reason"],
                values["details"],
                comment_id=found.pk,
                comment_excerpt=found.body,
                ip=ratelimit.client_key(request),
            )
        except Invalid as exc:
            error = exc.message
        else:
            messages.success(
                request,
                _("Thank you: your report was received.")
                if created
                else _("You have reported this already; it is being looked at."),
            )
            return _back(doc, f"comment-{found.pk}")
    reasons = [(r.value, r.label) for r in ReportReason if r != ReportReason.COPYRIGHT]
    context = {"comment": found, "doc": doc, "reasons": reasons, "values": values, "error": error}
    return render(request, "community/report_comment.html", context, status=400 if error else 200)


# --- ratings


@login_required
@require_POST
@ratelimit.responds
def rate(request: HttpRequest, document_id: int) -> HttpResponse:
    doc = _document(request, document_id)
    raw = request.POST.get("stars", "")
    _limit(request, "rating", conf().rate_rating)
    try:
        domain.rate(request.user, doc, int(raw) if raw.isdigit() else 0)
        messages.success(request, _("Thank you for rating this document."))
    except NotAllowed as exc:
        messages.error(request, str(exc))
    return _back(doc, "rating")


# --- favourites


@login_required
@require_POST
@ratelimit.responds
def favourite(request: HttpRequest, document_id: int) -> HttpResponse:
    doc = _document(request, document_id)
    _limit(request, "favourite", conf().rate_favourite)
    try:
        folder = _folder(request, request.POST.get("folder"))
        new_name = request.POST.get("new_folder", "").strip()
        if new_name:
            folder = domain.create_folder(request.user, new_name)
        domain.add_favourite(request.user, doc, folder)
        messages.success(request, _("Saved to your favourites."))
    except NotAllowed as exc:
        messages.error(request, str(exc))
    return _back(doc, "favourite")


@login_required
@require_POST
def unfavourite(request: HttpRequest, document_id: int) -> HttpResponse:
    doc = get_object_or_404(Document, pk=document_id)
    domain.remove_favourite(request.user, doc)
    if request.POST.get("next") == "favourites":
        return redirect("community:favourites")
    return _back(doc, "favourite")


@login_required
def favourites(request: HttpRequest) -> HttpResponse:
    """My favourites: folders on the side, the chosen folder's documents, newest first."""
    chosen = request.GET.get("folder", "")
    folder = _folder(request, chosen) if chosen not in ("", "default") else None
    found = queries.favourites(request.user, folder, default_only=chosen == "default")
    page = Paginator(found, 30).get_page(request.GET.get("page"))
    rows = [(f, queries.visible(request.user, f)) for f in page.object_list]
    context = {
        "page_obj": page,
        "rows": rows,
        "folders": FavouriteFolder.objects.filter(user=request.user.pk),
        "chosen": chosen,
        "folder": folder,
    }
    return render(request, "community/favourites.html", context)


@login_required
@require_POST
@ratelimit.responds
def folders(request: HttpRequest) -> HttpResponse:
    """Create, rename or delete a folder, or move a favourite (one form each)."""
    _limit(request, "favourite", conf().rate_favourite)
    action = request.POST.get("action", "")
    try:
        if action == "create":
            made = domain.create_folder(request.user, request.POST.get("name", ""))
            return redirect(_favourites_url(str(made.pk)))
        if action == "rename":
            folder = _folder(request, request.POST.get("folder"))
            if folder is None:
                raise Http404
            domain.rename_folder(request.user, folder, request.POST.get("name", ""))
        elif action == "delete":
            folder = _folder(request, request.POST.get("folder"))
            if folder is None:
                raise Http404
            domain.delete_folder(request.user, folder)
            return redirect("community:favourites")
        elif action == "move":
            raw = request.POST.get("favourite", "")
            target = _folder(request, request.POST.get("folder"))
            if not raw.isdigit() or not domain.move_favourite(request.user, int(raw), target):
                raise Http404
        else:
            raise Http404
    except NotAllowed as exc:
        messages.error(request, str(exc))
    return redirect(_favourites_url(request.POST.get("shown", "")))


def _favourites_url(folder: str = "") -> str:
    """My favourites, showing a folder ('default', an id) or all."""
    url = reverse("community:favourites")
    return f"{url}?folder={folder}" if folder == "default" or folder.isdigit() else url
