"""Headers and request facts that keep a public site safe, whatever the page.

- ``https_from_trusted_proxy``: a request is HTTPS when the direct peer is a trusted
  proxy (``WENKU_TRUSTED_PROXIES``) that says so in ``X-Forwarded-Proto``; the header
  from anyone else is ignored (Django's ``SECURE_PROXY_SSL_HEADER`` would believe every
  client). Then Django's SecurityMiddleware sends HSTS (``WENKU_HSTS_SECONDS``).
- ``security_headers``: a Content-Security-Policy on every response that has none of
  its own (no inline script, no inline style, nothing from other sites), and the
  ``Secure`` flag on every cookie set over HTTPS (session, CSRF, messages, language).
- ``no_nul_characters``: a NUL (``%00``) in the path, the query string or a form or
  JSON field is a 400. No address or name of the site holds one, and PostgreSQL refuses
  it in any text it is asked to compare or store: ``/t/a%00b/`` answered 500 on the
  tag, category and uploader pages, an API upload naming such a category too. (Placed
  after the upload size limit: reading a form parses it.)
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse

from wenku.core.ip import from_trusted_proxy

# Every page's policy. Scripts and styles come from this site's static files only: a
# string injected into a page can neither run nor restyle it. htmx is told not to add
# its indicator <style> (base.html's htmx-config), so no inline style is needed.
# data: images are the API docs' icons; frame-ancestors repeats X-Frame-Options: DENY.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


def https_from_trusted_proxy(get_response: Callable[[HttpRequest], HttpResponse]) -> Callable:
    def middleware(request: HttpRequest) -> HttpResponse:
        if from_trusted_proxy(request):
            # A proxy in front of another appends; the last value is what our peer saw.
            proto = request.META.get("HTTP_X_FORWARDED_PROTO", "").split(",")[-1].strip()
            if proto.lower() in ("https", "http"):
                request.META["wsgi.url_scheme"] = proto.lower()
        return get_response(request)

    return middleware


def security_headers(get_response: Callable[[HttpRequest], HttpResponse]) -> Callable:
    def middleware(request: HttpRequest) -> HttpResponse:
        response = get_response(request)
        # A response with a policy of its own (a downloaded file's sandbox) keeps it.
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        if request.is_secure():
            for morsel in response.cookies.values():
                morsel["secure"] = True
        return response

    return middleware


def no_nul_characters(get_response: Callable[[HttpRequest], HttpResponse]) -> Callable:
    def middleware(request: HttpRequest) -> HttpResponse:
        if _holds_nul(request):
            detail = "A NUL character in the address or a form field."
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": detail}, status=400)
            return HttpResponseBadRequest(detail)
        return get_response(request)

    return middleware


FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def _holds_nul(request: HttpRequest) -> bool:
    query = request.META.get("QUERY_STRING", "")
    if "\x00" in request.path or "%00" in query or "\x00" in query:
        return True
    if request.method in ("POST", "PUT", "PATCH") and request.content_type == "application/json":
        return b"\\u0000" in request.body.lower()
    if request.method == "POST" and request.content_type in FORM_TYPES:
        # Field values only: uploaded files are bytes and may hold anything.
        return any("\x00" in v for _name, values in request.POST.lists() for v in values)
    return False
