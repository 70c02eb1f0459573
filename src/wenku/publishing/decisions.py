"""Decisions about documents and what each one sets in motion, in one place.

Each function changes the document's status and moderation's records in one
transaction (conditional updates: two moderators acting at once cannot both succeed),
then, after the commit, runs its ordered sequence of reactions (``reactions``):

- ``settle``: a converted upload is published, held or refused (``review.decide``);
- ``approve`` / ``reject``: a moderator's decision on held (or flagged) uploads;
- ``take_down`` / ``reject_notice`` / ``counter_notice`` / ``restore`` / ``uphold``:
  the notice-and-takedown desk;
- ``handle_report``: a moderator's answer to a 举报 (dismiss it, take the document
  down, remove the comment);
- ``delete`` / ``edit``: the uploader manages their document.

(A moderator's retry of a failed conversion queues a job: ``intake.retry``.)
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from wenku.community import domain as community
from wenku.community.models import Comment
from wenku.ingest import conversions
from wenku.ingest.models import Conversion
from wenku.library import domain as library
from wenku.library.details import UploadDetails
from wenku.library.models import Document, DocumentStatus
from wenku.moderation import domain as moderation
from wenku.moderation import words
from wenku.moderation.models import CaseState, Notice, NoticeState, Report, ReviewState, WordAction
from wenku.publishing import reactions, review

Status = DocumentStatus


class NotAllowed(Exception):
    """This step is not possible for this document now; the message says why."""


# --- a converted upload


def settle(conversion: Conversion, *, mark_ready: bool = False) -> dict[int, review.Verdict]:
    """Decide every document waiting on ``conversion`` and apply the decisions in one
    transaction (with ``mark_ready``, the conversion becomes ready in it too: the publish
    stage); then the reactions. Returns the verdicts by document id."""
    verdicts: dict[int, review.Verdict] = {}
    decided: list[tuple[Document, review.Verdict]] = []
    for document in library.waiting_documents(conversion.pk):
        verdict = review.decide(document, conversion, decided)
        verdicts[document.pk] = verdict
        decided.append((document, verdict))
    with transaction.atomic():
        if mark_ready:
            conversions.mark_ready(conversion)
        library.settle_documents(conversion, {pk: v.status for pk, v in verdicts.items()})
        for document, verdict in decided:
            moderation.record_review(
                document,
                state=verdict.review_state,
                flags=verdict.flags,
                similarity=verdict.found.best,
                matches=verdict.found.as_rows(),
                reason=verdict.reason,
                flagged=verdict.flagged,
            )
    reactions.published(conversion.pk)
    for document, verdict in decided:
        if verdict.status == Status.REJECTED:
            reactions.refused(document.pk, verdict.reason)
    return verdicts


# --- review


def approve(document_ids: Iterable[int], actor: Any, reason: str = "") -> list[int]:
    """Held documents are published (approval pays the upload reward); the ids approved."""
    done = []
    for document_id in document_ids:
        with transaction.atomic():
            if not library.transition(document_id, [Status.HELD], Status.READY):
                continue
            moderation.decide_review(document_id, ReviewState.APPROVED, actor, reason)
        done.append(document_id)
    for document_id in done:
        reactions.approved(document_id)
    return done


def reject(document_ids: Iterable[int], actor: Any, reason: str) -> list[int]:
    """Held (or published, flagged) documents are rejected with a reason the uploader sees."""
    done = []
    for document_id in document_ids:
        with transaction.atomic():
            if not library.transition(document_id, [Status.HELD, Status.READY], Status.REJECTED):
                continue
            moderation.decide_review(document_id, ReviewState.REJECTED, actor, reason)
        done.append(document_id)
    for document_id in done:
        reactions.rejected(document_id, reason)
    return done


# --- notices


def _close_dispute(notice: Notice) -> None:
    moderation.close_dispute(notice.document_id)


def file_notice(reporter: Any, document: Document, **fields: Any) -> tuple[Notice, bool]:
    """A copyright notice is filed (``moderation.domain.file_notice``: the document is
    disputed, its earnings held, until the notice is resolved)."""
    return moderation.file_notice(reporter, document, **fields)


def take_down(notice: Notice, actor: Any, note: str = "") -> Notice:
    with transaction.atomic():
        notice = moderation.move_notice(
            notice, [NoticeState.RECEIVED], NoticeState.TAKEN_DOWN, actor, "take_down", note
        )
        library.transition(
            notice.document_id, [Status.READY, Status.HELD, Status.QUEUED], Status.TAKEN_DOWN
        )
        _close_reports(notice.document_id, actor, note)
    reactions.taken_down(notice)
    return notice


def reject_notice(notice: Notice, actor: Any, note: str = "") -> Notice:
    with transaction.atomic():
        notice = moderation.move_notice(
            notice, [NoticeState.RECEIVED], NoticeState.REJECTED, actor, "reject_notice", note
        )
        _close_dispute(notice)
    reactions.dispute_ended(notice, kept=True)
    return notice


def counter_notice(notice: Notice, uploader: Any, statement: str, contact: str) -> Notice:
    notice = moderation.counter_notice(notice, uploader, statement, contact)
    reactions.countered(notice)
    return notice


def restore(notice: Notice, actor: Any, note: str = "") -> Notice:
    """After a counter-notice (or a mistaken takedown), the document is published again."""
    with transaction.atomic():
        notice = moderation.move_notice(
            notice,
            [NoticeState.COUNTER_NOTICED, NoticeState.TAKEN_DOWN],
            NoticeState.RESTORED,
            actor,
            "restore",
            note,
        )
        library.transition(notice.document_id, [Status.TAKEN_DOWN], Status.READY)
        _close_dispute(notice)
    reactions.restored(notice)
    reactions.dispute_ended(notice, kept=True)
    return notice


def uphold(notice: Notice, actor: Any, note: str = "") -> Notice:
    """The takedown stands (the counter-notice did not convince): the case is closed."""
    with transaction.atomic():
        notice = moderation.move_notice(
            notice,
            [NoticeState.COUNTER_NOTICED, NoticeState.TAKEN_DOWN],
            NoticeState.UPHELD,
            actor,
            "uphold",
            note,
        )
        _close_dispute(notice)
    reactions.dispute_ended(notice, kept=False)
    return notice


def _close_reports(document_id: int, actor: Any, note: str) -> None:
    moderation.close_reports(
        Report.objects.filter(document_id=document_id, state=CaseState.OPEN, comment_id=0),
        actor,
        CaseState.RESOLVED,
        note,
    )


def take_down_reported(document: Document, actor: Any, note: str) -> bool:
    """A moderator removes a reported document (not a copyright case): taken down, the
    open reports on it resolved."""
    with transaction.atomic():
        if not library.transition(document.pk, [Status.READY, Status.HELD], Status.TAKEN_DOWN):
            return False
        moderation.audit(actor, "take_down", document=document, note=note)
        _close_reports(document.pk, actor, note)
    reactions.removed(document.pk, note)
    return True


REPORT_ACTIONS = ("dismiss", "take_down", "remove_comment")


def handle_report(report: Report, action: str, actor: Any, note: str = "") -> bool:
    """A moderator's answer to an open report (``REPORT_ACTIONS``), audited: dismiss it,
    take the reported document down (its open reports resolved), or remove the reported
    comment. False when the report was handled meanwhile; ``NotAllowed`` when the action
    does not apply (an unknown one, or removing the comment of a document's report)."""
    if action not in REPORT_ACTIONS or (action == "remove_comment" and not report.comment_id):
        raise NotAllowed(_("This action does not apply to this report."))
    if report.state != CaseState.OPEN:
        return False
    if action == "dismiss":
        return bool(moderation.close_reports([report], actor, CaseState.DISMISSED, note))
    if action == "take_down":
        reason = note or str(report.get_reason_display())
        return take_down_reported(report.document, actor, reason)
    comment = Comment.objects.filter(pk=report.comment_id, document_id=report.document_id).first()
    with transaction.atomic():
        if comment is not None and community.remove_comment(comment):
            moderation.audit(actor, "remove_comment", document=report.document_id, report=report)
        moderation.close_reports([report], actor, CaseState.RESOLVED, note)
    return True


# --- the uploader


def delete(document: Document, user: Any) -> bool:
    """Soft delete: the document leaves every page; its file, fingerprint and reward
    history stay (re-uploading it earns nothing again)."""
    if document.owner_id != user.pk and not user.is_staff:
        raise NotAllowed
    with transaction.atomic():
        allowed = [s for s in Status.values if s != Status.DELETED]
        if not library.transition(document.pk, allowed, Status.DELETED):
            return False
        moderation.audit(user, "delete", document=document)
    reactions.withdrawn(document.pk)
    return True


def edit(document: Document, details: UploadDetails, user: Any) -> str:
    """The uploader changes the details. Banned words refuse the edit (block) or send a
    published document back to review (hold). Returns the document's status after it."""
    if document.owner_id != user.pk and not user.is_staff:
        raise NotAllowed
    found = words.find(details.title, details.description, " ".join(details.tags))
    if found.action == WordAction.BLOCK:
        raise NotAllowed(review.blocked_message())
    with transaction.atomic():
        library.update_details(document, details)
        if found.action == WordAction.HOLD and library.transition(
            document.pk, [Status.READY], Status.HELD
        ):
            moderation.record_review(
                document,
                state=ReviewState.PENDING,
                flags=["banned_words"],
                similarity=0.0,
                matches=[],
                reason=review.held_message(),
            )
    reactions.edited(document.pk)
    document.refresh_from_db(fields=["status"])
    return document.status
