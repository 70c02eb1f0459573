"""Readers' pages of trust and safety: 举报 a document, file a copyright notice.

(The staff desk and the uploader's counter-notice set things in motion that are
publishing's, so they live in ``web/``; a comment's 举报 is the community's page.)
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from wenku.core import ratelimit
from wenku.library import access
from wenku.library.models import Document
from wenku.moderation import domain
from wenku.moderation.models import ReportReason

REASONS = [(r.value, r.label) for r in ReportReason]


def _document(request: HttpRequest, document_id: int) -> Document:
    return access.viewable_or_404(
        request.user, document_id, Document.objects.select_related("owner")
    )


@login_required
@ratelimit.responds
def report(request: HttpRequest, document_id: int) -> HttpResponse:
    """举报 a document; a copyright complaint goes on to the notice form."""
    doc = _document(request, document_id)
    error, values = "", {"reason": request.GET.get("reason", ""), "details": ""}
    if request.method == "POST":
        values = {
            "reason": request.POST.get("reason", ""),
            "details": request.POST.get("details", ""),
        }
        if values["reason"] == ReportReason.COPYRIGHT:
            return redirect("moderation:notice", document_id=doc.pk)
        try:
            _report, created = domain.file_report(
                request.user,
                doc,
                values["reason"],
                values["details"],
                ip=ratelimit.client_key(request),
            )
        except domain.Invalid as exc:
            error = exc.message
        else:
            messages.success(
                request,
                _("Thank you: your report was received.")
                if created
                else _("You have reported this already; it is being looked at."),
            )
            return redirect(doc.get_absolute_url())
    context = {"doc": doc, "reasons": REASONS, "values": values, "error": error}
    return render(request, "moderation/report.html", context, status=400 if error else 200)


NOTICE_FIELDS = ("claimant_name", "claimant_identity", "contact", "work", "proof_links")


@login_required
@ratelimit.responds
def notice(request: HttpRequest, document_id: int) -> HttpResponse:
    """A copyright notice: identity, contact, the work, proof (a file or links)."""
    doc = _document(request, document_id)
    values = {name: request.POST.get(name, "") for name in NOTICE_FIELDS}
    errors: dict[str, str] = {}
    if request.method == "POST":
        proof = request.FILES.get("proof")
        if not request.POST.get("good_faith"):
            errors["good_faith"] = _("Confirm that the notice is true and made in good faith.")
        else:
            try:
                _notice, created = domain.file_notice(
                    request.user,
                    doc,
                    proof=proof,
                    proof_name=(proof.name or "") if proof else "",
                    ip=ratelimit.client_key(request),
                    **values,
                )
            except domain.Invalid as exc:
                errors[exc.field] = exc.message
            else:
                messages.success(
                    request,
                    _("Your notice was received. We will examine it and tell you the outcome.")
                    if created
                    else _("You have sent a notice about this document already."),
                )
                return redirect(doc.get_absolute_url())
    context = {"doc": doc, "values": values, "errors": errors}
    return render(request, "moderation/notice.html", context, status=400 if errors else 200)
