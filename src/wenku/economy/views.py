"""Pages of the economy: download confirmation and file, points, downloads, VIP."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Max, Q
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from wenku.core.ip import client_ip
from wenku.economy import domain, downloads, files, links, queries
from wenku.economy.models import Basis, Download, Rules, VipOrder, VipPlan
from wenku.library import access
from wenku.library.models import Document

PER_PAGE = 30


def _document(request: HttpRequest, document_id: int) -> Document:
    documents = Document.objects.select_related("owner", "category")
    return access.viewable_or_404(request.user, document_id, documents)


@require_http_methods(["GET", "POST"])
def confirm(request: HttpRequest, document_id: int) -> HttpResponse:
    """GET: what the download costs, and a button to confirm. POST: download."""
    doc = _document(request, document_id)
    ip = client_ip(request)
    if request.method == "POST":
        key = request.POST.get("key", "")[:64]
        try:
            grant = downloads.download(request.user, doc, ip, key)
        except downloads.DownloadRefused as refused:
            quote = refused.quote
            status = quote.status
        else:
            ready = reverse("economy:ready", args=[grant.download.pk])
            return redirect(f"{ready}?t={grant.link.token}")
    else:
        quote = downloads.quote(request.user, doc, ip)
        status = 200
    context = {"doc": doc, "quote": quote, "key": uuid.uuid4().hex, "login_next": request.path}
    return render(request, "economy/confirm.html", context, status=status)


def ready(request: HttpRequest, download_id: int) -> HttpResponse:
    """After confirming: what was charged, and the file's link (which starts by itself).

    Only for the downloader — the signed-in reader who downloaded, or, for a guest's
    download, whoever holds its link — and only while the document may be seen; anyone
    else gets the same 404 as for a download that does not exist (it named any
    download's document to any visitor, even after a takedown).
    """
    token = request.GET.get("t", "")
    try:
        valid = links.verify(token) == download_id
    except (links.LinkExpired, links.LinkInvalid):
        valid = False
    row = get_object_or_404(Download.objects.select_related("document"), pk=download_id)
    if row.user_id is not None:
        downloader = request.user.is_authenticated and request.user.pk == row.user_id
    else:
        downloader = links.names(token) == download_id
    if not downloader or not access.can_view_document(request.user, row.document):
        raise Http404
    if not valid:
        return render(
            request, "economy/ready.html", {"row": row, "doc": row.document, "expired": True}
        )
    context = {
        "row": row,
        "doc": row.document,
        "file_url": reverse("economy:file", args=[token]),
        "balance": queries.balance(request.user),
        "minutes": max(1, int(links.lifetime().total_seconds() // 60)),
        "filename": files.filename(row.document),
    }
    return render(request, "economy/ready.html", context)


def file(request: HttpRequest, token: str) -> HttpResponseBase:
    """The original file, as an attachment, behind a signed short-lived link."""
    try:
        download_id = links.verify(token)
    except links.LinkExpired:
        return HttpResponse(
            _("This download link has expired. Download again from the document's page."),
            status=410,
            content_type="text/plain; charset=utf-8",
        )
    except links.LinkInvalid:
        raise Http404 from None
    row = get_object_or_404(
        Download.objects.select_related("document__conversion", "user"), pk=download_id
    )
    if row.document.status != "ready" or (row.user is not None and not row.user.is_active):
        raise Http404  # taken down, or the downloader's account closed meanwhile
    return files.attachment(row.document)


def earn(request: HttpRequest) -> HttpResponse:
    """How to earn points: the site's own rules, with the reader's balance if signed in."""
    user: Any = request.user
    signed_in = user.is_authenticated
    context = {
        "rules": Rules.current(),
        "signed_in": signed_in,
        "balance": queries.balance(user) if signed_in else None,
        "signed_in_today": queries.signed_in_today(user) if signed_in else False,
        "plans": queries.plans(),
    }
    return render(request, "economy/earn.html", context)


# --- personal centre


@login_required
def ledger(request: HttpRequest) -> HttpResponse:
    page = Paginator(queries.ledger(request.user), PER_PAGE).get_page(request.GET.get("page"))
    rules = Rules.current()
    context = {
        "page_obj": page,
        "balance": queries.balance(request.user),
        "vip_until": queries.vip_until(request.user),
        "signed_in_today": queries.signed_in_today(request.user),
        "sign_in_reward": rules.sign_in_reward,
    }
    return render(request, "economy/ledger.html", context)


@login_required
@require_POST
def sign_in(request: HttpRequest) -> HttpResponse:
    entry = domain.daily_sign_in(request.user)
    if entry is not None:
        messages.success(
            request,
            _("Signed in for today: +%(n)s points. Your balance is %(balance)s.")
            % {"n": entry.amount, "balance": entry.balance_after},
        )
    else:
        messages.info(request, _("You have already signed in today. Come back tomorrow."))
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        target = reverse("economy:ledger")
    return redirect(target)


@login_required
def my_downloads(request: HttpRequest) -> HttpResponse:
    """Each document downloaded, latest first: free again until …, or what it would cost."""
    user: Any = request.user
    rows = (
        Download.objects.filter(user=user)
        .values("document")
        .annotate(
            last=Max("created_at"),
            granted=Max("created_at", filter=~Q(basis=Basis.REDOWNLOAD)),
        )
        .order_by("-last")
    )
    page = Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))
    docs = Document.objects.select_related("owner").in_bulk([r["document"] for r in page])
    rules = Rules.current()
    window = timedelta(hours=rules.redownload_window_hours)
    now = timezone.now()
    vip = queries.is_vip(request.user, now)
    items = []
    for r in page:
        doc = docs.get(r["document"])
        if doc is None:
            continue
        free_until = r["granted"] + window if r["granted"] and window else None
        if free_until is not None and free_until <= now:
            free_until = None
        items.append(
            {
                "doc": doc,
                "last": r["last"],
                "free_until": free_until,
                "cost": _list_price(request.user, doc, vip),
            }
        )
    context = {"page_obj": page, "items": items, "window_hours": rules.redownload_window_hours}
    return render(request, "economy/downloads.html", context)


def _confirm_vip(request: HttpRequest, plan: VipPlan) -> HttpResponse:
    user: Any = request.user
    have = queries.balance(user)
    now = timezone.now()
    until = queries.vip_until(user)
    starts = until if until is not None and until > now else now
    context = {
        "plan": plan,
        "balance": have,
        "balance_after": have - plan.price,
        "affordable": have >= plan.price,
        "ends_at": starts + timedelta(days=plan.days),
        "key": uuid.uuid4().hex,
    }
    return render(request, "economy/vip_confirm.html", context)


def _list_price(user: Any, doc: Document, vip: bool) -> int | None:
    """What downloading again would cost (None: VIP members only, and not a member)."""
    if access.is_privileged(user, doc):
        return 0
    priced = downloads.price_for(doc, vip=vip)
    return None if isinstance(priced, str) else priced[0]


@login_required
def vip(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    context = {
        "vip_until": queries.vip_until(user),
        "balance": queries.balance(request.user),
        "plans": queries.plans(),
        "orders": VipOrder.objects.filter(user=user).select_related("plan")[:20],
        "key": uuid.uuid4().hex,
    }
    return render(request, "economy/vip.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def buy_vip(request: HttpRequest, plan_id: int) -> HttpResponse:
    """GET: what the plan costs, the balance after and the new end, and a button to
    confirm. POST: buy (the form's key makes a double click charge once)."""
    plan = get_object_or_404(VipPlan, pk=plan_id, active=True)
    if request.method == "GET":
        return _confirm_vip(request, plan)
    try:
        order = domain.buy_vip(request.user, plan, request.POST.get("key", "")[:64])
    except domain.InsufficientPoints as exc:
        messages.error(
            request,
            _("%(plan)s costs %(cost)s points and your balance is %(balance)s points.")
            % {"plan": plan.name, "cost": plan.price, "balance": exc.balance},
        )
    else:
        messages.success(
            request,
            _("You are a VIP member until %(end)s.")
            % {"end": timezone.localtime(order.ends_at).strftime("%Y-%m-%d %H:%M")},
        )
    return redirect("economy:vip")
