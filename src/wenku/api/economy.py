"""The economy for scripts: balance and ledger, daily sign-in, download links, VIP plans.

A download is two steps, as on the site: ``GET …/download`` says what it would cost,
``POST …/download`` charges and returns a short-lived signed link to the file. Send an
``Idempotency-Key`` header to make retries safe: the same key returns the first outcome
and is never charged twice.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Header, Query, Router, Schema, Status

from wenku.api.auth import OPTIONAL, REQUIRED, auth_user
from wenku.core.ip import client_ip
from wenku.economy import domain, downloads, queries
from wenku.economy.models import VipPlan
from wenku.library import access
from wenku.library.models import Document

router = Router(tags=["points and downloads"])
KEY = Header(
    "",
    alias="Idempotency-Key",
    description="Any string; a retry with the same key is never charged again.",
)


class QuoteOut(Schema):
    document_id: int
    allowed: bool
    affordable: bool
    code: str  # "" or a refusal: login_required, vip_required, insufficient_points, …
    cost: int
    basis: str  # paid, free, vip, redownload, owner, staff, guest
    balance: int
    balance_after: int
    message: str
    redownload_until: datetime | None


class Refusal(Schema):
    code: str
    detail: str
    cost: int
    balance: int


class DownloadOut(Schema):
    download_id: int
    url: str  # absolute; GET it (no credentials needed) before expires_at
    expires_at: datetime
    cost: int
    basis: str
    balance: int
    replayed: bool  # true when the Idempotency-Key was seen before: nothing was charged now


class PointsOut(Schema):
    balance: int
    vip_until: datetime | None
    signed_in_today: bool


class EntryOut(Schema):
    id: int
    amount: int
    balance_after: int
    reason: str
    document_id: int | None
    download_id: int | None
    note: str
    created_at: datetime


class LedgerPage(Schema):
    count: int
    page: int
    pages: int
    results: list[EntryOut]


class SignInOut(Schema):
    claimed: bool  # false: already signed in today (or the site gives no reward)
    amount: int
    balance: int


class PlanOut(Schema):
    id: int
    name: str
    days: int
    price: int


class OrderOut(Schema):
    id: int
    days: int
    price: int
    starts_at: datetime
    ends_at: datetime


def _document(request: HttpRequest, document_id: int) -> Document:
    documents = Document.objects.select_related("owner")
    return access.viewable_or_404(auth_user(request), document_id, documents)


def _reader(request: HttpRequest) -> Any:
    return auth_user(request)


def _quote_out(q: downloads.Quote) -> QuoteOut:
    code = q.refusal or ("" if q.affordable else "insufficient_points")
    return QuoteOut(
        document_id=q.document.pk,
        allowed=q.allowed,
        affordable=q.affordable,
        code=code,
        cost=q.cost,
        basis=str(q.basis),
        balance=q.balance,
        balance_after=q.balance_after,
        message=q.message,
        redownload_until=q.redownload_until,
    )


@router.get(
    "/documents/{document_id}/download",
    response=QuoteOut,
    auth=OPTIONAL,
    url_name="download_quote",
    summary="What downloading a document would cost you",
)
def get_quote(request: HttpRequest, document_id: int) -> QuoteOut:
    doc = _document(request, document_id)
    return _quote_out(downloads.quote(_reader(request), doc, client_ip(request)))


@router.post(
    "/documents/{document_id}/download",
    response={
        200: DownloadOut,
        401: Refusal,
        402: Refusal,
        403: Refusal,
        404: Refusal,
        409: Refusal,
        429: Refusal,
    },
    auth=OPTIONAL,
    url_name="download_document",
    summary="Download a document: charge it and get a signed link to the file",
)
def post_download(
    request: HttpRequest,
    document_id: int,
    idempotency_key: str = KEY,
) -> Status[object]:
    """402: not enough points; 403: VIP members only; 401: log in (guests only get free
    documents, when the site allows it); 429: a daily download cap was reached.
    The link is short-lived (WENKU_DOWNLOAD_URL_SECONDS) and serves the original file as
    an attachment. A re-download within the site's window, your own upload, and VIP
    documents for members cost nothing."""
    doc = _document(request, document_id)
    try:
        grant = downloads.download(_reader(request), doc, client_ip(request), idempotency_key[:64])
    except downloads.DownloadRefused as refused:
        q = refused.quote
        return Status(
            REFUSAL_STATUS.get(refused.code, 403),
            Refusal(code=refused.code, detail=q.message, cost=q.cost, balance=q.balance),
        )
    return Status(
        200,
        DownloadOut(
            download_id=grant.download.pk,
            url=request.build_absolute_uri(grant.link.url),
            expires_at=grant.link.expires_at,
            cost=grant.cost,
            basis=str(grant.basis),
            balance=grant.balance,
            replayed=grant.replayed,
        ),
    )


REFUSAL_STATUS = downloads.REFUSALS


@router.get("/me/points", response=PointsOut, auth=REQUIRED, summary="Your balance and VIP")
def get_points(request: HttpRequest) -> PointsOut:
    user = _reader(request)
    return PointsOut(
        balance=queries.balance(user),
        vip_until=queries.vip_until(user),
        signed_in_today=queries.signed_in_today(user),
    )


@router.get("/me/ledger", response=LedgerPage, auth=REQUIRED, summary="Your points ledger")
def get_ledger(request: HttpRequest, page: Query[int] = 1, per_page: Query[int] = 50) -> Any:
    from django.core.paginator import Paginator

    paginator = Paginator(queries.ledger(_reader(request)), max(1, min(per_page, 200)))
    current = paginator.get_page(page)
    return {
        "count": paginator.count,
        "page": current.number,
        "pages": paginator.num_pages,
        "results": [
            EntryOut(
                id=e.pk,
                amount=e.amount,
                balance_after=e.balance_after,
                reason=e.reason,
                document_id=e.document_id,
                download_id=e.download_id,
                note=e.note,
                created_at=e.created_at,
            )
            for e in current
        ],
    }


@router.post("/me/sign-in", response=SignInOut, auth=REQUIRED, summary="Daily sign-in reward")
def post_sign_in(request: HttpRequest) -> SignInOut:
    user = _reader(request)
    entry = domain.daily_sign_in(user)
    return SignInOut(
        claimed=entry is not None,
        amount=entry.amount if entry else 0,
        balance=queries.balance(user),
    )


@router.get("/vip/plans", response=list[PlanOut], auth=OPTIONAL, summary="VIP plans on sale")
def get_plans(request: HttpRequest) -> list[VipPlan]:
    return list(queries.plans())


@router.post(
    "/vip/plans/{plan_id}/buy",
    response={200: OrderOut, 402: Refusal},
    auth=REQUIRED,
    summary="Buy a VIP plan with points (stacks on an active membership)",
)
def post_buy(request: HttpRequest, plan_id: int, idempotency_key: str = KEY) -> Status[object]:
    user = _reader(request)
    plan = get_object_or_404(VipPlan, pk=plan_id, active=True)
    try:
        order = domain.buy_vip(user, plan, idempotency_key[:64])
    except domain.InsufficientPoints as exc:
        detail = _("%(plan)s costs %(cost)s points and your balance is %(balance)s points.") % {
            "plan": plan.name,
            "cost": plan.price,
            "balance": exc.balance,
        }
        return Status(
            402,
            Refusal(
                code="insufficient_points", detail=detail, cost=plan.price, balance=exc.balance
            ),
        )
    return Status(200, OrderOut.from_orm(order))
