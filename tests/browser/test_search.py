"""Searching in a real browser: a phrase from deep inside a document leads to its page."""

from __future__ import annotations

import io
import os

import docx
import pytest

from tests.browser.conftest import BELOW_BARS
from tests.factories.documents import chinese

pytestmark = [pytest.mark.live, pytest.mark.django_db(transaction=True)]
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs a loop

PHRASE = "冻土监测站的观测数据"
LATE_PHRASE = "碳汇交易试点方案"


def report(pages: int) -> bytes:
    document = docx.Document()
    for number in range(1, pages + 1):
        document.add_heading(f"第{number}部分", level=1)
        text = chinese(300, number)
        if number == 4:
            text = text[:120] + PHRASE + text[120:]
        if number == 9:
            text = text[:80] + LATE_PHRASE + text[80:]
        document.add_paragraph(text + "。")
        if number < pages:
            document.add_page_break()
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def test_a_phrase_deep_inside_leads_to_its_page(browser, live_server, ingested):
    doc = ingested("高原生态调查报告.docx", report(12), title="高原生态调查报告")
    assert doc.status == "ready" and doc.page_count == 12
    page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page.goto(f"{live_server.url}/")
    page.fill("#home-q", f'"{PHRASE}"')
    page.press("#home-q", "Enter")
    page.wait_for_url("**/search?q=*")
    results = page.locator("main")
    assert "高原生态调查报告" in results.inner_text()
    assert "第4页" in results.inner_text().replace(" ", "")
    page.locator('a[href$="#p4"]').first.click()
    page.wait_for_url(f"**{doc.get_absolute_url()}#p4")
    page.wait_for_function(BELOW_BARS, arg=4)
    assert page.locator("#page-input").input_value() == "4"

    # Inside the reader: a phrase past the free preview is counted, its page not named.
    page.fill("#find-q", LATE_PHRASE)
    page.press("#find-q", "Enter")
    found = page.locator("#find-results .within-locked")
    found.wait_for()
    assert "全文另有 1 处匹配，下载后可见" in found.inner_text()
    assert "9" not in page.locator("#find-results").inner_text().replace("1 处", "")
    # The results are beside the toolbar, where the reader is (not above page 1).
    assert page.locator("#find-panel").is_visible()
    box = page.locator("#find-panel").bounding_box()
    assert 0 <= box["y"] < 900
    # The count leads to the end-of-preview panel, which says what unlocks the rest.
    found.locator("a").click()
    page.wait_for_function(IN_VIEW)

    # A search result matching past the preview names no page and lands on the
    # end-of-preview panel.
    page.goto(f"{live_server.url}/search?q={LATE_PHRASE}")
    assert page.locator('a[href$="#p9"]').count() == 0
    page.locator(".hit-locked a").first.click()
    page.wait_for_url(f"**{doc.get_absolute_url()}#preview-end")
    page.wait_for_function(IN_VIEW)
    page.close()


def test_the_find_box_says_when_searches_are_limited(browser, live_server, publish, settings):
    """Past WENKU_RATE_FIND the answer (429) is swapped into the find box with its words."""
    settings.WENKU = settings.WENKU.replace(rate_find=(1, 600))
    doc = publish(pages=6, text="annual work summary", title="年度总结")
    page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page.goto(f"{live_server.url}{doc.get_absolute_url()}")
    page.fill("#find-q", "summary")
    page.press("#find-q", "Enter")
    page.wait_for_selector("#find-results .within-summary")
    page.fill("#find-q", "annual")
    page.press("#find-q", "Enter")
    page.wait_for_selector("#find-results [role=alert]")
    assert "请" in page.locator("#find-results [role=alert]").inner_text()
    page.close()


# The end-of-preview panel is below the sticky header and toolbar, wholly in view.
IN_VIEW = """() => {
  const panel = document.getElementById('preview-end').getBoundingClientRect();
  const toolbar = document.querySelector('.reader-toolbar').getBoundingClientRect();
  return panel.top >= toolbar.bottom - 1 && panel.bottom <= window.innerHeight;
}"""
