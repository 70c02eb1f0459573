"""Points in a real browser: sign in, claim the daily reward, download a priced document
(confirming the stated cost), see the ledger."""

from __future__ import annotations

import os

import pytest

from tests.browser.conftest import save_screenshot
from tests.economy.conftest import rules  # noqa: F401 - a fixture

pytestmark = [pytest.mark.live, pytest.mark.django_db(transaction=True)]
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs a loop


def test_earn_points_download_a_priced_document_and_see_the_ledger(
    browser,
    live_server,
    publish,
    rules,  # noqa: F811
    django_user_model,
):
    from wenku.economy import queries

    rules.sign_in_reward = 5
    rules.save()
    reader = django_user_model.objects.create_user(
        "xiaoming", "xiaoming@example.com", "correct horse battery"
    )
    doc = publish(pages=7, pricing="points", price=4, title="三年级数学期末试卷")
    base = live_server.url
    page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="zh-CN")

    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", "xiaoming")
    page.fill("input[name=password]", "correct horse battery")
    page.press("input[name=password]", "Enter")
    page.wait_for_load_state("load")

    # Earn points: the daily sign-in.
    page.goto(f"{base}/me/points/")
    assert page.locator("#balance").inner_text() == "0"
    page.click("#sign-in")
    page.wait_for_selector("#signed-in")
    assert page.locator("#balance").inner_text() == "5"

    # The document page says what the download costs, before anything is charged.
    page.goto(f"{base}{doc.get_absolute_url()}")
    box = page.locator(".download-box")
    assert box.locator("[data-cost]").get_attribute("data-cost") == "4"
    assert "4" in page.locator("#download-button").inner_text()
    save_screenshot(page, "document-download-box")
    page.click("#download-button")
    assert page.locator("#cost").inner_text().startswith("4")
    assert page.locator("#balance").inner_text() == "5"
    assert page.locator("#balance-after").inner_text() == "1"
    assert queries.balance(reader) == 5  # nothing charged by looking
    save_screenshot(page, "download-confirm")

    with page.expect_download(timeout=30000) as started:
        page.click("#confirm-download")
    download = started.value
    assert download.suggested_filename == "三年级数学期末试卷.pdf"
    with open(download.path(), "rb") as fh:
        assert fh.read(5) == b"%PDF-"
    assert page.locator("#charged").is_visible()
    assert queries.balance(reader) == 1

    # The ledger: the sign-in and the download, newest first, with the balance after each.
    page.goto(f"{base}/me/points/")
    assert page.locator("#balance").inner_text() == "1"
    rows = page.locator("table.ledger tbody tr")
    assert rows.count() == 2
    newest, oldest = rows.nth(0).inner_text(), rows.nth(1).inner_text()
    assert "三年级数学期末试卷" in newest and "-4" in newest and newest.rstrip().endswith("1")
    assert "+5" in oldest and oldest.rstrip().endswith("5")
    save_screenshot(page, "points-ledger")

    # Every page of the bought document can now be read.
    page.goto(f"{base}{doc.get_absolute_url()}")
    assert page.locator(".page-frame").count() == 7
    page.close()
