"""Trust-and-safety pages for staff — the review queue with previews, the reports, the
notice-and-takedown desk, penalties, the audit log — and the uploader's counter-notice.

They gather from several apps (the document's pages and text, search's originality,
moderation's records, comments) and set publishing's decisions in motion, so they live
on the top floor.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from wenku.core.storage import get_storage
from wenku.ingest.counting import format_chars
from wenku.library import queries
from wenku.library.models import Document, DocumentStatus
from wenku.moderation import domain as moderation
from wenku.moderation import flags as autoflags
from wenku.moderation.models import (
    AuditEntry,
    CaseState,
    Notice,
    NoticeState,
    Penalty,
    PenaltyKind,
    Report,
    Review,
)
from wenku.publishing import decisions, intake
from wenku.search import originality

PREVIEW_PAGES = 8  # page images on the review screen; the rest are a click away
QUEUE_SIZE = 50
TABS = ("held", "flagged", "failed")


def staff_only(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @wraps(view)
    @login_required
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_staff:
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


def _ids(request: HttpRequest) -> list[int]:
    return [int(v) for v in request.POST.getlist("ids") if v.isdigit()]


# --- overview


@staff_only
def overview(request: HttpRequest) -> HttpResponse:
    counts = {
        "held": Document.objects.filter(status=DocumentStatus.HELD).count(),
        "flagged": Review.objects.filter(flagged=True, document__status="ready").count(),
        "failed": Document.objects.filter(status=DocumentStatus.FAILED).count(),
        "reports": Report.objects.filter(state=CaseState.OPEN).count(),
        "notices": Notice.objects.filter(
            state__in=[NoticeState.RECEIVED, NoticeState.COUNTER_NOTICED]
        ).count(),
    }
    return render(request, "staff/overview.html", {"counts": counts, "here": "overview"})


# --- the review queue


def _queue(tab: str):  # type: ignore[no-untyped-def]
    documents = Document.objects.select_related("owner", "conversion", "category", "review")
    if tab == "flagged":
        return documents.filter(status=DocumentStatus.READY, review__flagged=True)
    if tab == "failed":
        return documents.filter(status=DocumentStatus.FAILED)
    return documents.filter(status=DocumentStatus.HELD)


@staff_only
def review_queue(request: HttpRequest) -> HttpResponse:
    tab = request.GET.get("tab", "held")
    tab = tab if tab in TABS else "held"
    if request.method == "POST":
        return _bulk(request, tab)
    page = Paginator(_queue(tab).order_by("created_at", "pk"), QUEUE_SIZE).get_page(
        request.GET.get("page")
    )
    rows = [_row(doc) for doc in page]
    context = {"tab": tab, "tabs": TABS, "page_obj": page, "rows": rows, "here": "review"}
    return render(request, "staff/review_queue.html", context)


def _row(doc: Document) -> dict[str, Any]:
    review = getattr(doc, "review", None)
    return {
        "doc": doc,
        "review": review,
        "flags": autoflags.labels(review.flags) if review else [],
        "chars": format_chars(doc.char_count) if doc.char_count is not None else "",
        "history": moderation.uploader_history(doc.owner),
    }


def _bulk(request: HttpRequest, tab: str) -> HttpResponse:
    ids, action = _ids(request), request.POST.get("action", "")
    reason = request.POST.get("reason", "").strip()
    if action == "approve":
        done = decisions.approve(ids, request.user, reason)
        messages.success(request, _("%(n)s approved.") % {"n": len(done)})
    elif action == "reject":
        if not reason:
            messages.error(request, _("Give the uploader a reason for the rejection."))
        else:
            done = decisions.reject(ids, request.user, reason)
            messages.success(request, _("%(n)s rejected.") % {"n": len(done)})
    elif action == "clear":
        for document_id in ids:
            moderation.clear_flag(document_id, request.user)
        messages.success(request, _("Flags cleared."))
    elif action == "retry":
        retried = sum(intake.retry(document_id, request.user) for document_id in ids)
        messages.success(request, _("%(n)s queued again.") % {"n": retried})
    return redirect(f"{request.path}?tab={tab}")


@staff_only
def review_detail(request: HttpRequest, document_id: int) -> HttpResponse:
    """One upload as a moderator sees it: rendered pages, text, counts, flags, the
    originality result with the matching passages side by side, the uploader's history."""
    doc = get_object_or_404(
        Document.objects.select_related("owner", "conversion", "category"), pk=document_id
    )
    if request.method == "POST":
        return _decide_one(request, doc)
    review = Review.objects.filter(document=doc).first()
    pages = queries.reading(request.user, doc).pages if doc.page_count else []
    context = {
        "doc": doc,
        "review": review,
        "flags": autoflags.labels(review.flags) if review else [],
        "chars": format_chars(doc.char_count) if doc.char_count is not None else "",
        "pages": pages[:PREVIEW_PAGES],
        "more_pages": max(0, len(pages) - PREVIEW_PAGES),
        "text": _text(doc),
        "matches": originality.evidence(doc),
        "history": moderation.uploader_history(doc.owner),
        "audit": AuditEntry.objects.filter(document=doc).select_related("actor")[:50],
        "reports": Report.objects.filter(document=doc).select_related("reporter")[:50],
        "penalty_kinds": PenaltyKind.choices,
        "here": "review",
    }
    return render(request, "staff/review_detail.html", context)


def _text(doc: Document, limit: int = 6000) -> str:
    rows = doc.conversion.pages.order_by("number").values_list("text", flat=True)
    text, size = [], 0
    for page_text in rows:
        text.append(page_text)
        size += len(page_text)
        if size > limit:
            break
    return "\n\n".join(text)[:limit]


def _decide_one(request: HttpRequest, doc: Document) -> HttpResponse:
    action, reason = request.POST.get("action", ""), request.POST.get("reason", "").strip()
    if action == "approve":
        decisions.approve([doc.pk], request.user, reason)
        messages.success(request, _("Approved and published."))
    elif action == "reject":
        if not reason:
            messages.error(request, _("Give the uploader a reason for the rejection."))
            return redirect("desk:review_detail", document_id=doc.pk)
        decisions.reject([doc.pk], request.user, reason)
        messages.success(request, _("Rejected."))
    elif action == "retry":
        intake.retry(doc.pk, request.user)
        messages.success(request, _("Queued again."))
    elif action == "take_down":
        decisions.take_down_reported(doc, request.user, reason or _("reported content"))
        messages.success(request, _("Taken down."))
    return redirect(f"{_queue_url()}")


def _queue_url() -> str:
    from django.urls import reverse

    return reverse("desk:review_queue")


# --- reports


@staff_only
def reports(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        return _handle_report(request)
    open_reports = (
        Report.objects.filter(state=CaseState.OPEN)
        .select_related("document", "document__owner", "reporter")
        .order_by("created_at")
    )
    page = Paginator(open_reports, QUEUE_SIZE).get_page(request.GET.get("page"))
    context = {"page_obj": page, "kinds": PenaltyKind.choices, "here": "reports"}
    return render(request, "staff/reports.html", context)


def _handle_report(request: HttpRequest) -> HttpResponse:
    report = get_object_or_404(Report.objects.select_related("document"), pk=request.POST.get("id"))
    action, note = request.POST.get("action", ""), request.POST.get("note", "").strip()
    try:
        done = decisions.handle_report(report, action, request.user, note)
    except decisions.NotAllowed as exc:
        messages.error(request, str(exc))
    else:
        if done:
            messages.success(request, _("Done."))
        else:
            messages.error(request, _("This report was handled meanwhile."))
    return redirect("desk:reports")


# --- penalties


@staff_only
@require_POST
def penalise(request: HttpRequest, user_id: int) -> HttpResponse:
    person = get_object_or_404(get_user_model(), pk=user_id)
    try:
        hours = int(request.POST.get("hours", "0") or 0)
        moderation.penalise(
            person,
            request.POST.get("kind", ""),
            hours,
            request.POST.get("reason", ""),
            request.user,
        )
        messages.success(request, _("Penalty applied to %(name)s.") % {"name": person.username})
    except (ValueError, moderation.Invalid) as exc:
        messages.error(request, str(exc))
    return redirect(request.POST.get("next") or "desk:penalties")


@staff_only
def penalties(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        penalty = get_object_or_404(Penalty, pk=request.POST.get("id"))
        moderation.lift_penalty(penalty, request.user)
        return redirect("desk:penalties")
    rows = Penalty.objects.select_related("user", "created_by").order_by("-created_at")[:200]
    return render(
        request,
        "staff/penalties.html",
        {"penalties": rows, "kinds": PenaltyKind.choices, "here": "penalties"},
    )


# --- notices


@staff_only
def notices(request: HttpRequest) -> HttpResponse:
    state = request.GET.get("state", "")
    rows = Notice.objects.select_related("document", "document__owner").order_by("-created_at")
    if state in NoticeState.values:
        rows = rows.filter(state=state)
    page = Paginator(rows, QUEUE_SIZE).get_page(request.GET.get("page"))
    context = {"page_obj": page, "state": state, "states": NoticeState.choices, "here": "notices"}
    return render(request, "staff/notices.html", context)


NOTICE_ACTIONS = {
    "take_down": decisions.take_down,
    "reject": decisions.reject_notice,
    "restore": decisions.restore,
    "uphold": decisions.uphold,
}


@staff_only
def notice_detail(request: HttpRequest, notice_id: int) -> HttpResponse:
    notice = get_object_or_404(
        Notice.objects.select_related("document", "document__owner", "reporter"), pk=notice_id
    )
    if request.method == "POST":
        act = NOTICE_ACTIONS.get(request.POST.get("action", ""))
        if act is None:
            raise Http404
        try:
            act(notice, request.user, request.POST.get("note", "").strip())
            messages.success(request, _("Done."))
        except moderation.Conflict as exc:
            messages.error(request, str(exc))
        return redirect("desk:notice_detail", notice_id=notice.pk)
    context = {
        "notice": notice,
        "doc": notice.document,
        "audit": AuditEntry.objects.filter(notice=notice).select_related("actor"),
        "here": "notices",
    }
    return render(request, "staff/notice_detail.html", context)


@staff_only
def notice_proof(request: HttpRequest, notice_id: int) -> FileResponse:
    notice = get_object_or_404(Notice, pk=notice_id)
    if not notice.proof_key:
        raise Http404
    response = FileResponse(
        get_storage().open(notice.proof_key), as_attachment=True, filename=notice.proof_name
    )
    response["Content-Security-Policy"] = "sandbox"
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- the audit log


@staff_only
def audit_log(request: HttpRequest) -> HttpResponse:
    rows = AuditEntry.objects.select_related("actor", "document", "subject")
    page = Paginator(rows, 100).get_page(request.GET.get("page"))
    return render(request, "staff/audit.html", {"page_obj": page, "here": "audit"})


# --- the uploader's counter-notice


@login_required
def counter_notice(request: HttpRequest, notice_id: int) -> HttpResponse:
    notice = get_object_or_404(Notice.objects.select_related("document"), pk=notice_id)
    if notice.document.owner_id != request.user.pk:
        raise Http404
    error = ""
    values = {
        "statement": request.POST.get("statement", ""),
        "contact": request.POST.get("contact", request.user.email),
    }
    if request.method == "POST":
        try:
            decisions.counter_notice(notice, request.user, values["statement"], values["contact"])
        except moderation.Invalid as exc:
            error = exc.message
        except moderation.Conflict as exc:
            error = str(exc)
        else:
            messages.success(
                request,
                _("Your counter-notice was sent. The claimant is told, and a moderator decides."),
            )
            return redirect("library:my_uploads")
    context = {"notice": notice, "doc": notice.document, "values": values, "error": error}
    return render(request, "staff/counter_notice.html", context, status=400 if error else 200)
