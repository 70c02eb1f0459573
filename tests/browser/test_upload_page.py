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
