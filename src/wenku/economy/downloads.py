"""Download rules and downloads.

``quote`` says what a download would cost this reader and why (or why not) — the
document page, the confirmation page and the API show it before anything is charged;
``download`` decides again inside one transaction and records it:

- the reader's and the uploader's accounts are locked (and the client's address, on
  PostgreSQL), so the caps and the re-download window are decided race-free;
- a price is charged through ``ledger.apply`` (conditional update: never negative),
  the uploader gets their share of it, the rest is the site's commission;
- a download of a free (or VIP-covered) document earns its uploader a reward, once per
  reader and document, up to a daily cap;
- a client's idempotency key makes a retried request return its first outcome.

The file itself is fetched through a short-lived signed link (``links``).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from wenku.economy import ledger, links
from wenku.economy.models import COUNTED, Basis, Download, HeldEarning, Reason, Rules
from wenku.economy.queries import (
    VIP_PRICING,
    _signed_in,
    balance,
    download_record,
    downloads_today_of,
    is_vip,
    rewards_today,
)
from wenku.ingest.models import Status
from wenku.library import counters
from wenku.library.models import Document, Pricing
from wenku.moderation import penalties
from wenku.moderation.models import PenaltyKind
from wenku.notifications.domain import notify
from wenku.notifications.models import Kind

# Refusals and the HTTP status the API answers them with.
REFUSALS = {
    "not_ready": 404,
    "login_required": 401,
    "vip_required": 403,
    "insufficient_points": 402,
    "user_cap": 429,
    "ip_cap": 429,
    "key_reused": 409,
    "penalised": 403,
    "original_withheld": 403,
}


@dataclass(frozen=True)
class Quote:
    """What downloading ``document`` costs this reader now, and whether they may."""

    document: Document
    refusal: str  # "" when allowed (a short balance is not a refusal: see ``affordable``)
    cost: int
    basis: str  # a Basis value when allowed
    balance: int
    signed_in: bool
    window_hours: int
    redownload_until: datetime | None = None
    cap: int = 0  # the daily cap that was reached, for the message
    user: Any = None  # the reader (for a penalty's message)

    @property
    def allowed(self) -> bool:
        return not self.refusal

    @property
    def affordable(self) -> bool:
        return self.balance >= self.cost

    @property
    def per_visitor(self) -> bool:
        """Does it depend on this reader's own record (a daily cap reached from their
        address), so that a page showing it must not be shown to other guests?"""
        return self.refusal in ("ip_cap", "user_cap")

    @property
    def balance_after(self) -> int:
        return self.balance - self.cost

    @property
    def ok(self) -> bool:
        """May download now, and can pay."""
        return self.allowed and self.affordable

    @property
    def status(self) -> int:
        if self.refusal:
            return REFUSALS[self.refusal]
        return 200 if self.affordable else REFUSALS["insufficient_points"]

    @property
    def message(self) -> str:
        """One sentence for the reader: the refusal, or what it will cost and why."""
        if self.refusal:
            return refusal_message(self)
        if not self.affordable:
            return insufficient_message(self.cost, self.balance)
        return basis_message(self)


def refusal_message(q: Quote) -> str:
    if q.refusal == "login_required":
        return _("Log in to download this document.")
    if q.refusal == "vip_required":
        return _("This document is for VIP members only.")
    if q.refusal == "not_ready":
        return _("This document cannot be downloaded yet.")
    if q.refusal == "original_withheld":
        return _(
            "The original file contains macros (program code), so it is not offered for "
            "download; its pages can be read here."
        )
    if q.refusal == "user_cap":
        return ngettext(
            "You have reached today's limit of %(n)s download. Try again tomorrow.",
            "You have reached today's limit of %(n)s downloads. Try again tomorrow.",
            q.cap,
        ) % {"n": q.cap}
    if q.refusal == "ip_cap":
        return ngettext(
            "Your network has reached today's limit of %(n)s download. Try again tomorrow.",
            "Your network has reached today's limit of %(n)s downloads. Try again tomorrow.",
            q.cap,
        ) % {"n": q.cap}
    if q.refusal == "key_reused":
        return _("This request key was already used for a different download.")
    if q.refusal == "penalised":
        found = penalties.active(q.user, PenaltyKind.DOWNLOAD)
        return penalties.describe(found) if found else _("You may not download documents now.")
    return q.refusal


def insufficient_message(cost: int, have: int) -> str:
    return _(
        "This document costs %(cost)s points and your balance is %(balance)s points. "
        "Earn points by uploading documents and signing in daily."
    ) % {"cost": cost, "balance": have}


def basis_message(q: Quote) -> str:
    if q.basis == Basis.OWNER:
        return _("Free for you: your own upload.")
    if q.basis == Basis.STAFF:
        return _("Free for you: site staff.")
    if q.basis == Basis.VIP:
        return _("Free for you: VIP member.")
    if q.basis == Basis.REDOWNLOAD:
        return ngettext(
            "Free for you: re-download within %(n)s hour of your last download.",
            "Free for you: re-download within %(n)s hours of your last download.",
            q.window_hours,
        ) % {"n": q.window_hours}
    if q.basis in (Basis.FREE, Basis.GUEST):
        return _("Free document.")
    return _("%(cost)s points; your balance after the download: %(after)s points.") % {
        "cost": q.cost,
        "after": q.balance_after,
    }


class DownloadRefused(Exception):
    def __init__(self, quote: Quote) -> None:
        super().__init__(quote.refusal or "insufficient_points")
        self.quote = quote

    @property
    def code(self) -> str:
        return self.quote.refusal or "insufficient_points"


@dataclass(frozen=True)
class Grant:
    """A recorded download and the signed link that fetches its file."""

    download: Download
    cost: int
    basis: str
    balance: int  # the reader's balance after it
    link: links.Link
    replayed: bool = False


def quote(
    user: Any,
    document: Document,
    ip: str | None = None,
    *,
    rules: Rules | None = None,
    now: datetime | None = None,
) -> Quote:
    """The rules, in order: ready? owner/staff free; re-download within the window free;
    guests only free documents (if the site allows); VIP-only needs a membership; VIP
    documents free for members; otherwise the price; then the daily caps."""
    rules = rules or Rules.current()
    now = now or timezone.now()
    signed_in = _signed_in(user)
    have = balance(user) if signed_in else 0
    base = Quote(document, "", 0, "", have, signed_in, rules.redownload_window_hours)
    if document.status != Status.READY:
        return replace(base, refusal="not_ready")
    if document.conversion.macros:
        return replace(base, refusal="original_withheld")
    if signed_in and (user.pk == document.owner_id or user.is_staff):
        return replace(base, basis=Basis.OWNER if user.pk == document.owner_id else Basis.STAFF)
    if signed_in and penalties.active(user, PenaltyKind.DOWNLOAD, now) is not None:
        return replace(base, refusal="penalised", user=user)
    if not signed_in:
        if document.pricing != Pricing.FREE or not rules.guests_may_download_free:
            return replace(base, refusal="login_required")
        return _capped(replace(base, basis=Basis.GUEST), rules, None, ip, now)
    priced = _price(user, document, now)
    if rules.redownload_window_hours:
        since = now - timedelta(hours=rules.redownload_window_hours)
        granted = download_record(user.pk, document.pk)[1]
        if granted is not None and granted >= since:
            until = granted + timedelta(hours=rules.redownload_window_hours)
            again = replace(base, basis=Basis.REDOWNLOAD, redownload_until=until)
            return _capped(again, rules, user, ip, now)
    if isinstance(priced, str):
        return replace(base, refusal=priced)
    cost, basis = priced
    return _capped(replace(base, cost=cost, basis=basis), rules, user, ip, now)


def _price(user: Any, document: Document, now: datetime) -> tuple[int, str] | str:
    return price_for(document, vip=is_vip(user, now))


def price_for(document: Document, *, vip: bool) -> tuple[int, str] | str:
    """(cost, basis) by the document's pricing for a member or not, or a refusal."""
    pricing, price = document.pricing, document.price
    if pricing in VIP_PRICING and vip:
        return 0, Basis.VIP
    if pricing == Pricing.VIP_ONLY:
        return "vip_required"
    if pricing == Pricing.FREE or price == 0:
        return 0, Basis.FREE
    return price, Basis.PAID


def _capped(q: Quote, rules: Rules, user: Any, ip: str | None, now: datetime) -> Quote:
    user_cap, ip_cap = rules.user_daily_downloads, rules.ip_daily_downloads
    mine, address = downloads_today_of(
        user if user_cap else None, ip if ip_cap else None, now
    )  # both caps in one query
    if user is not None and user_cap and mine >= user_cap:
        return replace(q, refusal="user_cap", cap=user_cap)
    if ip and ip_cap and address >= ip_cap:
        return replace(q, refusal="ip_cap", cap=ip_cap)
    return q


def download(
    user: Any,
    document: Document,
    ip: str | None = None,
    key: str = "",
    *,
    now: datetime | None = None,
) -> Grant:
    """Record a download and charge for it, all or nothing; raise DownloadRefused.

    ``key`` (a client's idempotency key, e.g. the confirmation form's token or an API
    ``Idempotency-Key``) makes a retry return the first outcome instead of a new charge.
    """
    signed_in = _signed_in(user)
    scoped = _scoped_key(user if signed_in else None, ip, key)
    rules = Rules.current()
    try:
        with transaction.atomic():
            if signed_in:
                ledger.lock_accounts([user.pk, document.owner_id])
            if ip and rules.ip_daily_downloads:
                # An exact cap per address serialises that address's downloads (PostgreSQL;
                # SQLite's writers take turns anyway): only when the site has such a cap.
                ledger.lock_key(f"download-ip:{ip}")
            previous = Download.objects.filter(idempotency_key=scoped).first() if scoped else None
            if previous is not None:
                return _replay(previous, user, document, now)
            return _record(user if signed_in else None, document, ip, scoped, rules, now)
    except IntegrityError:
        previous = Download.objects.filter(idempotency_key=scoped).first() if scoped else None
        if previous is None:
            raise
        return _replay(previous, user, document, now)


def _scoped_key(user: Any, ip: str | None, key: str) -> str | None:
    if not key:
        return None
    who = f"u{user.pk}" if user is not None else f"ip{ip}"
    return hashlib.sha256(f"{who}:{key}".encode()).hexdigest()


def _record(
    user: Any,
    document: Document,
    ip: str | None,
    key: str | None,
    rules: Rules,
    now: datetime | None,
) -> Grant:
    now = now or timezone.now()
    q = quote(user, document, ip, rules=rules, now=now)
    if not q.ok:
        raise DownloadRefused(q)
    counted = q.basis in COUNTED
    row = Download.objects.create(
        user=user,
        document=document,
        category_id=document.category_id,
        ip=ip,
        price=q.cost,
        basis=q.basis,
        counted=counted,
        idempotency_key=key,
        created_at=now,
    )
    have, earned = q.balance, 0
    if q.cost:
        try:
            charged = ledger.apply(
                user.pk,
                -q.cost,
                Reason.DOWNLOAD,
                ledger.download_key(row.pk),
                document=document,
                download=row,
                fresh=True,
            )
        except ledger.InsufficientPoints as exc:
            raise DownloadRefused(replace(q, balance=exc.balance)) from None
        have = charged.entry.balance_after
        earned = q.cost * rules.uploader_share_percent // 100
        if earned and document.disputed:
            _hold(document, row, earned, Reason.SALE_SHARE, ledger.sale_key(row.pk))
        elif earned:
            ledger.apply(
                document.owner_id,
                earned,
                Reason.SALE_SHARE,
                ledger.sale_key(row.pk),
                document=document,
                download=row,
                fresh=True,
            )
    elif counted and user is not None:
        earned = _free_download_reward(user, document, row, rules, now)
    if counted:
        counters.add(document.pk, timezone.localdate(now), downloads=1)
        _tell_owner(document, earned)
    return Grant(row, q.cost, q.basis, have, links.link(row))


def _free_download_reward(
    user: Any, document: Document, row: Download, rules: Rules, now: datetime
) -> int:
    """Points for the uploader, once per reader and document, up to a daily cap."""
    reward, cap = rules.free_download_reward, rules.free_download_reward_daily_cap
    if not reward:
        return 0
    if cap and rewards_today(document.owner_id, Reason.FREE_DOWNLOAD_REWARD, now) >= cap:
        return 0
    key = ledger.free_download_key(document.pk, user.pk)
    if document.disputed:
        return _hold(document, row, reward, Reason.FREE_DOWNLOAD_REWARD, key)
    applied = ledger.apply(
        document.owner_id,
        reward,
        Reason.FREE_DOWNLOAD_REWARD,
        ledger.free_download_key(document.pk, user.pk),
        document=document,
        download=row,
    )
    return 0 if applied.replayed else reward


def _hold(document: Document, row: Download, amount: int, reason: str, key: str) -> int:
    """A disputed document's earning is held until the dispute ends (``domain.release_held``);
    the uploader is told nothing was paid yet."""
    if HeldEarning.objects.filter(key=key).exists():
        return 0
    HeldEarning.objects.create(
        user_id=document.owner_id,
        document=document,
        download=row,
        amount=amount,
        reason=reason,
        key=key,
    )
    return 0


def _tell_owner(document: Document, earned: int) -> None:
    """Worded when read, in the uploader's language (a code and its parameters)."""
    params: dict[str, Any] = {"title": document.title, "n": earned}
    code = "downloaded_points" if earned else "downloaded"
    notify(document.owner, Kind.DOWNLOAD, code=code, params=params, document=document)


def _replay(previous: Download, user: Any, document: Document, now: datetime | None) -> Grant:
    """The first outcome of a repeated request (with a fresh link while it may be fetched),
    unless what stops any download stops this one now: the document was taken down or
    its original withheld, or the reader was penalised since (a retry signs a new link)."""
    current = quote(user, document, now=now)
    if current.refusal in ("not_ready", "original_withheld", "penalised"):
        raise DownloadRefused(current)
    rules = Rules.current()
    age = (now or timezone.now()) - previous.created_at
    usable = max(timedelta(hours=rules.redownload_window_hours), links.lifetime())
    if previous.document_id != document.pk or age > usable:
        q = Quote(document, "key_reused", 0, "", balance(user), True, rules.redownload_window_hours)
        raise DownloadRefused(q)
    have = balance(user) if _signed_in(user) else 0
    return Grant(previous, previous.price, previous.basis, have, links.link(previous), True)
