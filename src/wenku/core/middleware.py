"""Refuse an oversized upload from its Content-Length, before its body is read."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import translation
from django.utils.translation import gettext as _

from wenku.config import conf
from wenku.core.units import human_size

# Room for the multipart framing and the other form fields around the file.
OVERHEAD = 1024 * 1024


def upload_size_limit(get_response: Callable[[HttpRequest], HttpResponse]) -> Callable:
    def middleware(request: HttpRequest) -> HttpResponse:
        if request.method == "POST":
            limit = conf().max_upload_mb * 1024 * 1024
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


def site_language(get_response: Callable[[HttpRequest], HttpResponse]) -> Callable:
    """The site's language (WENKU_LANGUAGE) unless the reader chose another with the switch.

    Unlike Django's LocaleMiddleware, the browser's Accept-Language is not consulted: a
    Chinese site stays Chinese for a reader whose browser happens to be set to English,
    and the switch in the header is one click away.
    """
    supported = {code for code, _name in settings.LANGUAGES}

    def middleware(request: HttpRequest) -> HttpResponse:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        language = chosen if chosen in supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response

    return middleware


def request_metrics(get_response: Callable[[HttpRequest], HttpResponse]) -> Callable:
    """Count and time every request for ``/metrics``, by route name (never by path: paths
    hold ids, and each distinct label is a series of its own)."""
    import time

    from wenku.core import metrics

    def middleware(request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = get_response(request)
        match = getattr(request, "resolver_match", None)
        route = (match.view_name if match else "") or "unmatched"
        status = f"{response.status_code // 100}xx"
        metrics.REQUESTS.labels(route, request.method or "", status).inc()
        metrics.REQUEST_SECONDS.labels(route).observe(time.perf_counter() - started)
        return response

    return middleware
