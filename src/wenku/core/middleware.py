"""Refuse an oversized upload from its Content-Length, before its body is read."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _

from wenku.ingest.errors import human_size

# Room for the multipart framing and the other form fields around the file.
OVERHEAD = 1024 * 1024


def upload_size_limit(get_response: Callable[[HttpRequest], HttpResponse]) -> Callable:
    def middleware(request: HttpRequest) -> HttpResponse:
        if request.method == "POST":
            limit = settings.WENKU["WENKU_MAX_UPLOAD_MB"] * 1024 * 1024
            try:
                length = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                length = 0
            if length > limit + OVERHEAD:
                detail = _("The file is larger than %(limit)s.") % {"limit": human_size(limit)}
                if request.path.startswith("/api/"):
                    return JsonResponse({"detail": detail}, status=413)
                return HttpResponse(detail, status=413, content_type="text/plain; charset=utf-8")
        return get_response(request)

    return middleware
