"""CSRF on every page of the site, not only the API (issue 10, item 2).

tests/api/test_api_security.py walks the OpenAPI schema; this walks Django's URL
resolver, so a form route added by any later app (moderation's desk, reports, notices,
edits, notifications) is covered the day it is added, without a list to keep up to date.
Given a signed-in browser, when another site makes it POST to each route (the session
cookie goes along, the CSRF token cannot), then each answers 403 before its view runs.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RegexPattern, RoutePattern

pytestmark = pytest.mark.django_db
# The API is ninja's: exempt from Django's middleware, checked by its own auth (the
# schema walk of tests/api/test_api_security.py). Nothing else may skip the check.
API_PREFIX = "api/"
SAMPLE = {"int": "1", "str": "x", "slug": "x", "path": "x/y"}


def _route(pattern: RoutePattern | RegexPattern) -> str | None:
    """A concrete piece of URL for one pattern (None if it cannot be written simply)."""
    if isinstance(pattern, RoutePattern):
        return re.sub(r"<(?:(\w+):)?\w+>", lambda m: SAMPLE.get(m[1] or "str", "x"), str(pattern))
    text = str(pattern).lstrip("^").rstrip("$").replace("\\Z", "")
    text = re.sub(r"\(\?P<\w+>[^)]*\)", "1", text)  # admin's object ids and the like
    if re.search(r"[()\[\]|*+?\\]", text):
        return None  # a choice (admin's app labels): not a route another app adds
    return text


def walk(
    resolvers: list[URLResolver | URLPattern], prefix: str = ""
) -> Iterator[tuple[str, object]]:
    for entry in resolvers:
        piece = _route(entry.pattern)
        if piece is None:
            continue
        if isinstance(entry, URLResolver):
            yield from walk(entry.url_patterns, prefix + piece)
        else:
            yield "/" + prefix + piece, entry.callback


def site_routes() -> list[tuple[str, object]]:
    routes = [(url, view) for url, view in walk(get_resolver().url_patterns)]
    return [(url, view) for url, view in routes if not url.startswith("/" + API_PREFIX)]


def test_no_view_of_the_site_is_exempt_from_the_csrf_check():
    exempt = [url for url, view in site_routes() if getattr(view, "csrf_exempt", False)]
    assert not exempt


def test_every_page_refuses_a_forged_post(user):
    """Every route the resolver knows, POSTed with the session and without the token."""
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(user)
    routes = site_routes()
    urls = {url for url, _view in routes}
    # The walk reaches the apps added after issue 10: moderation, notifications, community.
    assert any("report" in u for u in urls) and any("notif" in u for u in urls), urls
    assert len(routes) > 40
    answered = {}
    for url, _view in routes:
        response = browser.post(url, {"body": "forged"})
        answered[url] = response.status_code
    assert {url: code for url, code in answered.items() if code != 403} == {}


def test_every_route_answers_with_the_policy_and_a_request_id(user):
    """A Content-Security-Policy on every page (issue 10, item 10), whatever app added it:
    each route the resolver knows, opened by a staff member, answers with the site's
    policy (or a stricter one of its own: files are sandboxed) and a request id, and no
    route answers 500 to a plain GET."""
    from wenku.core.security import CONTENT_SECURITY_POLICY

    user.is_staff = user.is_superuser = True
    user.save()
    browser = Client()
    browser.force_login(user)
    wrong = {}
    for url, _view in site_routes():
        response = browser.get(url)
        policy = response.get("Content-Security-Policy", "")
        if response.status_code >= 500 or not response.get("X-Request-ID"):
            wrong[url] = response.status_code
        elif policy != CONTENT_SECURITY_POLICY and not policy.startswith("sandbox"):
            wrong[url] = policy
    assert wrong == {}
