"""Trust and safety in the API: originality, the uploader's edits and deletions, 举报 and
copyright notices, counter-notices, and the staff's desk: the review queue (approve,
reject, retry failed conversions), reports, takedown decisions, penalties.
POST routes take form fields, like the upload; PATCH takes JSON.

The same domain functions as the web pages (``publishing.decisions``,
``moderation.domain``), so penalties, rate limits and the audit log apply alike.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from ninja import File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile

from wenku.api.auth import REQUIRED, auth_user
from wenku.api.documents import router as documents_router
from wenku.community.models import Comment
from wenku.core import ratelimit
from wenku.core.ratelimit import RateLimited
from wenku.economy import queries as economy
from wenku.library import access
from wenku.library.details import InvalidDetails, UploadDetails
from wenku.library.models import Document, DocumentStatus
from wenku.moderation import domain as moderation
from wenku.moderation.models import (
    AuditEntry,
    CaseState,
    Notice,
    Penalty,
    PenaltyKind,
    Report,
    Review,
)
from wenku.publishing import decisions, intake
from wenku.search import originality

router = Router(tags=["trust and safety"], auth=REQUIRED)


class Error(Schema):
    detail: str
    field: str = ""


class PassageOut(Schema):
    page: int
    text: str
    other_page: int
    other_text: str


class MatchOut(Schema):
    id: int
    title: str
    url: str
    status: str
    owner: str
    published_at: datetime | None
    similarity: float
    kind: str  # file: the same file; text: the same text; near: an edited copy
    passages: list[PassageOut]


class OriginalityOut(Schema):
    id: int
    status: str
    review_state: str | None
    reason: str
    flags: list[str]
    similarity: float
    matches: list[MatchOut]


def _own_or_staff(request: HttpRequest, document_id: int) -> Document:
    doc = get_object_or_404(Document.objects.select_related("owner", "conversion"), pk=document_id)
    if not access.is_privileged(auth_user(request), doc) or doc.status == DocumentStatus.DELETED:
        raise Http404
    return doc


@router.get(
    "/documents/{document_id}/originality",
    response=OriginalityOut,
    url_name="document_originality",
    summary="Copies and near-copies of a document, with the matching passages",
)
def get_originality(request: HttpRequest, document_id: int) -> OriginalityOut:
    """For the uploader and staff: the documents this one copies or nearly copies (among
    those published, held or taken down; an uploader is shown only the published ones
    and their own), how similar, and the passages that match."""
    doc = _own_or_staff(request, document_id)
    review = Review.objects.filter(document=doc).first()
    found = originality.evidence(doc, limit=10, shown=access.listed_to(auth_user(request)))
    return OriginalityOut(
        id=doc.pk,
        status=doc.status,
        review_state=review.state if review else None,
        reason=review.reason if review else "",
        flags=list(review.flags) if review else [],
        similarity=max((e.match.similarity for e in found), default=0.0),
        matches=[
            MatchOut(
                id=e.match.document.pk,
                title=e.match.document.title,
                url=e.match.document.get_absolute_url(),
                status=e.match.document.status,
                owner=e.match.document.owner.username,
                published_at=e.match.document.published_at,
                similarity=round(e.match.similarity, 4),
                kind=e.match.kind,
                passages=[PassageOut(**p.__dict__) for p in e.passages],
            )
            for e in found
        ],
    )


def _per_page(per_page: int) -> int:
    return max(1, min(per_page, 200))


class MyDocumentOut(Schema):
    id: int
    title: str
    url: str
    status: str
    disputed: bool  # an open copyright notice: earnings on it are held
    review_state: str | None
    reason: str  # what the uploader is told: the review's reason, or why conversion failed
    flags: list[str]
    similarity: float
    counter_notice_id: int | None  # taken down on this notice: answer it with a counter-notice
    pages: int | None
    chars: int | None
    views: int
    downloads: int
    earned: int
    pricing: str
    price: int
    created_at: datetime
    published_at: datetime | None


class MyDocumentsPage(Schema):
    count: int
    page: int
    pages: int
    results: list[MyDocumentOut]


@router.get("/me/documents", response=MyDocumentsPage, summary="Your uploads, with their state")
def my_documents(request: HttpRequest, page: Query[int] = 1, per_page: Query[int] = 50) -> Any:
    """我的上传: your documents but the deleted, newest first, each with its state and the
    reason you are told (held, rejected, failed), the originality finding, views,
    downloads and the points earned from it."""
    user = auth_user(request)
    documents = (
        Document.objects.filter(owner=user)
        .not_deleted()
        .select_related("review")
        .order_by("-created_at", "-pk")
    )
    paginator = Paginator(documents, _per_page(per_page))
    current = paginator.get_page(page)
    docs = list(current)
    earned = economy.earnings_by_document(user, [d.pk for d in docs])
    answerable = moderation.answerable_notices(docs)
    results = []
    for doc in docs:
        review = getattr(doc, "review", None)
        results.append(
            MyDocumentOut(
                id=doc.pk,
                title=doc.title,
                url=doc.get_absolute_url(),
                status=doc.status,
                disputed=doc.disputed,
                review_state=review.state if review else None,
                reason=moderation.uploader_reason(doc),
                flags=list(review.flags) if review else [],
                similarity=review.similarity if review else 0.0,
                counter_notice_id=answerable.get(doc.pk),
                pages=doc.page_count,
                chars=doc.char_count,
                views=doc.view_count,
                downloads=doc.download_count,
                earned=earned.get(doc.pk, 0),
                pricing=doc.pricing,
                price=doc.price,
                created_at=doc.created_at,
                published_at=doc.published_at,
            )
        )
    return {
        "count": paginator.count,
        "page": current.number,
        "pages": paginator.num_pages,
        "results": results,
    }


class EditIn(Schema):
    title: str | None = None
    description: str | None = None
    category: str | None = None
    tags: list[str] | None = None
    preview_pages: int | None = None
    pricing: str | None = None
    price: int | None = None


class StatusOut(Schema):
    id: int
    status: str


# On the documents router: one path, GET there and PATCH/DELETE here.
@documents_router.patch(
    "/documents/{document_id}",
    auth=REQUIRED,
    response={200: StatusOut, 400: Error, 404: Error},
    summary="Edit your document's details",
    tags=["trust and safety"],
)
def edit_document(request: HttpRequest, document_id: int, payload: EditIn) -> Status[object]:
    """Fields left out keep their value. Banned words refuse the edit (400) or send a
    published document back to review (status `held`)."""
    doc = _own_or_staff(request, document_id)
    given = payload.dict(exclude_unset=True)
    current = {
        "title": doc.title,
        "description": doc.description,
        "category": doc.category_id,
        "tags": [t.name for t in doc.tags.all()],
        "preview_pages": doc.preview_pages,
        "pricing": doc.pricing,
        "price": doc.price,
    }
    try:
        details = UploadDetails.build(**{**current, **given}, staff=auth_user(request).is_staff)
        status = decisions.edit(doc, details, auth_user(request))
    except InvalidDetails as exc:
        return Status(400, Error(detail=exc.message, field=exc.field))
    except decisions.NotAllowed as exc:
        return Status(400, Error(detail=str(exc)))
    return Status(200, StatusOut(id=doc.pk, status=status))


@documents_router.delete(
    "/documents/{document_id}",
    auth=REQUIRED,
    response={200: StatusOut, 404: Error},
    summary="Delete your document",
    tags=["trust and safety"],
)
def delete_document(request: HttpRequest, document_id: int) -> Status[object]:
    """Soft delete: it leaves every page at once; its reward history and fingerprint stay."""
    doc = _own_or_staff(request, document_id)
    decisions.delete(doc, auth_user(request))
    return Status(200, StatusOut(id=doc.pk, status=DocumentStatus.DELETED))


class ReportOut(Schema):
    id: int
    created: bool


def _report(
    request: HttpRequest, doc: Document, reason: str, details: str, **target: Any
) -> Status[object]:
    try:
        report, created = moderation.file_report(
            auth_user(request), doc, reason, details, ip=ratelimit.client_key(request), **target
        )
    except moderation.Invalid as exc:
        return Status(400, Error(detail=exc.message, field=exc.field))
    except RateLimited as exc:
        return Status(429, Error(detail=str(exc)))
    return Status(201 if created else 200, ReportOut(id=report.pk, created=created))


@router.post(
    "/documents/{document_id}/reports",
    response={200: ReportOut, 201: ReportOut, 400: Error, 404: Error, 429: Error},
    summary="举报 a document",
)
def report_document(
    request: HttpRequest, document_id: int, reason: Form[str], details: Form[str] = ""
) -> Status[object]:
    """`reason`: illegal, pornography, spam, fraud, privacy or low_quality (form fields).
    Copyright complaints are notices (`POST /documents/{id}/notices`). Reporting the same
    thing again answers 200 with the first report."""
    doc = access.viewable_or_404(auth_user(request), document_id)
    return _report(request, doc, reason, details)


@router.post(
    "/comments/{comment_id}/reports",
    response={200: ReportOut, 201: ReportOut, 400: Error, 404: Error, 429: Error},
    summary="举报 a comment",
)
def report_comment(
    request: HttpRequest, comment_id: int, reason: Form[str], details: Form[str] = ""
) -> Status[object]:
    comment = get_object_or_404(Comment, pk=comment_id, deleted_at=None)
    doc = access.viewable_or_404(auth_user(request), comment.document_id)
    return _report(
        request, doc, reason, details, comment_id=comment.pk, comment_excerpt=comment.body
    )


class NoticeOut(Schema):
    id: int
    state: str
    created: bool


@router.post(
    "/documents/{document_id}/notices",
    response={200: NoticeOut, 201: NoticeOut, 400: Error, 404: Error, 429: Error},
    summary="Send a copyright notice",
)
def send_notice(
    request: HttpRequest,
    document_id: int,
    claimant_name: Form[str],
    claimant_identity: Form[str],
    contact: Form[str],
    work: Form[str],
    proof_links: Form[str] = "",
    proof: File[UploadedFile | None] = None,
) -> Status[object]:
    """Multipart. The rights holder's name, identity (ID card or organisation number) and
    contact, the work claimed, and proof: a file (`proof`) or links (`proof_links`)."""
    doc = access.viewable_or_404(auth_user(request), document_id)
    try:
        notice, created = decisions.file_notice(
            auth_user(request),
            doc,
            claimant_name=claimant_name,
            claimant_identity=claimant_identity,
            contact=contact,
            work=work,
            proof_links=proof_links,
            proof=proof,
            proof_name=proof.name if proof else "",
            ip=ratelimit.client_key(request),
        )
    except moderation.Invalid as exc:
        return Status(400, Error(detail=exc.message, field=exc.field))
    except RateLimited as exc:
        return Status(429, Error(detail=str(exc)))
    return Status(
        201 if created else 200, NoticeOut(id=notice.pk, state=notice.state, created=created)
    )


@router.post(
    "/notices/{notice_id}/counter",
    response={200: NoticeOut, 400: Error, 404: Error, 409: Error},
    summary="Answer a notice about your document with a counter-notice",
)
def counter(
    request: HttpRequest, notice_id: int, statement: Form[str], contact: Form[str]
) -> Status[object]:
    notice = get_object_or_404(Notice.objects.select_related("document"), pk=notice_id)
    if notice.document.owner_id != auth_user(request).pk:
        raise Http404
    try:
        notice = decisions.counter_notice(notice, auth_user(request), statement, contact)
    except moderation.Invalid as exc:
        return Status(400, Error(detail=exc.message, field=exc.field))
    except moderation.Conflict as exc:
        return Status(409, Error(detail=str(exc)))
    return Status(200, NoticeOut(id=notice.pk, state=notice.state, created=False))


# --- staff


def _staff(request: HttpRequest) -> Any:
    user = auth_user(request)
    if not user.is_staff:
        raise Http404
    return user


class QueueItem(Schema):
    id: int
    title: str
    owner: str
    status: str
    flags: list[str]
    similarity: float
    reason: str
    created_at: datetime


@router.get("/moderation/queue", response=list[QueueItem], summary="Staff: the review queue")
def queue(request: HttpRequest, tab: str = "held") -> list[QueueItem]:
    """`tab`: held (awaiting review), flagged (published, worth a look) or failed."""
    _staff(request)
    documents = Document.objects.select_related("owner", "review").order_by("created_at")
    if tab == "flagged":
        documents = documents.filter(status=DocumentStatus.READY, review__flagged=True)
    elif tab == "failed":
        documents = documents.filter(status=DocumentStatus.FAILED)
    else:
        documents = documents.filter(status=DocumentStatus.HELD)
    items = []
    for doc in documents[:200]:
        review = getattr(doc, "review", None)
        items.append(
            QueueItem(
                id=doc.pk,
                title=doc.title,
                owner=doc.owner.username,
                status=doc.status,
                flags=list(review.flags) if review else [],
                similarity=review.similarity if review else 0.0,
                reason=review.reason if review else doc.failure_reason,
                created_at=doc.created_at,
            )
        )
    return items


class DecisionOut(Schema):
    done: list[int]


@router.post(
    "/moderation/approve", response={200: DecisionOut, 404: Error}, summary="Staff: approve"
)
def approve(request: HttpRequest, ids: Form[list[int]], reason: Form[str] = "") -> DecisionOut:
    """Form fields: `ids` (repeated), `reason` (optional)."""
    return DecisionOut(done=decisions.approve(ids, _staff(request), reason))


@router.post(
    "/moderation/reject",
    response={200: DecisionOut, 400: Error, 404: Error},
    summary="Staff: reject",
)
def reject(request: HttpRequest, ids: Form[list[int]], reason: Form[str] = "") -> Status[object]:
    """Form fields: `ids` (repeated), `reason` (required: the uploader sees it)."""
    staff = _staff(request)
    if not reason.strip():
        return Status(400, Error(detail="a reason is required", field="reason"))
    return Status(200, DecisionOut(done=decisions.reject(ids, staff, reason)))


@router.post(
    "/moderation/retry",
    response={200: DecisionOut, 404: Error},
    summary="Staff: convert failed uploads again",
)
def retry(request: HttpRequest, ids: Form[list[int]]) -> DecisionOut:
    """Form field: `ids` (repeated). The ids queued again (those that had failed)."""
    staff = _staff(request)
    return DecisionOut(done=[pk for pk in ids if intake.retry(pk, staff)])


class ReportItem(Schema):
    id: int
    document_id: int
    document_title: str
    comment_id: int  # 0: the document itself
    comment_excerpt: str
    reason: str
    details: str
    reporter: str
    created_at: datetime


@router.get("/moderation/reports", response=list[ReportItem], summary="Staff: open reports")
def open_reports(request: HttpRequest) -> list[ReportItem]:
    """The open 举报, oldest first (at most 200)."""
    _staff(request)
    rows = (
        Report.objects.filter(state=CaseState.OPEN)
        .select_related("document", "reporter")
        .order_by("created_at", "pk")[:200]
    )
    return [
        ReportItem(
            id=r.pk,
            document_id=r.document_id,
            document_title=r.document.title,
            comment_id=r.comment_id,
            comment_excerpt=r.comment_excerpt,
            reason=r.reason,
            details=r.details,
            reporter=r.reporter.username,
            created_at=r.created_at,
        )
        for r in rows
    ]


class HandledOut(Schema):
    id: int
    state: str


@router.post(
    "/moderation/reports/{report_id}/{action}",
    response={200: HandledOut, 400: Error, 404: Error, 409: Error},
    summary="Staff: dismiss a report, take the document down, or remove the comment",
)
def handle_report(
    request: HttpRequest, report_id: int, action: str, note: Form[str] = ""
) -> Status[object]:
    """`action`: dismiss, take_down or remove_comment; `note` (form field) is kept with
    the report and, for a takedown, told to the uploader. 400: the action does not apply
    (removing the comment of a document's report); 409: handled meanwhile."""
    staff = _staff(request)
    if action not in decisions.REPORT_ACTIONS:
        raise Http404
    report = get_object_or_404(Report.objects.select_related("document"), pk=report_id)
    try:
        done = decisions.handle_report(report, action, staff, note.strip())
    except decisions.NotAllowed as exc:
        return Status(400, Error(detail=str(exc)))
    if not done:
        return Status(409, Error(detail="this report was handled meanwhile"))
    report.refresh_from_db()
    return Status(200, HandledOut(id=report.pk, state=report.state))


NOTICE_ACTIONS = {
    "take_down": decisions.take_down,
    "reject": decisions.reject_notice,
    "restore": decisions.restore,
    "uphold": decisions.uphold,
}


@router.post(
    "/moderation/notices/{notice_id}/{action}",
    response={200: NoticeOut, 404: Error, 409: Error},
    summary="Staff: take down, reject, restore or uphold",
)
def notice_action(
    request: HttpRequest, notice_id: int, action: str, note: Form[str] = ""
) -> Status[object]:
    staff = _staff(request)
    act = NOTICE_ACTIONS.get(action)
    if act is None:
        raise Http404
    notice = get_object_or_404(Notice, pk=notice_id)
    try:
        notice = act(notice, staff, note)
    except moderation.Conflict as exc:
        return Status(409, Error(detail=str(exc)))
    return Status(200, NoticeOut(id=notice.pk, state=notice.state, created=False))


class PenaltyOut(Schema):
    id: int
    kind: str
    until: datetime
    lifted_at: datetime | None = None


@router.post(
    "/moderation/users/{user_id}/penalties",
    response={201: PenaltyOut, 400: Error, 404: Error},
    summary="Staff: forbid a user uploading, commenting or downloading for a time",
)
def penalise(
    request: HttpRequest, user_id: int, kind: Form[str], hours: Form[int], reason: Form[str] = ""
) -> Status[object]:
    """Form fields: `kind` (upload, comment or download), `hours`, `reason`."""
    from django.contrib.auth import get_user_model

    staff = _staff(request)
    person = get_object_or_404(get_user_model(), pk=user_id)
    try:
        penalty = moderation.penalise(person, kind, hours, reason, staff)
    except moderation.Invalid as exc:
        return Status(400, Error(detail=exc.message, field=exc.field))
    return Status(
        201, PenaltyOut(id=penalty.pk, kind=PenaltyKind(penalty.kind), until=penalty.until)
    )


@router.post(
    "/moderation/penalties/{penalty_id}/lift",
    response={200: PenaltyOut, 404: Error},
    summary="Staff: lift a penalty before its time",
)
def lift(request: HttpRequest, penalty_id: int) -> PenaltyOut:
    staff = _staff(request)
    penalty = get_object_or_404(Penalty, pk=penalty_id)
    moderation.lift_penalty(penalty, staff)
    penalty.refresh_from_db()
    return PenaltyOut(
        id=penalty.pk,
        kind=PenaltyKind(penalty.kind),
        until=penalty.until,
        lifted_at=penalty.lifted_at,
    )


class AuditItem(Schema):
    id: int
    created_at: datetime
    actor: str | None  # None: the system (an automatic hold, a re-upload block)
    action: str
    document_id: int | None
    notice_id: int | None
    report_id: int | None
    subject: str | None  # the user a penalty or its lifting concerns
    note: str
    data: dict[str, Any]


class AuditPage(Schema):
    count: int
    page: int
    pages: int
    results: list[AuditItem]


@router.get("/moderation/audit", response=AuditPage, summary="Staff: the audit log")
def audit_log(
    request: HttpRequest,
    document: Query[int | None] = None,
    page: Query[int] = 1,
    per_page: Query[int] = 100,
) -> Any:
    """Every moderator's and the system's action, newest first (the log is append-only);
    `document` keeps one document's entries."""
    _staff(request)
    rows = AuditEntry.objects.select_related("actor", "subject").order_by("-created_at", "-pk")
    if document is not None:
        rows = rows.filter(document_id=document)
    paginator = Paginator(rows, _per_page(per_page))
    current = paginator.get_page(page)
    return {
        "count": paginator.count,
        "page": current.number,
        "pages": paginator.num_pages,
        "results": [
            AuditItem(
                id=e.pk,
                created_at=e.created_at,
                actor=e.actor.username if e.actor else None,
                action=e.action,
                document_id=e.document_id,
                notice_id=e.notice_id,
                report_id=e.report_id,
                subject=e.subject.username if e.subject else None,
                note=e.note,
                data=e.data,
            )
            for e in current
        ],
    }
