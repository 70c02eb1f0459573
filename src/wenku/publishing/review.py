"""The review decision for a converted upload: publish it, hold it for a moderator, or
refuse it — search's originality result combined with moderation's policy, flags and
banned words. Publishing takes it after the fingerprint stage (``decisions.settle``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from wenku.ingest.models import Conversion, Page
from wenku.library.models import Document, DocumentStatus
from wenku.moderation import domain as moderation
from wenku.moderation import flags as autoflags
from wenku.moderation import words
from wenku.moderation.models import Policy, ReviewState, WordAction
from wenku.search import originality
from wenku.search.originality import Match, Originality


@dataclass
class Verdict:
    status: str  # DocumentStatus: ready, held or rejected
    reason: str = ""  # what the uploader is told (site language)
    flags: list[str] = field(default_factory=list)
    found: Originality = field(default_factory=Originality)
    flagged: bool = False  # published, but worth a moderator's look

    @property
    def review_state(self) -> str:
        return {
            DocumentStatus.READY: ReviewState.PUBLISHED,
            DocumentStatus.HELD: ReviewState.PENDING,
        }.get(DocumentStatus(self.status), ReviewState.REJECTED)

    @property
    def junk(self) -> bool:
        return autoflags.is_junk(self.flags)


def decide(
    document: Document,
    conversion: Conversion,
    earlier: Sequence[tuple[Document, Verdict]] = (),
    policy: Policy | None = None,
) -> Verdict:
    """What becomes of ``document`` now that ``conversion`` (its counts known, perhaps not
    saved yet) is ready. ``earlier``: the verdicts of other uploads of the same file
    decided in the same publish."""
    policy = policy or Policy.current()
    texts = list(
        Page.objects.filter(conversion_id=document.conversion_id)
        .order_by("number")
        .values_list("text", flat=True)
    )
    tags = [t.name for t in document.tags.all()]
    flags = autoflags.compute(
        title=document.title,
        description=document.description,
        tags=tags,
        size=document.size,
        pages=texts,
        char_count=conversion.char_count or 0,
        policy=policy,
    )
    found = originality.check(document, policy.flag_similarity)
    for sibling, verdict in earlier:
        if verdict.status in (DocumentStatus.READY, DocumentStatus.HELD):
            found.matches.insert(0, Match(_as_status(sibling, verdict.status), 1.0, "file"))
    banned = words.find(document.title, document.description, " ".join(tags), "\n".join(texts))
    with translation.override(settings.LANGUAGE_CODE):
        verdict = _verdict(document, found, flags, banned, policy)
    verdict.flags, verdict.found = flags, found
    return verdict


def after_new_text(document: Document, policy: Policy | None = None) -> Verdict | None:
    """New text arrived after ``document`` was published (OCR read its scanned pages): is
    it to be held now? When its text holds a banned word (block or hold alike: a machine
    reading may be wrong, so a moderator decides), or copies — at the hold threshold — a
    document published before it or taken down. None: it stays published."""
    policy = policy or Policy.current()
    texts = list(
        Page.objects.filter(conversion_id=document.conversion_id)
        .order_by("number")
        .values_list("text", flat=True)
    )
    banned = words.find("\n".join(texts))
    found = originality.check(document, policy.flag_similarity)
    copied = [
        m
        for m in found.at_least(policy.hold_similarity)
        if m.document.status == DocumentStatus.TAKEN_DOWN or _earlier(m.document, document)
    ]
    with translation.override(settings.LANGUAGE_CODE):
        if banned.action in (WordAction.BLOCK, WordAction.HOLD):
            verdict = _held(_("It contains words that a moderator must check."))
        elif copied:
            verdict = _held(
                _("It is %(p)s%% similar to “%(title)s”.")
                % {"p": round(copied[0].similarity * 100), "title": copied[0].document.title}
            )
        else:
            return None
    verdict.flags = autoflags.compute(
        title=document.title,
        description=document.description,
        tags=[t.name for t in document.tags.all()],
        size=document.size,
        pages=texts,
        char_count=document.char_count or 0,
        policy=policy,
    )
    verdict.found = found
    return verdict


def _earlier(other: Document, document: Document) -> bool:
    """Was ``other`` published before ``document`` (the original, not a later copy)?"""
    if other.status != DocumentStatus.READY or other.published_at is None:
        return False
    if document.published_at is None:
        return True
    return (other.published_at, other.pk) < (document.published_at, document.pk)


def _as_status(document: Document, status: str) -> Document:
    document.status = status
    return document


def _verdict(
    document: Document,
    found: Originality,
    flags: list[str],
    banned: words.Found,
    policy: Policy,
) -> Verdict:
    exact = [m for m in found.matches if m.exact]
    near = found.at_least(policy.hold_similarity)
    taken_down = [m for m in near if m.document.status == DocumentStatus.TAKEN_DOWN]
    if any(m.exact for m in taken_down):
        return Verdict(
            DocumentStatus.REJECTED,
            _("This content was taken down after a copyright notice and cannot be uploaded again."),
        )
    if banned.action == WordAction.BLOCK:
        return Verdict(DocumentStatus.REJECTED, _("It contains words that are not allowed here."))
    published = [m for m in exact if m.document.status == DocumentStatus.READY]
    if published and policy.refuse_exact_copies:
        return Verdict(DocumentStatus.REJECTED, refusal(document, published[0].document))
    if taken_down:
        return _held(_("It is similar to a document taken down after a copyright notice."))
    if near:
        best = near[0]
        return _held(
            _("It is %(p)s%% similar to “%(title)s”.")
            % {"p": round(best.similarity * 100), "title": best.document.title}
        )
    if banned.action == WordAction.HOLD:
        return _held(_("It contains words that a moderator must check."))
    if policy.hold_junk and autoflags.is_junk(flags):
        labels = "、".join(autoflags.labels([f for f in flags if f in autoflags.JUNK]))
        return _held(_("It looks empty or incomplete (%(flags)s).") % {"flags": labels})
    if moderation.needs_review(document.owner, policy):
        return _held(_("New uploads are reviewed before they are published."))
    flagged = bool(flags) or found.best >= policy.flag_similarity
    return Verdict(DocumentStatus.READY, flagged=flagged)


def _held(reason: str) -> Verdict:
    return Verdict(DocumentStatus.HELD, _("Held for review: %(reason)s") % {"reason": reason})


def refusal(document: Document, original: Document) -> str:
    """Why an exact copy is refused, with a link to the original (the uploader's own
    copy: 您已上传过该文档)."""
    if original.owner_id == document.owner_id:
        text = _("You have already uploaded this document: “%(title)s” %(url)s")
    else:
        text = _("An identical document is already published: “%(title)s” %(url)s")
    return text % {"title": original.title, "url": original.get_absolute_url()}


def blocked_message() -> str:
    return _("It contains words that are not allowed here.")


def held_message() -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return _("Held for review: %(reason)s") % {
            "reason": _("It contains words that a moderator must check.")
        }
