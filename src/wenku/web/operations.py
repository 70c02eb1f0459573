"""The staff's view of the work queue: depth and ages per queue, live workers, failures,
and a retry for documents that failed for a passing reason."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from wenku.ingest.conversions import RETRYABLE_FAILURES
from wenku.library.models import Document
from wenku.publishing import intake
from wenku.worker import status

FAILED_DOCUMENTS = 50


@staff_member_required
def queue(request: HttpRequest) -> HttpResponse:
    failed = (
        Document.objects.filter(status="failed")
        .select_related("owner")
        .order_by("-created_at")[:FAILED_DOCUMENTS]
    )
    return render(
        request,
        "library/staff_queue.html",
        {
            "snapshot": status.snapshot(),
            "failed_documents": failed,
            "retryable": RETRYABLE_FAILURES,
        },
    )


@staff_member_required
@require_POST
def retry(request: HttpRequest, document_id: int) -> HttpResponse:
    if intake.retry(document_id):
        messages.success(request, _("The document is queued again."))
    else:
        messages.error(request, _("Only a failed document can be tried again."))
    return redirect("library:staff_queue")
