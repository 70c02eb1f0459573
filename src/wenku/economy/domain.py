"""Writes of the economy that users, staff and the pipeline cause: rewards and VIP.

Downloads live in ``downloads``; every balance change goes through ``ledger.apply``.
Other apps call:

- ``on_account_verified(user)``: the sign-up bonus, once (accounts, on e-mail verification);
- ``daily_sign_in(user)``: the daily sign-in reward, once per local calendar day;
- ``on_document_published(conversion)``: the upload reward (the ingest Publish stage;
  when review lands, approving a document calls it instead).
"""

from __future__ import annotations

import logging
import uuid
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from wenku.economy import ledger
from wenku.economy.models import Account, LedgerEntry, Reason, Rules, VipOrder, VipPlan
from wenku.economy.queries import rewards_today
from wenku.ingest.models import Conversion, Status
from wenku.library.models import Document
from wenku.notifications.domain import notify
from wenku.notifications.models import Kind

log = logging.getLogger(__name__)

# Re-exported: callers of the domain meet these.
InsufficientPoints = ledger.InsufficientPoints


def _tell(user: Any, kind: Kind, text: str, **kwargs: Any) -> None:
    """Notifications are stored in the site's language (they are read later, by someone else)."""
    notify(user, kind, text=text, **kwargs)


def _site_language() -> translation.override:
    return translation.override(settings.LANGUAGE_CODE)


# --- sign-up and sign-in


def on_account_verified(user: Any) -> None:
    """Grant the sign-up bonus, once per account (calling it again does nothing)."""
    bonus = Rules.current().signup_bonus
    if not bonus:
        return
    applied = ledger.apply(user.pk, bonus, Reason.SIGNUP_BONUS, f"signup:{user.pk}")
    if not applied.replayed:
        with _site_language():
            text = _("Welcome! Sign-up bonus: +%(n)s points.") % {"n": bonus}
        _tell(user, Kind.POINTS, text, url=_ledger_url())


def sign_in_key(user: Any, now: datetime | None = None) -> str:
    return f"sign-in:{user.pk}:{timezone.localdate(now or timezone.now()).isoformat()}"


def daily_sign_in(user: Any, now: datetime | None = None) -> LedgerEntry | None:
    """The daily sign-in reward: the new entry, or None if already claimed today
    (the site's calendar day, WENKU_TIME_ZONE) or the reward is 0."""
    reward = Rules.current().sign_in_reward
    if not reward:
        return None
    applied = ledger.apply(
        user.pk, reward, Reason.SIGN_IN, sign_in_key(user, now), note=_("daily sign-in")
    )
    if applied.replayed:
        return None
    with _site_language():
        text = _("Daily sign-in: +%(n)s points.") % {"n": reward}
    _tell(user, Kind.POINTS, text, url=_ledger_url())
    return applied.entry


# --- the upload reward


def on_document_published(conversion: Conversion) -> LedgerEntry | None:
    """Reward the first uploader of content that is new to the site, once.

    Called after a conversion's documents are published. This is where review plugs in:
    when uploads are moderated, call it when a document is approved instead. No reward
    when the content was rewarded before (keyed by the file's SHA-256, so deleting and
    uploading the same file again earns nothing) or when a near-duplicate of its text
    exists (``search.fingerprint``: an edited, re-saved or re-formatted copy), or when the
    uploader reached today's cap of rewarded uploads.
    """
    rules = Rules.current()
    if not rules.upload_reward:
        return None
    document = (
        Document.objects.filter(conversion=conversion, status=Status.READY)
        .select_related("owner")
        .order_by("created_at", "pk")
        .first()
    )
    if document is None or is_known_content(conversion):
        return None
    owner = document.owner
    with transaction.atomic():
        ledger.lock_accounts([owner.pk])
        cap = rules.upload_reward_daily_cap
        if cap and rewards_today(owner.pk, Reason.UPLOAD_REWARD) >= cap:
            return None
        applied = ledger.apply(
            owner.pk,
            rules.upload_reward,
            Reason.UPLOAD_REWARD,
            f"upload:{conversion.sha256}",
            document=document,
        )
    if applied.replayed:
        return None
    with _site_language():
        text = _("Upload reward for “%(title)s”: +%(n)s points.") % {
            "title": document.title,
            "n": rules.upload_reward,
        }
    _tell(owner, Kind.POINTS, text, document=document)
    return applied.entry


def is_known_content(conversion: Conversion) -> bool:
    """Has the site seen this text before, in another file (any status, even deleted)?

    Text-less files (scans) have no words to compare; only their bytes are checked
    (by the reward's key).
    """
    from wenku.search.fingerprint import similar_conversions

    return bool(similar_conversions(conversion.pk))


def after_publish(conversion_id: int) -> None:
    """The ingest pipeline's hook: reward the upload; a failure here never fails ingest."""
    try:
        conversion = Conversion.objects.get(pk=conversion_id)
        on_document_published(conversion)
    except Exception:  # the document is published whatever happens to its reward
        log.exception("upload reward for conversion %s failed", conversion_id)


# --- VIP


def buy_vip(user: Any, plan: VipPlan, key: str = "", now: datetime | None = None) -> VipOrder:
    """Buy a plan with points: the membership is extended from its current end if active.

    The same ``key`` again returns the first order (charged once). Raises
    InsufficientPoints when the balance cannot pay; nothing changes then.
    """
    order_key = f"vip:{user.pk}:{key or uuid.uuid4().hex}"
    with transaction.atomic():
        ledger.lock_accounts([user.pk])
        existing = VipOrder.objects.filter(idempotency_key=order_key).first()
        if existing is not None:
            return existing
        order = _extend(
            user, plan.days, VipOrder.Source.PURCHASE, order_key, now, plan=plan, price=plan.price
        )
        if plan.price:
            ledger.apply(
                user.pk,
                -plan.price,
                Reason.VIP_PURCHASE,
                f"order:{order.pk}",
                order=order,
                note=plan.name,
            )
    return order


def grant_vip(
    user: Any, days: int, by: Any = None, note: str = "", now: datetime | None = None
) -> VipOrder:
    """Staff grant a membership (no points); it stacks like a purchase."""
    if days <= 0:
        raise ValueError("days must be positive")
    with transaction.atomic():
        ledger.lock_accounts([user.pk])
        order = _extend(
            user, days, VipOrder.Source.GRANT, f"grant:{uuid.uuid4().hex}", now, by=by, note=note
        )
    with _site_language():
        text = _("You are a VIP member until %(end)s.") % {
            "end": timezone.localtime(order.ends_at).strftime("%Y-%m-%d %H:%M")
        }
    _tell(user, Kind.POINTS, text, url=_vip_url())
    return order


def _extend(
    user: Any,
    days: int,
    source: str,
    key: str,
    now: datetime | None,
    *,
    plan: VipPlan | None = None,
    price: int = 0,
    by: Any = None,
    note: str = "",
) -> VipOrder:
    """Add ``days`` after the current end (or from now, if not a member). Accounts locked."""
    now = now or timezone.now()
    current = Account.objects.filter(user_id=user.pk).values_list("vip_until", flat=True).get()
    starts = current if current is not None and current > now else now
    ends = starts + timedelta(days=days)
    Account.objects.filter(user_id=user.pk).update(vip_until=ends)
    return VipOrder.objects.create(
        user=user,
        plan=plan,
        source=source,
        days=days,
        price=price,
        starts_at=starts,
        ends_at=ends,
        granted_by=by,
        note=note[:200],
        idempotency_key=key,
    )


# --- staff


def adjust(user: Any, amount: int, by: Any = None, note: str = "") -> LedgerEntry:
    """A correction by staff (positive or negative; never below zero)."""
    who = f" ({by})" if by is not None else ""
    applied = ledger.apply(
        user.pk, amount, Reason.ADMIN, f"admin:{uuid.uuid4().hex}", note=(note + who).strip()
    )
    if amount > 0:
        with _site_language():
            text = _("The site added %(n)s points to your balance.") % {"n": amount}
        _tell(user, Kind.POINTS, text, url=_ledger_url())
    return applied.entry


def _ledger_url() -> str:
    from django.urls import reverse

    return reverse("economy:ledger")


def _vip_url() -> str:
    from django.urls import reverse

    return reverse("economy:vip")
