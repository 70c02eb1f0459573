"""Hardening of every response: Content-Security-Policy, HTTPS behind a trusted proxy
(Secure cookies, HSTS), and a request id in the log, the headers and the 500 page."""

from __future__ import annotations

import logging
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.test import Client, override_settings
from django.urls import path, reverse

pytestmark = pytest.mark.django_db
TEMPLATES = Path(__file__).resolve().parents[2] / "src" / "wenku" / "templates"
DATA_SCRIPT_TYPES = {"application/json", "application/ld+json"}


class InlineCode(HTMLParser):
    """Collects what a strict CSP would block: inline scripts, event-handler attributes,
    style attributes and elements, javascript: URLs."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        named = dict(attrs)
        if tag == "script" and not named.get("src") and named.get("type") not in DATA_SCRIPT_TYPES:
            self.found.append(f"inline <script {named}>")
        if tag == "style":
            self.found.append("<style> element")
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"<{tag} {name}=…>")
            if name == "style":
                self.found.append(f"<{tag} style={value!r}>")
            if name in ("href", "src", "action") and (value or "").strip().lower().startswith(
                "javascript:"
            ):
                self.found.append(f"<{tag} {name}={value!r}>")


def inline_code(html: str) -> list[str]:
    parser = InlineCode()
    parser.feed(html)
    return parser.found


def directives(policy: str) -> dict[str, str]:
    return dict((d.strip() + " ").split(" ", 1) for d in policy.split(";") if d.strip())


def test_the_policy_allows_no_inline_script_or_style(client):
    policy = client.get("/")["Content-Security-Policy"]
    found = directives(policy)
    assert found["script-src"].strip() == "'self'"
    assert found["style-src"].strip() == "'self'"
    assert found["object-src"].strip() == "'none'" and found["base-uri"].strip() == "'none'"
    assert found["frame-ancestors"].strip() == "'none'"
    assert "unsafe" not in policy


def test_no_template_has_inline_script_handlers_or_styles():
    """Every template (rendered by a test or not) keeps to the policy: behaviour lives in
    static files. JSON data blocks (ld+json, the upload page's categories) are data."""
    offenders = {}
    for template in sorted(TEMPLATES.rglob("*.html")):
        # Template tags inside attribute values confuse no HTML parser; drop them anyway.
        html = re.sub(r"{#.*?#}|{%.*?%}|{{.*?}}", "x", template.read_text(), flags=re.S)
        found = inline_code(html)
        if found:
            offenders[str(template.relative_to(TEMPLATES))] = found
    assert not offenders


@pytest.fixture
def pages(publish, user, client):
    """(client, url) pairs across the site: anonymous and logged-in pages, forms, the
    admin and the API docs."""
    from wenku.library.models import Category

    doc = publish(pages=6, text="annual work summary", tags=["总结"])
    Category.objects.create(name="工作总结", slug="zongjie")
    user.is_staff = user.is_superuser = True
    user.save()
    member = Client()
    member.force_login(user)
    anonymous = [
        "/",
        doc.get_absolute_url(),
        reverse("library:category", args=["zongjie"]),
        reverse("library:tag", args=["总结"]),
        reverse("library:uploader", args=[user.username]),
        "/search?q=summary",
        reverse("search:document", args=[doc.pk]) + "?q=summary",
        reverse("accounts:login"),
        reverse("accounts:register"),
        reverse("accounts:password_reset"),
        reverse("economy:confirm", args=[doc.pk]),
        "/api/docs",
        "/no/such/page/",
    ]
    logged_in = [
        reverse("library:upload"),
        reverse("accounts:me"),
        reverse("accounts:profile"),
        reverse("accounts:tokens"),
        reverse("economy:ledger"),
        reverse("economy:vip"),
        reverse("library:my_uploads"),
        "/admin/",
        "/admin/library/document/",
        f"/admin/library/document/{doc.pk}/change/",
    ]
    return [(client, url) for url in anonymous] + [(member, url) for url in logged_in]


def test_every_page_carries_the_policy_and_no_inline_code(pages):
    policy = pages[0][0].get("/")["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    for client, url in pages:
        response = client.get(url)
        assert response.status_code in (200, 404), (url, response.status_code)
        assert response["Content-Security-Policy"] == policy, url
        if "html" in response["Content-Type"]:
            assert not inline_code(response.content.decode()), url


def test_a_downloaded_file_keeps_its_own_sandbox_policy(publish, client, user):
    from wenku.economy.downloads import download

    doc = publish()
    grant = download(user, doc, "127.0.0.1")
    response = client.get(grant.link.url)
    response.close()
    assert response.status_code == 200
    assert response["Content-Security-Policy"] == "sandbox; default-src 'none'"


# --- HTTPS behind a trusted proxy


def log_in_over(client: Client, user, **headers):
    """A real log-in POST; the response sets the session and CSRF cookies."""
    page = client.get(reverse("accounts:login"), **headers)
    token = page.cookies["csrftoken"].value
    return client.post(
        reverse("accounts:login"),
        {"username": user.username, "password": "correct horse battery"},
        HTTP_X_CSRFTOKEN=token,
        **headers,
    )


# A proxy passes the Host header on (nginx: proxy_set_header Host $host).
HTTPS_FROM_PROXY = {
    "REMOTE_ADDR": "127.0.0.1",
    "HTTP_HOST": "testserver",
    "HTTP_X_FORWARDED_PROTO": "https",
}


def test_behind_a_trusted_proxy_cookies_are_secure_and_hsts_is_sent(user):
    client = Client(enforce_csrf_checks=True)
    # Django's CSRF check compares the Referer with the host on HTTPS requests.
    headers = {**HTTPS_FROM_PROXY, "HTTP_REFERER": "https://testserver/accounts/login/"}
    response = log_in_over(client, user, **headers)
    assert response.status_code == 302
    assert response.cookies["sessionid"]["secure"] is True
    assert response.cookies["csrftoken"]["secure"] is True
    assert response["Strict-Transport-Security"].startswith("max-age=31536000")


@pytest.mark.parametrize(
    "headers",
    [
        {"REMOTE_ADDR": "203.0.113.9", "HTTP_X_FORWARDED_PROTO": "https"},  # not a proxy
        {"REMOTE_ADDR": "127.0.0.1"},  # the proxy says nothing: plain HTTP
        {"REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_PROTO": "https, http"},  # last hop
    ],
)
def test_a_forged_or_missing_forwarded_proto_is_not_https(user, headers):
    client = Client()
    response = log_in_over(client, user, **headers)
    assert response.status_code == 302
    assert not response.cookies["sessionid"]["secure"]
    assert "Strict-Transport-Security" not in response


def test_no_proxy_is_trusted_when_none_is_configured(user, settings):
    settings.WENKU = settings.WENKU.replace(trusted_proxies=[])
    response = log_in_over(Client(), user, **HTTPS_FROM_PROXY)
    assert not response.cookies["sessionid"]["secure"]


def test_hsts_can_be_switched_off(client, settings):
    settings.SECURE_HSTS_SECONDS = 0  # what WENKU_HSTS_SECONDS=0 sets
    response = client.get("/", **HTTPS_FROM_PROXY)
    assert response.status_code == 200 and "Strict-Transport-Security" not in response


# --- unhandled exceptions: logged with a request id, shown on the 500 page


def broken_view(request):
    raise RuntimeError("the database melted")


urlpatterns = [
    path("broken/", broken_view),
    path("api/broken/", broken_view),
    *__import__("wenku.urls", fromlist=["urlpatterns"]).urlpatterns,
]
handler500 = "wenku.core.views.server_error"


@pytest.fixture
def console_log():
    """What the site's configured console handler writes (settings.LOGGING), as text."""
    import io

    [handler] = [
        h for h in logging.getLogger("django").handlers if type(h) is logging.StreamHandler
    ]
    buffer = io.StringIO()
    previous = handler.setStream(buffer)
    yield buffer
    handler.setStream(previous)


@override_settings(ROOT_URLCONF=__name__)
@pytest.mark.parametrize("url", ["/broken/", "/api/broken/"])
def test_an_unhandled_exception_is_logged_with_the_request_id(url, console_log):
    """Given a view that raises, when a reader opens it, then the log has the traceback
    on a line naming an id that the response's header and the error page (or JSON) show."""
    client = Client(raise_request_exception=False)
    response = client.get(url)
    assert response.status_code == 500
    rid = response["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{16}", rid)
    if url.startswith("/api/"):
        assert response.json()["request_id"] == rid
    else:
        body = response.content.decode()
        assert f'<code id="request-id">{rid}</code>' in body
        assert "the database melted" not in body  # the reader sees no internals
    logged = console_log.getvalue()
    assert f"ERROR django.request [{rid}] Internal Server Error: {url}" in logged
    assert "Traceback" in logged and "RuntimeError: the database melted" in logged


def test_an_exception_inside_an_api_route_is_logged_with_the_request_id(console_log, monkeypatch):
    """The same for a route of the API itself (django-ninja hands exceptions back to
    Django unless debugging): a real route whose query fails."""
    import wenku.api.documents

    class Broken:
        class objects:  # a model's manager, as the route reads it
            @staticmethod
            def all():
                raise RuntimeError("the categories melted")

    monkeypatch.setattr(wenku.api.documents, "Category", Broken)
    response = Client(raise_request_exception=False).get("/api/v1/categories")
    assert response.status_code == 500
    rid = response["X-Request-ID"]
    assert response.json() == {
        "detail": "Internal server error; quote the request id when you report it.",
        "request_id": rid,
    }
    logged = console_log.getvalue()
    assert f"ERROR django.request [{rid}] Internal Server Error: /api/v1/categories" in logged
    assert "RuntimeError: the categories melted" in logged


def test_every_response_has_a_request_id_and_a_proxy_may_give_it(client):
    mine = client.get("/")["X-Request-ID"]
    given = "nginx-0123456789abcdef"
    from_proxy = client.get("/", HTTP_X_REQUEST_ID=given, REMOTE_ADDR="127.0.0.1")
    from_anyone = client.get("/", HTTP_X_REQUEST_ID=given, REMOTE_ADDR="203.0.113.9")
    odd = client.get("/", HTTP_X_REQUEST_ID="a b\nc", REMOTE_ADDR="127.0.0.1")
    assert re.fullmatch(r"[0-9a-f]{16}", mine)
    assert from_proxy["X-Request-ID"] == given
    assert from_anyone["X-Request-ID"] != given
    assert re.fullmatch(r"[0-9a-f]{16}", odd["X-Request-ID"])


@override_settings(ROOT_URLCONF=__name__)
def test_the_error_pages_are_the_site_s_own_in_both_languages(client):
    """The 404 and 500 pages carry the site's header and search box, in the reader's
    language (the 500 page without touching the database)."""
    broken = Client(raise_request_exception=False)
    for language, words in (("zh-hans", "出错了"), ("en", "Something went wrong")):
        broken.cookies["django_language"] = language
        body = broken.get("/broken/").content.decode()
        assert 'class="site-header"' in body and 'name="q"' in body and words in body
    missing = Client()
    for language, words in (("zh-hans", "页面不存在"), ("en", "Page not found")):
        missing.cookies["django_language"] = language
        response = missing.get("/no-such-page/")
        body = response.content.decode()
        assert response.status_code == 404 and 'class="site-header"' in body
        assert 'name="q"' in body and words in body
