"""Accounts and community in a real browser: sign up through the form, confirm the address from
the mail, log in with the address; then rate, save and comment on a document."""

from __future__ import annotations

import os
import re

import pytest
from django.core import mail

from tests.browser.conftest import save_screenshot
from tests.factories.pdf import make_pdf
from wenku.accounts.models import User
from wenku.community.models import Comment, Favourite, Rating
from wenku.economy.queries import balance

pytestmark = [pytest.mark.live, pytest.mark.django_db(transaction=True)]
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs a loop
PASSWORD = "Plum blossoms in snow 1949"


def sign_up(page, base: str) -> User:
    page.goto(f"{base}/accounts/register/")
    page.fill("#id_username", "li_lei")
    page.fill("#id_email", "li.lei@example.com")
    page.fill("#id_password1", PASSWORD)
    page.fill("#id_password2", PASSWORD)
    page.click("form.narrow button[type=submit]")
    page.wait_for_url(f"{base}/accounts/register/sent/")
    assert "li.lei@example.com" in page.inner_text("main")
    return User.objects.get(username="li_lei")


def link_from_the_outbox(address: str) -> str:
    mails = [m for m in mail.outbox if address in m.to]
    assert len(mails) == 1
    return re.search(r"https?://\S+", mails[0].body)[0]


def test_sign_up_verify_and_log_in_with_the_address(page, live_server):
    base = live_server.url
    user = sign_up(page, base)
    assert not user.is_active

    # Before confirming, log-in is refused with a reason and a way to get the mail again.
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", "li.lei@example.com")
    page.fill("#id_password", PASSWORD)
    page.click("form.narrow button[type=submit]")
    assert page.locator("form[action='/accounts/verify/resend/']").count() == 1

    page.goto(link_from_the_outbox("li.lei@example.com"))
    page.click("main form button[type=submit]")
    page.wait_for_url(f"{base}/accounts/login/")
    user.refresh_from_db()
    assert user.is_active and user.email_verified_at is not None
    assert balance(user) > 0  # the sign-up bonus, granted on verification

    page.fill("#id_username", "LI.LEI@example.com")
    page.fill("#id_password", PASSWORD)
    page.click("form.narrow button[type=submit]")
    page.wait_for_url(f"{base}/")
    page.click("header a[href='/me/']")
    page.wait_for_url(f"{base}/me/")
    assert page.locator("#me-balance").inner_text() == str(balance(user))
    save_screenshot(page, "personal-centre")


def test_rate_save_and_comment_in_the_browser(page, live_server, ingested, other_user):
    doc = ingested("评论.pdf", make_pdf(2, text="comments"), title="可以评论的文档")
    base = live_server.url
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", "bob@example.com")
    page.fill("#id_password", "correct horse battery")
    page.click("form.narrow button[type=submit]")
    page.wait_for_url(f"{base}/")
    page.goto(f"{base}{doc.get_absolute_url()}")

    page.click("label[for=star-4]")
    page.click(".rate-form button[type=submit]")
    page.wait_for_selector(".rating-average")
    assert page.inner_text(".rating-average") == "4.0"
    assert Rating.objects.get().stars == 4

    page.fill("#fav-new", "考试资料")
    page.click(".favourite-form button[type=submit]")
    page.wait_for_selector(".favourite-box .saved")
    assert Favourite.objects.get().folder.name == "考试资料"

    page.fill("#comment-body", "<b>很有帮助</b> 谢谢分享")
    page.click(".comment-form button[type=submit]")
    page.wait_for_selector(".comment-body")
    assert page.inner_text(".comment-body") == "<b>很有帮助</b> 谢谢分享"  # shown as text
    assert "(1)" in page.inner_text("#comments-title")
    first = Comment.objects.get()
    page.click(f"#comment-{first.pk} .reply-box summary")
    page.fill(f"#reply-{first.pk}", "补充一句")
    page.click(f"#comment-{first.pk} .reply-box button[type=submit]")
    page.wait_for_selector(".replies .comment-body")
    assert "(2)" in page.inner_text("#comments-title")
    save_screenshot(page, "document-community")


def test_the_personal_centre_s_navigation_shows_the_current_page_on_a_phone(
    browser, live_server, user
):
    """On a phone the navigation's pills scroll sideways: the current page's pill is in
    view on every page (from the fifth on it was off-screen, right of the edge)."""
    base = live_server.url
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True, locale="zh-CN"
    )
    page = context.new_page()
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", "correct horse battery")
    page.click("form.narrow button[type=submit]")
    page.wait_for_url(f"{base}/")
    for path in ("/me/", "/me/points/", "/me/vip/", "/me/notifications/"):
        page.goto(f"{base}{path}")
        page.wait_for_load_state("load")
        here = page.locator(".me-nav [aria-current=page]").bounding_box()
        assert here is not None and here["x"] >= 0 and here["x"] + here["width"] <= 390, path
    context.close()
