from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from wenku.notifications import domain


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    """The inbox; opening it reads everything in it (the header's count clears), while
    this page still marks what was new."""
    page = Paginator(domain.for_user(request.user), 30).get_page(request.GET.get("page"))
    new = {n.pk for n in page.object_list if n.read_at is None}
    domain.mark_all_read(request.user)
    return render(request, "notifications/inbox.html", {"page_obj": page, "new": new})


@login_required
@require_POST
def read_all(request: HttpRequest) -> HttpResponse:
    domain.mark_all_read(request.user)
    return redirect("notifications:inbox")
