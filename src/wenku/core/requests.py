"""A request id for every request, in its log lines, its response and its error page.

``request_id`` (the outermost middleware) gives each request an id: the proxy's
``X-Request-ID`` when the peer is a trusted proxy and the value is sane (so nginx's
``$request_id`` and Wenku's log lines match), else a fresh random one. The id is on
``request.id``, in the ``X-Request-ID`` response header, in every log line written
while the request runs (``RequestIdFilter`` fills ``%(request_id)s``) and on the 500
page, so a reader's "error reference" leads an operator to the traceback.
"""

from __future__ import annotations

import logging
import re
import secrets
from collections.abc import Callable
from contextvars import ContextVar

from django.http import HttpRequest, HttpResponse

from wenku.core.ip import from_trusted_proxy

NONE = "-"
_current: ContextVar[str] = ContextVar("wenku_request_id", default=NONE)
_SANE = re.compile(r"[A-Za-z0-9._-]{8,64}")


def current() -> str:
    """The id of the request being handled by this thread ('-' outside a request)."""
    return _current.get()


def new_id() -> str:
    return secrets.token_hex(8)


def request_id(get_response: Callable[[HttpRequest], HttpResponse]) -> Callable:
    def middleware(request: HttpRequest) -> HttpResponse:
        given = request.headers.get("X-Request-ID", "")
        rid = given if given and from_trusted_proxy(request) and _SANE.fullmatch(given) else ""
        rid = rid or new_id()
        request.id = rid  # type: ignore[attr-defined]
        token = _current.set(rid)
        try:
            response = get_response(request)
        finally:
            _current.reset(token)
        response["X-Request-ID"] = rid
        return response

    return middleware


class RequestIdFilter(logging.Filter):
    """Gives every record a ``request_id`` (the current request's, or '-')."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = current()
        return True
