"""The Content-Security-Policy in a real browser: every page works and nothing is refused.

Chromium reports each blocked script, style or image as a ``securitypolicyviolation``
event; a listener installed before any page script records them. The pages are then
used — htmx's sorting and find-in-document swaps, the upload page's rows, the reader's
zoom, the API docs, the admin — so a policy too strict for the site fails here, and a
template that brings back inline code fails the fast tier (tests/core/test_security.py).
"""

from __future__ import annotations

import os

import pytest
from django.urls import reverse

from wenku.library.models import Category

pytestmark = [pytest.mark.live, pytest.mark.django_db(transaction=True)]
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs a loop

RECORD_VIOLATIONS = """
window.__violations = [];
document.addEventListener('securitypolicyviolation', (e) => {
  const where = `${e.sourceFile}:${e.lineNumber}`;
  window.__violations.push(`${e.violatedDirective} ${e.blockedURI} ${where}`);
});
"""


@pytest.fixture
def tab(browser):
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    context.add_init_script(RECORD_VIOLATIONS)
    errors: list[str] = []
    page = context.new_page()
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on(
        "console",
        lambda msg: errors.append(msg.text) if "Content Security Policy" in msg.text else None,
    )
    page.errors = errors
    yield page
    context.close()


def assert_clean(page) -> None:
    violations = page.evaluate("window.__violations")
    assert not violations, (page.url, violations)
    assert not page.errors, (page.url, page.errors)


def test_the_site_works_under_its_policy(tab, live_server, publish, user, tmp_path):
    """Given a document, a category and a staff user, when a reader and then the staff
    user use the site's interactive parts, then they work and the browser blocks nothing."""
    category = Category.objects.create(name="工作总结", slug="zongjie")
    doc = publish(pages=8, text="annual work summary", title="年度总结", category=category)
    publish(text="second report", title="第二份", category=category)
    base = live_server.url
    page = tab

    page.goto(f"{base}/")
    assert_clean(page)

    # htmx: sorting a listing swaps it in place and pushes the URL.
    page.goto(f"{base}{reverse('library:category', args=['zongjie'])}")
    page.click("#listing a[href='?sort=views']")
    page.wait_for_url("**?sort=views")
    page.wait_for_selector("#listing a[href='?sort=views'][aria-current=true]")
    assert_clean(page)

    # The reader: zoom (its script sets a CSS variable) and find-in-document (htmx).
    page.goto(f"{base}{doc.get_absolute_url()}")
    width = page.locator("#p1").bounding_box()["width"]
    page.click("[data-action=zoom-in]")
    assert page.locator("#p1").bounding_box()["width"] > width * 1.1
    page.fill("#find-q", "summary")
    page.press("#find-q", "Enter")
    page.wait_for_selector("#find-results .within-results")
    assert page.url.endswith(doc.get_absolute_url())  # swapped in, not navigated
    assert_clean(page)

    page.goto(f"{base}/api/docs")
    page.wait_for_selector("#swagger-ui .info .title")
    assert_clean(page)

    # Logged in: the upload page builds one row per chosen file; the admin.
    user.is_staff = user.is_superuser = True
    user.save()
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", "correct horse battery")
    page.click("form.narrow button[type=submit]")
    page.wait_for_url(f"{base}/")
    assert_clean(page)
    path = tmp_path / "笔记.txt"
    path.write_text("笔记")
    page.goto(f"{base}/upload/")
    page.set_input_files("#id_files", [str(path)])
    page.wait_for_selector(".file-row input[name=title-0]")
    assert_clean(page)
    page.goto(f"{base}/admin/library/document/{doc.pk}/change/")
    page.wait_for_selector("#document_form")
    assert_clean(page)
