from __future__ import annotations

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET


@require_GET
def switch_language(request: HttpRequest, code: str) -> HttpResponseRedirect:
    """Remember the reader's language and go back where they were.

    A plain link rather than Django's POST form: choosing a language changes nothing
    worth forging, and pages then carry no per-visitor CSRF token (so they can be cached).
    """
    if code not in dict(settings.LANGUAGES):
        raise Http404
    target = request.GET.get("next", "/")
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        target = "/"
    response = HttpResponseRedirect(target)
    response.set_cookie(settings.LANGUAGE_COOKIE_NAME, code, max_age=365 * 86400, samesite="Lax")
    return response


def server_error(request: HttpRequest) -> HttpResponse:
    """The 500 page: an apology and the request's id, which is in the log with the traceback,
    in the site's frame (header, search, language links) and the reader's language.

    Rendered without the site's context processors or the database: whatever broke the
    request may break them too (the header then shows the signed-out links).
    """
    from django.template import loader

    from wenku.core.requests import current

    rid = getattr(request, "id", None) or current()
    if request.path.startswith("/api/"):
        detail = "Internal server error; quote the request id when you report it."
        return JsonResponse({"detail": detail, "request_id": rid}, status=500)
    from wenku.config import conf

    context = {"request_id": rid, "SITE_NAME": conf().site_name}
    html = loader.get_template("500.html").render(context)
    return HttpResponse(html, status=500)
