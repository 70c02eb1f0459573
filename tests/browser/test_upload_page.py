"""The upload page in a real browser: several files, editable details, progress, status."""

from __future__ import annotations

import os

import pytest

from tests.factories import documents as f
from tests.factories.pdf import make_pdf
from wenku.library.models import Category, Document

pytestmark = [pytest.mark.live, pytest.mark.django_db(transaction=True)]
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs a loop


def login(page, live_server, user):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", "correct horse battery")
    page.click("form.narrow button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")


def test_upload_several_files_with_their_own_details(
    page, live_server, user, inline_worker, tmp_path
):
    Category.objects.create(name="教案课件", slug="kejian")
    login(page, live_server, user)
    page.goto(f"{live_server.url}/upload/")
    first, second = tmp_path / "第一单元.docx", tmp_path / "报表.pdf"
    first.write_bytes(f.make_docx(2))
    second.write_bytes(make_pdf(3))
    page.set_input_files("#id_files", [str(first), str(second)])
    rows = page.locator(".file-row")
    assert rows.count() == 2
    assert rows.nth(0).locator("input[name=title-0]").input_value() == "第一单元"
    rows.nth(0).locator("input[name=title-0]").fill("三年级语文第一单元教案")
    rows.nth(0).locator("select[name=category-0]").select_option(label="教案课件")
    rows.nth(1).locator("input[name=tags-1]").fill("报表, 统计")

    page.click("#upload-form button[type=submit]")
    page.wait_for_function(
        "() => document.querySelectorAll('.file-row[data-status=ready]').length === 2",
        timeout=60000,
    )
    progress = rows.locator("progress").evaluate_all("ps => ps.map(p => p.value)")
    assert progress == [100, 100]
    docs = {d.title: d for d in Document.objects.all()}
    assert docs["三年级语文第一单元教案"].category.slug == "kejian"
    assert sorted(t.name for t in docs["报表"].tags.all()) == ["报表", "统计"]
    link = rows.nth(0).locator("a")
    assert link.get_attribute("href") == docs["三年级语文第一单元教案"].get_absolute_url()


def test_details_chosen_after_the_files_reach_every_document(
    page, live_server, user, inline_worker, tmp_path
):
    """Given files picked first (the form's own order), When the category and tags are
    chosen afterwards above them, Then every file follows them (before: published with
    neither), each row says what it will be published with, and a file whose own tags
    were edited keeps them."""
    Category.objects.create(name="教案课件", slug="kejian")
    Category.objects.create(name="其他", slug="qita")
    login(page, live_server, user)
    page.goto(f"{live_server.url}/upload/")
    first, second = tmp_path / "第一单元.pdf", tmp_path / "第二单元.pdf"
    first.write_bytes(make_pdf(1, text="unit one"))
    second.write_bytes(make_pdf(1, text="unit two"))
    page.set_input_files("#id_files", [str(first), str(second)])
    page.select_option("#id_category", label="其他")
    page.fill("#id_tags", "期末")
    rows = page.locator(".file-row")
    rows.nth(1).locator("input[name=tags-1]").fill("单独")  # this file's own tags
    page.select_option("#id_category", label="教案课件")
    page.fill("#id_tags", "期末, 复习")
    assert rows.nth(0).locator("select[name=category-0]").input_value() == str(
        Category.objects.get(slug="kejian").pk
    )
    summary = rows.nth(0).locator(".will-publish").inner_text()
    assert "教案课件" in summary and "期末" in summary and "复习" in summary
    assert "单独" in rows.nth(1).locator(".will-publish").inner_text()

    page.click("#upload-form button[type=submit]")
    page.wait_for_function(
        "() => document.querySelectorAll('.file-row[data-status=ready]').length === 2",
        timeout=60000,
    )
    docs = {d.title: d for d in Document.objects.all()}
    assert {d.category.slug for d in docs.values()} == {"kejian"}
    assert sorted(t.name for t in docs["第一单元"].tags.all()) == ["复习", "期末"]
    assert [t.name for t in docs["第二单元"].tags.all()] == ["单独"]


def test_a_short_priced_upload_previews_one_page(
    browser, live_server, user, inline_worker, tmp_path
):
    """Given a 3-page document uploaded from the form for 50 points (before: readable in
    full, as images and text), When a visitor opens it, Then one page shows, then the end
    of the preview; page 2 is refused even with a validly signed URL."""
    from wenku.library import signing

    context = browser.new_context(locale="zh-CN")
    uploader = context.new_page()
    login(uploader, live_server, user)
    uploader.goto(f"{live_server.url}/upload/")
    assert not uploader.locator("#field-price").is_visible()  # free: no price asked
    path = tmp_path / "短文档.pdf"
    path.write_bytes(make_pdf(3, text="paid words"))
    uploader.set_input_files("#id_files", [str(path)])
    uploader.select_option("#id_pricing", "points")
    uploader.fill("#id_price", "50")
    assert "50" in uploader.locator(".will-publish").inner_text()
    uploader.click("#upload-form button[type=submit]")
    uploader.wait_for_selector(".file-row[data-status=ready]", timeout=60000)
    context.close()
    doc = Document.objects.get()
    assert (doc.pricing, doc.price, doc.page_count) == ("points", 50, 3)

    visitor = browser.new_page(locale="zh-CN")
    visitor.goto(f"{live_server.url}{doc.get_absolute_url()}")
    assert visitor.locator(".page-frame").count() == 1
    assert visitor.locator("#preview-end").is_visible()
    html = visitor.content()
    assert "paid words 1" in html and "paid words 2" not in html and "paid words 3" not in html
    refused = visitor.request.get(f"{live_server.url}{signing.page_url(doc.pk, 2)}")
    assert refused.status == 403
    visitor.close()


def test_the_drop_zone_picks_files_and_states_the_size_limit(
    page, live_server, user, settings, tmp_path
):
    """The zone is the file picker (a click anywhere on it opens the chooser; the
    browser's own button, worded in the browser's language, is hidden), files dropped on
    it are listed like chosen ones, and the stated size limit is checked before sending."""
    settings.WENKU = settings.WENKU.replace(max_upload_mb=1)
    login(page, live_server, user)
    page.goto(f"{live_server.url}/upload/")
    zone = page.locator("#drop-zone")
    assert "1 MB" in zone.inner_text()
    native = page.locator("#id_files").bounding_box()
    assert native is not None and native["width"] <= 1 and native["height"] <= 1
    small, big = tmp_path / "说明.pdf", tmp_path / "扫描件.pdf"
    small.write_bytes(make_pdf(1, text="small"))
    big.write_bytes(make_pdf(1, text="big") + b"%" * (1024 * 1024))
    with page.expect_file_chooser() as chooser:
        zone.click(position={"x": 8, "y": 8})  # the zone's edge, outside its words
    chooser.value.set_files([str(small), str(big)])
    rows = page.locator(".file-row")
    assert rows.count() == 2
    assert rows.nth(0).get_attribute("data-status") is None
    assert rows.nth(1).get_attribute("data-status") == "failed"
    assert "1 MB" in rows.nth(1).locator(".status").inner_text()

    dropped = page.evaluate_handle(
        """() => { const data = new DataTransfer();
                   data.items.add(new File(['第三单元'], '第三单元.txt', {type: 'text/plain'}));
                   return data; }"""
    )
    zone.dispatch_event("drop", {"dataTransfer": dropped})
    assert rows.count() == 3
    assert rows.nth(2).locator("input[name=title-2]").input_value() == "第三单元"
