"""The site's public address, for links that leave the request (mails).

A link in a password-reset or verification mail must never name a host chosen by
whoever sent the request: with ``Host: evil.example`` it would mail the victim a valid
token on the attacker's site. So the address is ``WENKU_SITE_URL``; without it, the
request's own scheme and host only when that host is listed in ``WENKU_ALLOWED_HOSTS``
by name (a ``*`` admits any host, so it vouches for none); otherwise there is no safe
address and nothing is sent.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.http import HttpRequest
from django.http.request import split_domain_port, validate_host

from wenku.config import conf

log = logging.getLogger(__name__)


def site_url(request: HttpRequest | None) -> str | None:
    """'https://host[:port]' for links in mails, or None when no address can be trusted."""
    configured = conf().site_url.rstrip("/")
    if configured:
        return configured
    if request is None:
        return None
    try:
        host = request.get_host()
    except DisallowedHost:
        return None
    domain, _port = split_domain_port(host)
    named = [h for h in settings.ALLOWED_HOSTS if h != "*"]
    if domain and validate_host(domain, named):
        return f"{request.scheme}://{host}"
    log.error(
        "no link mailed: the request's host %r is not listed in WENKU_ALLOWED_HOSTS; "
        "set WENKU_SITE_URL to the site's public address",
        host,
    )
    return None
