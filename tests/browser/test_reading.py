"""Reading in a real browser: upload, the lazy preview, the end of preview, language, a phone."""

from __future__ import annotations

import os

import pytest

from tests.browser.conftest import BELOW_BARS
from tests.factories import documents as f
from wenku.library.models import Category, Document

pytestmark = [pytest.mark.live, pytest.mark.django_db(transaction=True)]
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs a loop

# The image the browser chose from srcset, decoded: its real width in pixels, and whether
# it shows something (dark pixels: text), not a blank or broken image.
REAL_PIXELS = """async img => {
  if (!img.complete) await new Promise(done => img.addEventListener('load', done, {once: true}));
  const bitmap = await createImageBitmap(await (await fetch(img.currentSrc)).blob());
  const canvas = document.createElement('canvas');
  canvas.width = 200; canvas.height = 280;
  const ctx = canvas.getContext('2d');
  ctx.drawImage(bitmap, 0, 0, 200, 280);
  const data = ctx.getImageData(0, 0, 200, 280).data;
  let dark = 0;
  for (let i = 0; i < data.length; i += 4) if (data[i] < 200) dark++;
  return img.complete && dark > 100 ? bitmap.width : 0;
}"""

LABEL_IS = "label => document.querySelector('[data-action=fullscreen]').textContent === label"


def login(page, base, user):
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", "correct horse battery")
    page.click("form.narrow button[type=submit]")
    page.wait_for_url(f"{base}/")


def upload_through_the_form(page, base, path) -> Document:
    page.goto(f"{base}/upload/")
    page.set_input_files("#id_files", [str(path)])
    page.locator("select[name=category-0]").select_option(label="工作总结")
    page.click("#upload-form button[type=submit]")
    page.wait_for_selector(".file-row[data-status=ready]", timeout=60000)
    return Document.objects.get()


def test_read_a_document_uploaded_through_the_web(
    browser, live_server, user, inline_worker, tmp_path
):
    Category.objects.create(name="工作总结", slug="zongjie")
    base = live_server.url
    page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    login(page, base, user)
    path = tmp_path / "年度工作总结.docx"
    path.write_bytes(f.make_docx(12, title="年度工作总结"))
    doc = upload_through_the_form(page, base, path)
    assert doc.status == "ready" and doc.page_count == 12
    page.click("text=退出")  # read it as a visitor, to whom the free preview applies

    page.goto(f"{base}{doc.get_absolute_url()}")
    frames = page.locator(".page-frame")
    assert frames.count() == 5
    # Space is reserved before images load: every frame is already page-shaped.
    heights = frames.evaluate_all("fs => fs.map(f => f.getBoundingClientRect().height)")
    assert all(h > 1000 for h in heights)
    lazy = page.locator("#p5 img")
    assert lazy.get_attribute("loading") == "lazy"
    assert not lazy.evaluate("img => img.complete && img.naturalWidth > 0")  # not fetched yet
    assert page.locator("#p1 img").evaluate(REAL_PIXELS) == 1000  # the 1x rendition
    for number in range(2, 6):
        page.locator(f"#p{number}").scroll_into_view_if_needed()
        page.wait_for_function(
            f"() => document.querySelector('#p{number} img').complete", timeout=10000
        )
        assert page.locator(f"#p{number} img").evaluate(REAL_PIXELS) == 1000
    end = page.locator("#preview-end")
    end.scroll_into_view_if_needed()
    assert end.is_visible() and "7" in end.inner_text()
    assert page.locator("#p6").count() == 0
    assert page.locator("#page-input").input_value() == "5"  # the counter followed the scroll

    # The toolbar: jump, zoom, keyboard.
    page.fill("#page-input", "2")
    page.press("#page-input", "Enter")
    page.wait_for_function(BELOW_BARS, arg=2)
    width = page.locator("#p2").bounding_box()["width"]
    page.click("[data-action=zoom-in]")
    assert page.locator("#p2").bounding_box()["width"] > width * 1.2
    # Zoomed to 150 % and more, the sharper rendition (rendered on its first request).
    page.click("[data-action=zoom-in]")
    page.wait_for_function("() => document.querySelector('#p2 img').currentSrc.includes('x=2')")
    assert page.locator("#p2 img").evaluate(REAL_PIXELS) == 2000
    page.click("[data-action=zoom-out]")
    page.click("[data-action=zoom-out]")
    page.fill("#page-input", "2")  # back at page 2, at 100 %
    page.press("#page-input", "Enter")
    page.wait_for_function(BELOW_BARS, arg=2)
    page.evaluate("document.activeElement.blur()")  # keys go to the page, not the input
    page.keyboard.press("ArrowRight")
    page.wait_for_function("() => document.querySelector('#page-input').value === '3'")

    # Full screen: the reader fills the screen and its button says how to leave it.
    full = page.locator("[data-action=fullscreen]")
    assert full.inner_text() == "全屏"
    full.click()
    page.wait_for_function("() => document.fullscreenElement === document.getElementById('reader')")
    page.wait_for_function(LABEL_IS, arg="退出全屏")  # set on fullscreenchange, just after
    assert full.get_attribute("aria-pressed") == "true"
    full.click()
    page.wait_for_function("() => document.fullscreenElement === null")
    page.wait_for_function(LABEL_IS, arg="全屏")
    assert full.get_attribute("aria-pressed") == "false"

    # The text of the free pages is real text, ending where the preview ends.
    text = page.locator(".doc-text").inner_text().replace(" ", "")
    assert "第5章年度工作总结" in text and "第6章" not in text

    # Switch to English.
    page.click(".languages >> text=English")
    page.wait_for_load_state("load")
    assert page.locator("html").get_attribute("lang") == "en"
    assert "End of the free preview" in page.locator("#preview-end").inner_text()
    page.close()


def test_phone_sized_reading(browser, live_server, ingested):
    doc = ingested("总结.docx", f.make_docx(7, title="手机阅读"), title="手机上读的总结")
    page = browser.new_page(
        viewport={"width": 390, "height": 844},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        locale="zh-CN",
    )
    page.goto(f"{live_server.url}{doc.get_absolute_url()}")
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1  # nothing wider than the phone
    first = page.locator("#p1")
    assert first.bounding_box()["width"] <= 390
    # Sharp on a HiDPI phone: at least one image pixel per screen pixel.
    shown = page.locator("#p1 img").evaluate("img => img.getBoundingClientRect().width * 2")
    assert page.locator("#p1 img").evaluate(REAL_PIXELS) >= shown
    laptop = browser.new_page(
        viewport={"width": 1280, "height": 800}, device_scale_factor=2, locale="zh-CN"
    )
    laptop.goto(f"{live_server.url}{doc.get_absolute_url()}")
    assert laptop.locator("#p1 img").evaluate(REAL_PIXELS) == 2000  # HiDPI laptop: the 2x
    laptop.close()
    page.goto(f"{live_server.url}/")
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 1
    assert "手机上读的总结" in page.content()
    page.close()


def test_home_and_category_screens(browser, live_server, ingested):
    parent = Category.objects.create(name="教育/试卷", slug="jiaoyu")
    child = Category.objects.create(name="期末试卷", slug="qimo", parent=parent)
    for i in range(3):
        ingested(
            f"{i}.docx",
            f.make_docx(2, seed=i + 5),
            title=f"三年级数学期末试卷{i + 1}",
            category=child,
        )
    page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page.goto(f"{live_server.url}/")
    assert page.locator(".category-grid").inner_text().count("教育/试卷") == 1
    page.click("text=教育/试卷")
    assert page.locator(".doc-card").count() == 3
    page.click(".sort-tabs >> text=页数最多")
    page.wait_for_url("**/?sort=pages")
    assert page.locator(".doc-card").count() == 3
    phone = browser.new_page(viewport={"width": 390, "height": 844}, is_mobile=True, locale="zh-CN")
    phone.goto(f"{live_server.url}/c/jiaoyu/")
    assert phone.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 1
    # Each sort and format pill on one line (最新 and 下载最多 broke inside their pills).
    pills = phone.locator(".sort-tabs a").evaluate_all(
        "links => links.map(a => a.getClientRects().length === 1"
        " && a.getBoundingClientRect().height < 2 * parseFloat(getComputedStyle(a).lineHeight))"
    )
    assert len(pills) >= 5 and all(pills), pills
    phone.close()
    page.close()
