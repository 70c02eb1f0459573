"""Reading the economy: balances, memberships, entitlements, feeds, personal lists.

Views, the API, templates and other apps read through these; nothing here writes.
"""

from __future__ import annotations

import functools
import operator
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum, Value
from django.utils import timezone

from wenku.core import readscope
from wenku.core.prepared import DATETIME, INT, IP, Prepared
from wenku.economy.ledger import sign_in_key
from wenku.economy.models import (
    COUNTED,
    Account,
    Basis,
    Download,
    LedgerEntry,
    Reason,
    VipPlan,
)
from wenku.library.categories import subtree
from wenku.library.models import Category, Document, Pricing

VIP_PRICING = (Pricing.VIP_ONLY, Pricing.VIP_FREE)
FEED_SIZE = 10
FEED_FEW = 5  # a category feed shorter than this is topped up from the whole site


def _signed_in(user: Any) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False))


def account(user_id: int) -> tuple[int, datetime | None]:
    """(balance, VIP membership's end) of a signed-in user: one read per page
    (``readscope``), shared by the header, the price and the download box."""

    def read() -> tuple[int, datetime | None]:
        row = _ACCOUNT.row(user_id)
        return (int(row[0] or 0), row[1]) if row else (0, None)

    return readscope.once(("economy.account", user_id), read)


def balance(user: Any) -> int:
    """Points the user has (0 for a guest or a user who never had any)."""
    if not _signed_in(user):
        return 0
    return account(user.pk)[0]


def vip_until(user: Any, now: datetime | None = None) -> datetime | None:
    """End of the user's VIP membership if it is active, else None."""
    if not _signed_in(user):
        return None
    end = account(user.pk)[1]
    now = now or timezone.now()
    return end if end is not None and end > now else None


def is_vip(user: Any, now: datetime | None = None) -> bool:
    return vip_until(user, now) is not None


def local_day_start(now: datetime | None = None) -> datetime:
    """Midnight that began the site's current calendar day (WENKU_TIME_ZONE)."""
    local = timezone.localtime(now or timezone.now())
    return local.replace(hour=0, minute=0, second=0, microsecond=0)


def is_entitled(user: Any, document: Document, now: datetime | None = None) -> bool:
    """May this reader see every page? A VIP, for VIP documents; anyone who downloaded it.

    (The uploader and staff are entitled by ``library.access`` already.)
    """
    if not _signed_in(user):
        return False
    if document.pricing in VIP_PRICING and is_vip(user, now):
        return True
    return download_record(user.pk, document.pk)[0]


def download_record(user_id: int, document_id: int) -> tuple[bool, datetime | None]:
    """(has the user downloaded the document?, when they last did so other than as a
    re-download — the download that opened the re-download window): the entitlement and
    the download box read it once per page (``readscope``)."""

    def read() -> tuple[bool, datetime | None]:
        rows = _DOWNLOADS.rows(user_id, document_id)  # a reader's of one document: a few
        opened = [at for at, basis in rows if basis != Basis.REDOWNLOAD]
        return bool(rows), max(opened, default=None)

    return readscope.once(("economy.download", user_id, document_id), read)


def rewards_today(user_id: int, reason: Reason, now: datetime | None = None) -> int:
    """Ledger entries of ``reason`` the user received today (site time): daily caps."""
    return LedgerEntry.objects.filter(
        user_id=user_id, reason=reason, created_at__gte=local_day_start(now)
    ).count()


def signed_in_today(user: Any, now: datetime | None = None) -> bool:
    key = sign_in_key(user.pk, timezone.localdate(now or timezone.now()))
    return LedgerEntry.objects.filter(idempotency_key=key).exists()


# --- "最近下载"


def recent_downloads(category: Category | None = None, limit: int = FEED_SIZE) -> list[Document]:
    """The documents most recently downloaded (each once, latest first), site-wide or in a
    category and its descendants. Reads the newest rows of one partial index, never who
    downloaded; documents no longer public drop out.
    """
    rows = Download.objects.filter(counted=True)
    if category is not None:
        rows = rows.filter(category_id__in=subtree(category.pk))
    recent = rows.order_by("-created_at").values_list("document_id", flat=True)[: limit * 4]
    ordered = list(dict.fromkeys(recent))
    documents = Document.objects.public().select_related("owner", "category").in_bulk(ordered)
    return [documents[pk] for pk in ordered if pk in documents][:limit]


def recent_downloads_near(
    category: Category | None, limit: int = FEED_SIZE, enough: int = FEED_FEW
) -> list[Document]:
    """最近下载 for a page about ``category``: its own, topped up from the whole site
    when it has fewer than ``enough`` (a young category's box would be empty or one
    line long)."""
    own = recent_downloads(category, limit) if category is not None else []
    if len(own) >= enough:
        return own
    known = {d.pk for d in own}
    return own + [d for d in recent_downloads(None, limit) if d.pk not in known][: limit - len(own)]


# --- personal lists


def ledger(user: Any) -> QuerySet[LedgerEntry]:
    return LedgerEntry.objects.filter(user_id=user.pk).select_related("document")


def earnings_by_document(user: Any, document_ids: Sequence[int]) -> dict[int, int]:
    """Points the uploader earned from each of these documents (sales, rewards)."""
    rows = (
        LedgerEntry.objects.filter(user_id=user.pk, document_id__in=list(document_ids))
        .exclude(reason=Reason.DOWNLOAD)
        .values_list("document_id")
        .annotate(total=Sum("amount"))
        .values_list("document_id", "total")
    )
    return {pk: int(total) for pk, total in rows}


def downloads_by_document(document_ids: Sequence[int]) -> dict[int, int]:
    """Counted downloads of each document (the same as its counter, from the rows)."""
    rows = (
        Download.objects.filter(document_id__in=list(document_ids), basis__in=COUNTED)
        .values_list("document_id")
        .annotate(n=Count("pk"))
        .values_list("document_id", "n")
    )
    return dict(rows)


def plans() -> QuerySet[VipPlan]:
    return VipPlan.objects.filter(active=True)


def downloads_today_of(user: Any, ip: str | None, now: datetime | None = None) -> tuple[int, int]:
    """Today's downloads (site time) that count towards the daily caps: the user's and
    the address's (None: 0), in one query."""
    who = (user.pk if user is not None else None, ip or None)
    if who == (None, None):
        return 0, 0
    mine, address = who[0] is not None, who[1] is not None
    found = _downloads_today(mine, address).row(
        local_day_start(now), *(value for value in who if value is not None)
    )
    counts = iter(found or ())
    return (next(counts, 0) if mine else 0), (next(counts, 0) if address else 0)


@functools.cache
def _downloads_today(mine: bool, address: bool) -> Prepared:
    """Today's counted downloads of a user, an address or both (``downloads_today_of``)."""

    def build(since: datetime, *who: Any) -> QuerySet[Any]:
        values = iter(who)
        wanted = {}
        if mine:
            wanted["mine"] = Q(user_id=next(values))
        if address:
            wanted["address"] = Q(ip=next(values))
        return (
            Download.objects.filter(created_at__gte=since)
            .exclude(basis__in=(Basis.OWNER, Basis.STAFF))
            .filter(functools.reduce(operator.or_, wanted.values()))
            .order_by()
            .annotate(one=Value(1))
            .values("one")  # no grouping: the counts of all the rows
            .annotate(**{name: Count("pk", filter=where) for name, where in wanted.items()})
            .values_list(*wanted)
        )

    return Prepared(build, DATETIME, *([INT] if mine else []), *([IP] if address else []))


# A signed-in reader's own reads on every document page (``core.prepared``).
_ACCOUNT = Prepared(
    lambda user_id: Account.objects.filter(user_id=user_id).values_list("balance", "vip_until"),
    INT,
)
_DOWNLOADS = Prepared(
    lambda user_id, document_id: (
        Download.objects.filter(user_id=user_id, document_id=document_id)
        .order_by()
        .values_list("created_at", "basis")
    ),
    INT,
    INT,
)


CO_READERS = 500  # the latest signed-in readers of a document whose other downloads count
CO_MIN_SHARED = 3  # readers in common before it counts: one or two are not a pattern


def co_downloads(
    document_id: int, limit: int, exclude: Sequence[int] = ()
) -> list[tuple[int, float]]:
    """Documents also downloaded by readers who downloaded this one ("readers who
    downloaded this also downloaded …"), best first: (id, readers in common), at least
    CO_MIN_SHARED of them, among the latest CO_READERS signed-in readers."""
    readers = (
        Download.objects.filter(document_id=document_id, user__isnull=False)
        .order_by("-created_at")
        .values_list("user_id", flat=True)[: CO_READERS * 2]
    )
    users = list(dict.fromkeys(readers))[:CO_READERS]
    if len(users) < CO_MIN_SHARED:
        return []
    rows = (
        Download.objects.filter(user_id__in=users)
        .exclude(document_id__in=[document_id, *exclude])
        .values("document_id")
        .annotate(shared=Count("user_id", distinct=True))
        .filter(shared__gte=CO_MIN_SHARED)
        .order_by("-shared", "-document_id")[:limit]
    )
    return [(int(r["document_id"]), float(r["shared"])) for r in rows]
