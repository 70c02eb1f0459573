"""Writes of the economy that users, staff and the pipeline cause: rewards and VIP.

Downloads live in ``downloads``; every balance change goes through ``ledger.apply``.
Other apps call:

- ``on_account_verified(user)``: the sign-up bonus, once (accounts, on e-mail verification);
- ``daily_sign_in(user)``: the daily sign-in reward, once per local calendar day;
- ``reward_upload(document, known_content=…)``: the upload reward (``publishing``
  calls it when a document is published; when review lands, when it is approved).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from wenku.economy import ledger
from wenku.economy.models import Account, LedgerEntry, Reason, Rules, VipOrder, VipPlan
from wenku.economy.queries import rewards_today
from wenku.library.models import Document
from wenku.notifications.domain import notify
from wenku.notifications.models import Kind

log = logging.getLogger(__name__)

# Re-exported: callers of the domain meet these.
InsufficientPoints = ledger.InsufficientPoints


def _tell(user: Any, kind: Kind, code: str, params: dict[str, Any], **kwargs: Any) -> None:
    """A notification is stored as a code and parameters, worded when it is read (in the
    reader's language, not the one of the request that caused it)."""
    notify(user, kind, code=code, params=params, **kwargs)


# --- sign-up and sign-in


def on_account_verified(user: Any) -> None:
    """Grant the sign-up bonus, once per account (calling it again does nothing)."""
    bonus = Rules.current().signup_bonus
    if not bonus:
        return
    applied = ledger.apply(user.pk, bonus, Reason.SIGNUP_BONUS, ledger.signup_key(user.pk))
    if not applied.replayed:
        _tell(user, Kind.POINTS, "welcome_bonus", {"n": bonus}, url=_ledger_url())


def daily_sign_in(user: Any, now: datetime | None = None) -> LedgerEntry | None:
    """The daily sign-in reward: the new entry, or None if already claimed today
    (the site's calendar day, WENKU_TIME_ZONE) or the reward is 0."""
    reward = Rules.current().sign_in_reward
    if not reward:
        return None
    applied = ledger.apply(
        user.pk,
        reward,
        Reason.SIGN_IN,
        ledger.sign_in_key(user.pk, timezone.localdate(now or timezone.now())),
    )
    if applied.replayed:
        return None
    _tell(user, Kind.POINTS, "signed_in", {"n": reward}, url=_ledger_url())
    return applied.entry


# --- the upload reward


def reward_upload(document: Document, *, known_content: bool) -> LedgerEntry | None:
    """Reward the first uploader of content that is new to the site, once.

    Publishing calls it for the earliest upload of a newly published file, and says
    whether the site knew the content already (``known_content``: a near-duplicate of
    its text exists, an edited, re-saved or re-formatted copy). No reward then, nor when
    the file was rewarded before (keyed by its SHA-256, so deleting and uploading the
    same file again earns nothing), nor past the uploader's daily cap of rewarded
    uploads.
    """
    rules = Rules.current()
    if not rules.upload_reward or known_content:
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
            ledger.upload_key(document.conversion.sha256),
            document=document,
        )
    if applied.replayed:
        return None
    params = {"title": document.title, "n": rules.upload_reward}
    _tell(owner, Kind.POINTS, "upload_reward", params, document=document)
    return applied.entry


# --- VIP


def buy_vip(user: Any, plan: VipPlan, key: str = "", now: datetime | None = None) -> VipOrder:
    """Buy a plan with points: the membership is extended from its current end if active.

    The same ``key`` again returns the first order (charged once). Raises
    InsufficientPoints when the balance cannot pay; nothing changes then.
    """
    order_key = ledger.vip_order_key(user.pk, key)
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
                ledger.order_key(order.pk),
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
            user, days, VipOrder.Source.GRANT, ledger.once_key("grant"), now, by=by, note=note
        )
    end = timezone.localtime(order.ends_at).strftime("%Y-%m-%d %H:%M")
    _tell(user, Kind.POINTS, "vip_until", {"end": end}, url=_vip_url())
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
        user.pk, amount, Reason.ADMIN, ledger.once_key("admin"), note=(note + who).strip()
    )
    if amount > 0:
        _tell(user, Kind.POINTS, "points_added", {"n": amount}, url=_ledger_url())
    return applied.entry


def _ledger_url() -> str:
    from django.urls import reverse

    return reverse("economy:ledger")


def _vip_url() -> str:
    from django.urls import reverse

    return reverse("economy:vip")
