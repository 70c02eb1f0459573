"""Moderation's writes: review records, reports, notices, penalties — each moderator's
step also written to the append-only audit log.

These record decisions; what a decision *does* to a document (its status, the search
index, the reward, notifications) is publishing's (``publishing.decisions``), which
calls these inside its transactions.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable, Sequence
from datetime import timedelta
from pathlib import Path
from typing import IO, Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from wenku.config import conf
from wenku.core import ratelimit
from wenku.core.storage import get_storage
from wenku.library import domain as library
from wenku.library.models import Document, DocumentStatus
from wenku.moderation.models import (
    OPEN_NOTICE_STATES,
    AuditEntry,
    CaseState,
    Notice,
    NoticeState,
    Penalty,
    PenaltyKind,
    Policy,
    Report,
    ReportReason,
    Review,
    ReviewMode,
    ReviewState,
)

MAX_PROOF_BYTES = 10 * 1024 * 1024
_URL = re.compile(r"https?://\S+")


class Invalid(ValueError):
    """A report or notice cannot be accepted; ``field`` names what is wrong."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


class Conflict(Exception):
    """The case is no longer in a state that allows this step (someone else acted)."""


def audit(
    actor: Any,
    action: str,
    *,
    document: Document | int | None = None,
    notice: Notice | None = None,
    report: Report | None = None,
    subject: Any = None,
    note: str = "",
    **data: Any,
) -> AuditEntry:
    document_id = document if isinstance(document, int) or document is None else document.pk
    return AuditEntry.objects.create(
        actor=actor if getattr(actor, "pk", None) else None,
        action=action,
        document_id=document_id,
        notice=notice,
        report=report,
        subject=subject,
        note=note,
        data=data,
    )


# --- who is reviewed


def needs_review(user: Any, policy: Policy | None = None) -> bool:
    """Does the site's policy review this uploader's uploads (before any flag)?"""
    policy = policy or Policy.current()
    if user.is_staff or policy.review == ReviewMode.NOBODY:
        return False
    if policy.review == ReviewMode.EVERYONE:
        return True
    published = Document.objects.public().filter(owner=user).count()
    return published < policy.trusted_after


# --- review records


def record_review(
    document: Document,
    *,
    state: str,
    flags: Sequence[str],
    similarity: float,
    matches: Sequence[Sequence[Any]],
    reason: str = "",
    flagged: bool = False,
) -> Review:
    review, _created = Review.objects.update_or_create(
        document=document,
        defaults={
            "state": state,
            "flags": list(flags),
            "similarity": round(similarity, 4),
            "matches": [list(m) for m in matches],
            "reason": reason,
            "flagged": flagged,
            "decided_by": None,
            "decided_at": None,
            "created_at": timezone.now(),
        },
    )
    return review


def decide_review(document_id: int, state: str, actor: Any, reason: str = "") -> Review:
    """A moderator's decision on a held upload (approve or reject), audited."""
    review, _created = Review.objects.get_or_create(document_id=document_id)
    review.state = state
    review.reason = reason
    review.flagged = False
    review.decided_by = actor
    review.decided_at = timezone.now()
    review.save()
    action = "approve" if state == ReviewState.APPROVED else "reject"
    audit(actor, action, document=document_id, note=reason)
    return review


def clear_flag(document_id: int, actor: Any) -> None:
    if Review.objects.filter(document_id=document_id, flagged=True).update(flagged=False):
        audit(actor, "clear_flag", document=document_id)


# --- reports


def file_report(
    reporter: Any,
    document: Document,
    reason: str,
    details: str = "",
    *,
    comment_id: int = 0,
    comment_excerpt: str = "",
    ip: str | None = None,
) -> tuple[Report, bool]:
    """A 举报 (not copyright: that is a notice). One open report per reporter, target and
    reason: reporting again returns the first, (report, False). Rate-limited per reporter
    and per client address ``ip``."""
    if reason not in ReportReason.values or reason == ReportReason.COPYRIGHT:
        raise Invalid("reason", _("Choose a reason."))
    details = (details or "").strip()
    if len(details) > 2000:
        raise Invalid("details", _("At most 2,000 characters."))
    existing = Report.objects.filter(
        reporter=reporter,
        document=document,
        comment_id=comment_id,
        reason=reason,
        state=CaseState.OPEN,
    ).first()
    if existing is not None:
        return existing, False
    _limit(reporter, ip)
    try:
        with transaction.atomic():
            report = Report.objects.create(
                reporter=reporter,
                document=document,
                comment_id=comment_id,
                comment_excerpt=comment_excerpt[:500],
                reason=reason,
                details=details,
            )
    except IntegrityError:  # the same report, filed at the same moment
        found = Report.objects.get(
            reporter=reporter,
            document=document,
            comment_id=comment_id,
            reason=reason,
            state=CaseState.OPEN,
        )
        return found, False
    return report, True


def _limit(reporter: Any, ip: str | None) -> None:
    """Reports and notices share one count per reporter and one per client address."""
    ratelimit.enforce("report", str(reporter.pk), conf().rate_report)
    if ip:
        ratelimit.enforce("report-ip", ip, conf().rate_report_ip)


def close_reports(reports: Iterable[Report], actor: Any, state: str, resolution: str = "") -> int:
    closed = 0
    for report in reports:
        done = Report.objects.filter(pk=report.pk, state=CaseState.OPEN).update(
            state=state, handled_by=actor, handled_at=timezone.now(), resolution=resolution
        )
        if done:
            closed += 1
            action = "resolve_report" if state == CaseState.RESOLVED else "dismiss_report"
            audit(actor, action, document=report.document_id, report=report, note=resolution)
    return closed


# --- copyright notices


def file_notice(
    reporter: Any,
    document: Document,
    *,
    claimant_name: str,
    claimant_identity: str,
    contact: str,
    work: str,
    proof_links: str = "",
    proof: IO[bytes] | None = None,
    proof_name: str = "",
    ip: str | None = None,
) -> tuple[Notice, bool]:
    """A copyright notice: the claimant's name, identity and contact, the work claimed and
    proof (a file or links) are all required. One open notice per reporter and document."""
    fields = {
        "claimant_name": (claimant_name or "").strip()[:200],
        "claimant_identity": (claimant_identity or "").strip()[:200],
        "contact": (contact or "").strip()[:200],
        "work": (work or "").strip()[:2000],
    }
    messages = {
        "claimant_name": _("Give the name of the rights holder."),
        "claimant_identity": _("Give an ID card or organisation registration number."),
        "contact": _("Give a phone number or an e-mail address."),
        "work": _("Describe the work you hold the rights to."),
    }
    for name, value in fields.items():
        if not value:
            raise Invalid(name, messages[name])
    links = "\n".join(_URL.findall(proof_links or ""))[:2000]
    if not links and proof is None:
        raise Invalid("proof", _("Attach proof of your rights, or give links to it."))
    existing = Notice.objects.filter(
        reporter=reporter, document=document, state__in=OPEN_NOTICE_STATES
    ).first()
    if existing is not None:
        return existing, False
    _limit(reporter, ip)
    key, name = "", ""
    if proof is not None:
        data = proof.read(MAX_PROOF_BYTES + 1)
        if len(data) > MAX_PROOF_BYTES:
            raise Invalid("proof", _("The proof file is larger than 10 MB."))
        name = Path(proof_name or "proof").name[:255]
        key = f"notices/{uuid.uuid4().hex}/proof"
        get_storage().put_bytes(key, data)
    with transaction.atomic():
        notice = Notice.objects.create(
            document=document,
            reporter=reporter,
            proof_links=links,
            proof_key=key,
            proof_name=name,
            **fields,
        )
        # Disputed from now until the notice is resolved: the uploader's earnings are held.
        library.set_disputed(document.pk, True)
        audit(reporter, "notice_received", document=document, notice=notice)
    return notice, True


def move_notice(
    notice: Notice, allowed: Sequence[str], to: str, actor: Any, action: str, note: str = ""
) -> Notice:
    """One step of a notice (conditional: raises Conflict if it moved meanwhile), audited."""
    moved = Notice.objects.filter(pk=notice.pk, state__in=list(allowed)).update(
        state=to, updated_at=timezone.now()
    )
    if not moved:
        raise Conflict(_("This notice was handled meanwhile."))
    notice.refresh_from_db()
    audit(actor, action, document=notice.document_id, notice=notice, note=note)
    return notice


def counter_notice(notice: Notice, uploader: Any, statement: str, contact: str) -> Notice:
    """The uploader's counter-notice on a taken-down document (art. 16): a statement that
    the document does not infringe, and how to reach them."""
    statement, contact = (statement or "").strip(), (contact or "").strip()
    if notice.document.owner_id != uploader.pk:
        raise Invalid("statement", _("Only the uploader can answer this notice."))
    if len(statement) < 10:
        raise Invalid("statement", _("Explain why the document does not infringe."))
    if not contact:
        raise Invalid("contact", _("Give a phone number or an e-mail address."))
    with transaction.atomic():
        Notice.objects.filter(pk=notice.pk).update(
            counter_statement=statement[:5000],
            counter_contact=contact[:200],
            counter_at=timezone.now(),
        )
        return move_notice(
            notice,
            [NoticeState.TAKEN_DOWN],
            NoticeState.COUNTER_NOTICED,
            uploader,
            "counter_notice",
            statement[:500],
        )


def open_notices(document_id: int) -> bool:
    return Notice.objects.filter(document_id=document_id, state__in=OPEN_NOTICE_STATES).exists()


def close_dispute(document_id: int) -> None:
    """The document is no longer disputed once no notice about it is open."""
    if not open_notices(document_id):
        library.set_disputed(document_id, False)


# --- penalties


def penalise(user: Any, kind: str, hours: int, reason: str, actor: Any) -> Penalty:
    if kind not in PenaltyKind.values:
        raise Invalid("kind", _("Choose a penalty."))
    if hours <= 0:
        raise Invalid("hours", _("Give a duration."))
    penalty = Penalty.objects.create(
        user=user,
        kind=kind,
        until=timezone.now() + timedelta(hours=hours),
        reason=(reason or "").strip()[:1000],
        created_by=actor,
    )
    audit(actor, "penalise", subject=user, note=penalty.reason, kind=kind, hours=hours)
    return penalty


def lift_penalty(penalty: Penalty, actor: Any) -> None:
    if Penalty.objects.filter(pk=penalty.pk, lifted_at=None).update(lifted_at=timezone.now()):
        audit(actor, "lift_penalty", subject=penalty.user, kind=penalty.kind)


def uploader_history(user: Any) -> dict[str, int]:
    """What a moderator wants to know about an uploader: their documents by state, open
    reports against them, penalties."""
    counts = {s: 0 for s in DocumentStatus.values}
    for status in Document.objects.filter(owner=user).values_list("status", flat=True):
        counts[status] = counts.get(status, 0) + 1
    counts["reports"] = Report.objects.filter(document__owner=user).count()
    counts["notices"] = Notice.objects.filter(document__owner=user).count()
    counts["penalties"] = Penalty.objects.filter(user=user).count()
    return counts


# --- what the uploader is told (我的上传 and ``GET /me/documents`` alike)


def uploader_reason(doc: Document) -> str:
    """Why a document is where it is, in the words the uploader sees: the conversion's
    failure, or the review's reason while held or rejected (``review`` preloaded)."""
    if doc.status == DocumentStatus.FAILED:
        return doc.failure_reason
    review = getattr(doc, "review", None)
    if review is not None and doc.status in (DocumentStatus.HELD, DocumentStatus.REJECTED):
        return review.reason
    return ""


def answerable_notices(documents: Iterable[Document]) -> dict[int, int]:
    """Document id → the notice its uploader may answer with a counter-notice (taken down
    on that notice)."""
    taken_down = [d for d in documents if d.status == DocumentStatus.TAKEN_DOWN]
    if not taken_down:
        return {}
    rows = Notice.objects.filter(document__in=taken_down, state=NoticeState.TAKEN_DOWN)
    return dict(rows.values_list("document_id", "pk"))
