"""A clear way to pay (issue 12, item 3), on a phone: the end of the preview carries the
price and the buttons, a sticky bar keeps the price and 下载 at hand, and a jump past the
preview lands on the panel, visible, not under the sticky bars."""

from __future__ import annotations

import os

import pytest

from tests.browser.conftest import save_screenshot
from tests.economy.conftest import rules  # noqa: F401 - a fixture

pytestmark = [pytest.mark.live, pytest.mark.django_db(transaction=True)]
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs a loop

PASSWORD = "correct horse battery"
PHONE = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
    "locale": "zh-CN",
}
# The panel's top edge below the sticky toolbar, its buttons above the pay bar.
PANEL_IN_VIEW = """() => {
  const panel = document.getElementById('preview-end').getBoundingClientRect();
  const button = document.querySelector('#preview-end .actions .button').getBoundingClientRect();
  const toolbar = document.querySelector('.reader-toolbar').getBoundingClientRect();
  const bar = document.getElementById('pay-bar');
  const barTop = bar && getComputedStyle(bar).display !== 'none'
    ? bar.getBoundingClientRect().top : window.innerHeight;
  return panel.top >= toolbar.bottom - 1 && button.top >= toolbar.bottom
    && button.bottom <= barTop + 1;
}"""


def log_in(page, base: str, name: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", name)
    page.fill("#id_password", PASSWORD)
    page.click("form.narrow button[type=submit]")
    page.wait_for_url(f"{base}/")


def test_paying_on_a_phone(browser, live_server, publish, rules, django_user_model):  # noqa: F811
    doc = publish(pages=12, pricing="points", price=8, title="十二页的付费资料")
    assert doc.free_pages == 4
    base = live_server.url
    context = browser.new_context(**PHONE)
    page = context.new_page()
    page.goto(f"{base}{doc.get_absolute_url()}")
    assert page.locator(".page-frame").count() == 4

    # The pay bar: the price and the way to get the document, on the first screen.
    bar = page.locator("#pay-bar")
    assert bar.is_visible() and "8" in bar.inner_text() and "积分" in bar.inner_text()
    assert bar.locator(".pay-download").inner_text() == "登录后下载"

    # The sticky bars take at most 12 % of the screen while reading.
    page.locator("#p2").scroll_into_view_if_needed()
    sticky = page.evaluate(
        """() => document.querySelector('.reader-toolbar').getBoundingClientRect().height
                 + document.getElementById('pay-bar').getBoundingClientRect().height"""
    )
    assert sticky <= 0.12 * 844, sticky
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 1

    # Jumping past the preview with the page box lands on the panel, in view.
    page.fill("#page-input", "9")
    page.press("#page-input", "Enter")
    page.wait_for_function(PANEL_IN_VIEW)
    panel = page.locator("#preview-end")
    assert "8" in panel.locator(".price").inner_text()
    assert panel.locator(".pay-download").inner_text() == "登录后下载"
    save_screenshot(page, "document-end-of-preview-phone")

    # A reader without enough points is told how to earn them.
    django_user_model.objects.create_user("poor", "poor@example.com", PASSWORD)
    log_in(page, base, "poor")
    page.goto(f"{base}{doc.get_absolute_url()}#p10")
    page.wait_for_function(PANEL_IN_VIEW)
    panel.locator(".pay-download").click()
    page.wait_for_url(f"{base}/points/")
    assert "积分" in page.locator("h1").inner_text()
    context.close()

    # A reader with points pays from the phone's pay bar and then reads every page.
    from wenku.economy import domain

    rich = django_user_model.objects.create_user("rich", "rich@example.com", PASSWORD)
    domain.adjust(rich, 20, note="test")
    context = browser.new_context(**PHONE)
    page = context.new_page()
    log_in(page, base, "rich")
    page.goto(f"{base}{doc.get_absolute_url()}")
    assert "8" in page.locator("#pay-bar .pay-download").inner_text()
    page.locator("#pay-bar .pay-download").click()
    page.wait_for_url(f"{base}/d/{doc.pk}/download/")
    assert page.locator("#balance-after").inner_text() == "12"
    with page.expect_download(timeout=30000):
        page.click("#confirm-download")
    page.goto(f"{base}{doc.get_absolute_url()}")
    assert page.locator(".page-frame").count() == 12
    context.close()
