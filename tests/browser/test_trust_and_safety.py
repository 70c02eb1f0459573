"""Trust and safety in a real browser: (a) a copyright notice leads to a takedown, the
uploader's counter-notice and the restoration; (b) a held near-copy is shown to a
moderator with the matching passages side by side, and rejected."""

from __future__ import annotations

import os

import pytest

from tests.browser.conftest import save_screenshot
from tests.factories.pdf import make_pdf
from tests.factories.published import words

pytestmark = [pytest.mark.live, pytest.mark.django_db(transaction=True)]
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs a loop
PASSWORD = "correct horse battery"


def signed_in(browser, base: str, name: str, phone: bool = False):  # type: ignore[no-untyped-def]
    size = {"width": 390, "height": 844} if phone else {"width": 1280, "height": 900}
    context = browser.new_context(locale="zh-CN", viewport=size, is_mobile=phone)
    page = context.new_page()
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", name)
    page.fill("input[name=password]", PASSWORD)
    page.press("input[name=password]", "Enter")
    page.wait_for_load_state("load")
    return context, page


def test_copyright_notice_takedown_counter_notice_restoration(
    browser, live_server, publish, user, django_user_model, tmp_path
):
    from wenku.library.models import Document
    from wenku.moderation.models import Notice

    django_user_model.objects.create_user("claimant", "c@example.com", PASSWORD)
    django_user_model.objects.create_user("moderator", "m@example.com", PASSWORD, is_staff=True)
    doc = publish(title="高中物理习题集", pages=3)
    base = live_server.url
    proof = tmp_path / "登记证书.pdf"
    proof.write_bytes(make_pdf(1, text="copyright registration"))

    # The rights holder reports the document: copyright leads to the notice form.
    claimant, page = signed_in(browser, base, "claimant")
    page.goto(f"{base}{doc.get_absolute_url()}")
    page.click(".report-link a")
    page.check("input[name=reason][value=copyright]")
    page.click("#report-form button[type=submit]")
    page.wait_for_selector("#notice-form")
    page.fill("input[name=claimant_name]", "某某出版社")
    page.fill("input[name=claimant_identity]", "91110000MA01234567")
    page.fill("input[name=contact]", "rights@example.com")
    page.fill("textarea[name=work]", "《高中物理习题集》2023年版，某某出版社出版")
    page.set_input_files("input[name=proof]", str(proof))
    page.check("input[name=good_faith]")
    page.click("#notice-form button[type=submit]")
    page.wait_for_selector(".messages .success")
    notice = Notice.objects.get()
    assert notice.state == "received" and notice.proof_name == "登记证书.pdf"

    # A moderator takes it down from the desk.
    staff, desk = signed_in(browser, base, "moderator")
    desk.goto(f"{base}/staff/notices/")
    desk.click(f"a[href='/staff/notices/{notice.pk}/']")
    assert "某某出版社" in desk.inner_text("main")
    desk.fill("#notice-note", "权属证明充分")
    desk.click("#take-down")
    desk.wait_for_selector("#restore")
    save_screenshot(desk, "takedown-desk")
    assert Document.objects.get(pk=doc.pk).status == "taken_down"
    assert page.goto(f"{base}{doc.get_absolute_url()}").status == 404  # gone for readers

    # The uploader sees it in 我的上传 and answers with a counter-notice.
    uploader, mine = signed_in(browser, base, user.username)
    mine.goto(f"{base}/me/uploads/")
    row = mine.locator(f"#upload-{doc.pk}")
    assert "已下架" in row.inner_text()
    row.locator("a", has_text="提交反通知").click()
    mine.fill("#c-statement", "该习题集为本人自编，原稿与出版时间均早于对方作品。")
    mine.fill("#c-contact", "alice@example.com")
    mine.click("#counter-form button[type=submit]")
    mine.wait_for_selector(".messages .success")
    assert Notice.objects.get().state == "countered"

    # The moderator reads the counter-notice and restores the document.
    desk.reload()
    assert "原稿" in desk.inner_text("#counter-statement")
    desk.click("#restore")
    desk.wait_for_selector("#notice-state")
    assert "已恢复" in desk.inner_text("#notice-state")
    assert page.goto(f"{base}{doc.get_absolute_url()}").status == 200
    history = desk.inner_text("table.audit")
    for action in ("notice_received", "take_down", "counter_notice", "restore"):
        assert action in history
    for context in (claimant, staff, uploader):
        context.close()


def test_a_held_near_copy_is_shown_with_passages_side_by_side_and_rejected(
    browser, live_server, publish, upload, job_context, other_user, django_user_model
):
    from wenku.library.models import Document
    from wenku.publishing.jobs import process

    django_user_model.objects.create_user("moderator", "m@example.com", PASSWORD, is_staff=True)
    text = words(9901, 40)
    original = publish(text=text, pages=6, title="年度工作总结")
    copy = upload("copy.pdf", make_pdf(7, text=text), owner=other_user, title="我的工作总结")
    process(copy.pk)
    copy.refresh_from_db()
    assert copy.status == "held"
    base = live_server.url

    staff, page = signed_in(browser, base, "moderator")
    page.goto(f"{base}/staff/review/")
    page.click(f"#q-{copy.pk} h2 a")
    page.wait_for_selector("table.passages")
    match = page.locator("#originality .match").first
    assert "年度工作总结" in match.inner_text()
    first = page.locator("table.passages tbody tr").first
    mine, theirs = first.locator("td").nth(0).inner_text(), first.locator("td").nth(1).inner_text()
    assert text.split()[0] in mine and text.split()[0] in theirs
    assert page.locator(".review-pages img").count() >= 5
    save_screenshot(page, "review-near-copy")
    page.fill("#decide-reason", "与已发布的《年度工作总结》基本相同")
    page.click("#reject")
    page.wait_for_selector(".messages .success")
    assert Document.objects.get(pk=copy.pk).status == "rejected"
    assert Document.objects.get(pk=original.pk).status == "ready"

    # 我的上传 on a phone: each document is a card with its state and the reason.
    uploader, mine_page = signed_in(browser, base, other_user.username, phone=True)
    mine_page.goto(f"{base}/me/uploads/")
    card = mine_page.locator(f"#upload-{copy.pk}")
    assert "基本相同" in card.inner_text()
    assert card.evaluate("row => getComputedStyle(row).display") == "block"
    assert mine_page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    save_screenshot(mine_page, "my-uploads-rejected-phone")
    staff.close()
    uploader.close()
