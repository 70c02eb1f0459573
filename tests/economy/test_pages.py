"""The economy in the browser's pages: the download box, confirmation, the signed link and
the file it serves, the personal centre, the 最近下载 feed."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import signing
from django.utils import timezone

from tests.economy.conftest import give
from wenku.economy import links, queries
from wenku.economy.models import Download, VipPlan

pytestmark = pytest.mark.django_db


@pytest.fixture
def en(client):
    client.cookies["django_language"] = "en"
    return client


def confirm_and_follow(client, doc, key="k1"):
    response = client.post(f"/d/{doc.pk}/download/", {"key": key})
    assert response.status_code == 302, response.content.decode()[:500]
    return response, client.get(response["Location"])


def file_url(ready_page) -> str:
    import re

    return re.search(r'id="file-link" href="([^"]+)"', ready_page.content.decode()).group(1)


def test_the_document_page_says_what_the_download_costs(en, publish, rules, reader):
    doc = publish(pricing="points", price=12)
    give(reader, 40)
    en.force_login(reader)
    html = en.get(doc.get_absolute_url()).content.decode()
    box = html[html.index('class="card download-box"') :]
    assert "Download (12 points)" in box
    assert "12 points; your balance after the download: 28 points." in box
    assert html.index("download-box") < html.index('id="info-title"')  # top of the aside


def test_guests_are_asked_to_log_in_and_vip_documents_are_marked(en, publish, rules):
    doc = publish(pricing="vip_free", price=5)
    html = en.get(doc.get_absolute_url()).content.decode()
    assert "Log in to download" in html
    assert '<span class="badge vip">VIP</span>' in html


def test_confirming_charges_once_and_serves_the_file_as_an_attachment(en, publish, rules, reader):
    doc = publish(pricing="points", price=10, title="2024年 工作/总结")
    give(reader, 25)
    en.force_login(reader)
    page = en.get(f"/d/{doc.pk}/download/").content.decode()
    assert 'id="balance">25<' in page and 'id="balance-after">15<' in page
    assert "Pay 10 points and download" in page
    _, ready = confirm_and_follow(en, doc, key="tok")
    assert queries.balance(reader) == 15
    assert "10 points were charged; your balance is 15 points." in ready.content.decode()
    # The file starts by itself from a static script (no timed refresh: axe's meta-refresh).
    assert (
        "wenku/download.js" in ready.content.decode() and "data-autostart" in ready.content.decode()
    )
    assert 'http-equiv="refresh"' not in ready.content.decode()
    # Submitting the same confirmation again (a double click, a reload) is not charged.
    en.post(f"/d/{doc.pk}/download/", {"key": "tok"})
    assert queries.balance(reader) == 15 and Download.objects.count() == 1
    response = en.get(file_url(ready))
    body = b"".join(response.streaming_content)
    assert response.status_code == 200 and body.startswith(b"%PDF")
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert f'filename="document-{doc.pk}.pdf"' in disposition
    assert "filename*=UTF-8''2024%E5%B9%B4%20%E5%B7%A5%E4%BD%9C%20%E6%80%BB%E7%BB%93.pdf" in (
        disposition
    )  # 2024年 工作 总结.pdf: the slash is gone
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]


def test_the_download_takes_the_extension_of_the_detected_format(en, publish, rules, reader):
    """Given a PDF uploaded as 报告.hta (a runnable name on Windows), when it is downloaded,
    then the file is called 报告.pdf: the uploader's extension is never used."""
    from wenku.economy.downloads import download
    from wenku.library.models import Document

    doc = publish()
    Document.objects.filter(pk=doc.pk).update(original_name="报告.hta", title="报告")
    doc.refresh_from_db()
    response = en.get(download(reader, doc).link.url)
    b"".join(response.streaming_content)
    assert "filename*=UTF-8''%E6%8A%A5%E5%91%8A.pdf" in response["Content-Disposition"]
    assert f'filename="document-{doc.pk}.pdf"' in response["Content-Disposition"]


@pytest.mark.parametrize("name", ["setup.bat", "run.hta", "macro.vbs", "notes.txt", "notes"])
def test_a_text_document_downloads_as_txt_whatever_it_was_called(name):
    from wenku.economy.files import filename
    from wenku.library.models import Document

    assert filename(Document(title="安装说明", format="txt", original_name=name)) == "安装说明.txt"


def test_the_original_of_a_document_with_macros_is_never_served(en, publish, rules, reader):
    """Given a document kept as a preview although its file has macros
    (WENKU_MACRO_DOCUMENTS=preview), then no one is offered its original, and a link signed
    before is refused too."""
    from wenku.economy.downloads import download, quote
    from wenku.ingest.models import Conversion

    doc = publish()
    link = download(reader, doc).link.url
    Conversion.objects.filter(pk=doc.conversion_id).update(macros=True)
    doc.refresh_from_db()
    refused = quote(reader, doc)
    assert refused.refusal == "original_withheld" and refused.status == 403
    assert "macros" in refused.message
    assert en.get(link).status_code == 403


def test_not_enough_points_is_a_message_not_an_error(en, publish, rules, reader):
    doc = publish(pricing="points", price=50)
    give(reader, 8)
    en.force_login(reader)
    page = en.get(f"/d/{doc.pk}/download/")
    html = page.content.decode()
    assert page.status_code == 200 and "confirm-download" not in html
    assert "This document costs 50 points and your balance is 8 points." in html
    assert re.search(r'<a class="button"[^>]* href="/points/">How to earn points</a>', html)
    posted = en.post(f"/d/{doc.pk}/download/", {"key": "x"})
    assert posted.status_code == 402 and "costs 50 points" in posted.content.decode()
    assert queries.balance(reader) == 8 and not Download.objects.exists()


def test_free_for_you_says_why(en, publish, rules, reader):
    rules.redownload_window_hours = 24
    rules.save()
    doc = publish(pricing="points", price=3)
    give(reader, 3)
    en.force_login(reader)
    confirm_and_follow(en, doc)
    html = en.get(f"/d/{doc.pk}/download/").content.decode()
    assert "Free for you: re-download within 24 hours of your last download." in html
    assert "Download free" in html


def test_a_tampered_link_is_not_found_and_an_old_one_has_expired(en, publish, rules, reader):
    doc = publish()
    grant = __import__("wenku.economy.downloads", fromlist=["download"]).download(reader, doc)
    token = grant.link.token
    other = str(int(token.split(":")[0]) + 1) + token[token.index(":") :]
    assert en.get(f"/dl/{other}/").status_code == 404
    assert en.get(f"/dl/{token[:-2]}xx/").status_code == 404
    assert en.get("/dl/1/").status_code == 404
    signer = signing.TimestampSigner(salt=links.SALT)
    signer.timestamp = lambda: signing.b62_encode(int(timezone.now().timestamp()) - 301)
    stale = signer.sign(str(grant.download.pk))
    response = en.get(f"/dl/{stale}/")
    assert response.status_code == 410 and "expired" in response.content.decode()
    en.force_login(reader)  # the download's page is for its downloader only
    ready = en.get(f"/downloads/{grant.download.pk}/?t={stale}")
    assert "This download link has expired" in ready.content.decode()


def test_the_file_is_gone_once_the_document_is_taken_down(en, publish, rules, reader):
    from wenku.library.models import Document

    doc = publish()
    grant = __import__("wenku.economy.downloads", fromlist=["download"]).download(reader, doc)
    Document.objects.filter(pk=doc.pk).update(status="failed")
    assert en.get(grant.link.url).status_code == 404


def test_guests_download_through_the_same_confirmation_when_allowed(en, publish, rules):
    rules.guests_may_download_free = True
    rules.save()
    doc = publish()
    _, ready = confirm_and_follow(en, doc)
    assert ready.status_code == 200 and Download.objects.get().basis == "guest"
    response = en.get(file_url(ready))
    assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_the_ledger_page_and_the_daily_sign_in(en, rules, reader):
    rules.sign_in_reward = 2
    rules.save()
    give(reader, 5)
    en.force_login(reader)
    html = en.get("/me/points/").content.decode()
    assert 'id="balance">5<' in html and "Daily sign-in (+2 points)" in html
    response = en.post("/me/points/sign-in/", follow=True)
    html = response.content.decode()
    assert "Signed in for today: +2 points. Your balance is 7." in html
    assert "You have signed in today" in html and 'id="sign-in"' not in html
    again = en.post("/me/points/sign-in/", follow=True).content.decode()
    assert "already signed in today" in again and queries.balance(reader) == 7


def test_the_ledger_is_paginated(en, rules, reader):
    for _ in range(35):
        give(reader, 1)
    en.force_login(reader)
    first = en.get("/me/points/").content.decode()
    assert first.count('class="credit"') == 30 and "1 / 2" in first
    assert en.get("/me/points/?page=2").content.decode().count('class="credit"') == 5


def test_my_downloads_offers_a_free_re_download_then_the_price(en, publish, rules, reader):
    rules.redownload_window_hours = 24
    rules.save()
    doc = publish(pricing="points", price=6, title="题库")
    give(reader, 6)
    en.force_login(reader)
    confirm_and_follow(en, doc)
    html = en.get("/me/downloads/").content.decode()
    assert "题库" in html and "Free until" in html
    Download.objects.update(created_at=timezone.now() - timedelta(hours=25))
    html = en.get("/me/downloads/").content.decode()
    assert "Free until" not in html and "6 points" in html


def test_the_vip_page_sells_plans(en, rules, reader):
    plan = VipPlan.objects.create(name="季卡", days=90, price=20)
    give(reader, 30)
    en.force_login(reader)
    assert "季卡" in en.get("/me/vip/").content.decode()
    html = en.post(f"/me/vip/{plan.pk}/buy/", {"key": "a"}, follow=True).content.decode()
    assert "You are a VIP member until" in html and queries.balance(reader) == 10
    html = en.post(f"/me/vip/{plan.pk}/buy/", {"key": "b"}, follow=True).content.decode()
    assert "costs 20 points and your balance is 10 points" in html


def test_buying_vip_is_confirmed_first(en, rules, reader):
    """Given a plan, When its buy button is followed, Then a page says what it costs, the
    balance after and the new end, and nothing is charged until it is confirmed."""
    plan = VipPlan.objects.create(name="月卡", days=30, price=20)
    give(reader, 25)
    en.force_login(reader)
    assert f'href="/me/vip/{plan.pk}/buy/"' in en.get("/me/vip/").content.decode()
    html = en.get(f"/me/vip/{plan.pk}/buy/").content.decode()
    assert 'id="balance-after">5<' in html and 'id="confirm-vip"' in html
    assert queries.balance(reader) == 25 and queries.vip_until(reader) is None
    en.post(f"/me/vip/{plan.pk}/buy/", {"key": "k"})
    assert queries.balance(reader) == 5 and queries.vip_until(reader) is not None
    html = en.get(f"/me/vip/{plan.pk}/buy/").content.decode()
    assert 'id="confirm-vip"' not in html and "How to earn points" in html


def test_a_daily_sign_in_reads_once_in_the_ledger(en, rules, reader):
    """The ledger line said "每日签到: 每日签到" (the reason and a note saying it again)."""
    from wenku.economy import domain

    rules.sign_in_reward = 2
    rules.save()
    domain.daily_sign_in(reader)
    en.force_login(reader)
    html = en.get("/me/points/").content.decode()
    row = html[html.index("<tbody>") : html.index("</tbody>")]
    assert row.count("daily sign-in") == 1


def test_the_header_shows_the_balance_and_vip(en, rules, reader):
    from wenku.economy import domain

    give(reader, 42)
    en.force_login(reader)
    header = en.get("/search").content.decode().split("</header>")[0]
    assert "42 points" in header and "Become VIP" in header
    domain.grant_vip(reader, 3)
    header = en.get("/search").content.decode().split("</header>")[0]
    assert 'class="badge vip"' in header


def test_how_to_earn_points_states_the_site_s_rules(en, rules):
    rules.sign_in_reward, rules.upload_reward = 3, 7
    rules.save()
    html = en.get("/points/").content.decode()
    assert "+3 points a day" in html and "+7 points per upload" in html


def test_my_uploads_shows_downloads_and_earnings(en, publish, rules, user, reader):
    doc = publish(pricing="points", price=10)
    give(reader, 10)
    __import__("wenku.economy.downloads", fromlist=["download"]).download(reader, doc)
    en.force_login(user)
    html = en.get("/me/uploads/").content.decode()
    row = html[html.index(doc.title) :]
    assert '<td class="downloads" data-label="Downloads">1</td>' in row
    assert '<td class="earned" data-label="Points earned">7</td>' in row


def test_recent_downloads_feed_site_wide_and_per_category(en, publish, rules, reader, other_user):
    from wenku.economy.downloads import download
    from wenku.library.models import Category

    parent = Category.objects.create(name="教育", slug="jiaoyu")
    child = Category.objects.create(name="试卷", slug="shijuan", parent=parent)
    other = Category.objects.create(name="合同", slug="hetong")
    exam = publish(title="期末试卷", category=child, pricing="vip_free", price=2)
    deal = publish(title="租房合同", category=other)
    own = publish(owner=reader, title="自己的文档", category=child)
    grant_vip = __import__("wenku.economy.domain", fromlist=["x"]).grant_vip
    grant_vip(reader, 1)
    give(other_user, 2)
    download(reader, exam)
    download(other_user, deal)
    download(other_user, exam)
    download(reader, own)  # the owner's own download is not news
    assert [d.title for d in queries.recent_downloads()] == ["期末试卷", "租房合同"]
    assert [d.title for d in queries.recent_downloads(parent)] == ["期末试卷"]
    home = en.get("/").content.decode()
    feed = home[home.index("recent-downloads") :]
    assert "期末试卷" in feed and '<span class="badge vip">VIP</span>' in feed
    assert reader.username not in feed and other_user.username not in feed
    category_page = en.get("/c/jiaoyu/").content.decode()
    assert "recent-downloads" in category_page and "租房合同" not in category_page


def test_a_document_page_s_recent_downloads_top_up_from_the_whole_site(
    en, publish, rules, other_user
):
    """Given a young category with one downloaded document and others downloaded
    elsewhere, When one of its documents is read, Then 最近下载 lists its category's
    download first and fills the box from the whole site (it was one line long); a
    category with enough downloads of its own shows only those."""
    from wenku.economy.downloads import download
    from wenku.library.models import Category

    young = Category.objects.create(name="试卷", slug="shijuan")
    busy = Category.objects.create(name="合同", slug="hetong")
    exam = publish(title="期末试卷", category=young)
    reading = publish(title="单元测验", category=young)
    deals = [publish(title=f"合同范本{n}", category=busy) for n in range(5)]
    download(other_user, exam)
    for deal in deals:
        download(other_user, deal)
    html = en.get(reading.get_absolute_url()).content.decode()
    feed = html[html.index('id="recent-downloads-title"') :]
    assert feed.index("期末试卷") < feed.index("合同范本4") and "合同范本0" in feed
    busy_page = en.get(deals[0].get_absolute_url()).content.decode()
    busy_feed = busy_page[busy_page.index('id="recent-downloads-title"') :]
    assert "合同范本4" in busy_feed and "期末试卷" not in busy_feed
