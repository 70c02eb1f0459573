"""Rankings: hot this week (time-decayed views and downloads) and newest, per category."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from wenku.library.models import Category, DailyStats
from wenku.search.rankings import hot, newest


@pytest.fixture
def tree(db):
    root = Category.objects.create(name="教育", slug="edu")
    child = Category.objects.create(name="试卷", slug="papers", parent=root)
    other = Category.objects.create(name="法律", slug="law")
    return root, child, other


def stats(doc, days_ago: int, views: int = 0, downloads: int = 0) -> None:
    day = timezone.localdate() - timedelta(days=days_ago)
    DailyStats.objects.create(document=doc, day=day, views=views, downloads=downloads)


def test_hot_weighs_recent_activity_and_downloads(make_doc, tree):
    root, child, other = tree
    steady = make_doc("每天有人看", category=child)
    burst_old = make_doc("六天前很火", category=root)
    downloaded = make_doc("下载多", category=other)
    ancient = make_doc("上个月很火", category=root)
    for day in range(7):
        stats(steady, day, views=20)
    stats(burst_old, 6, views=300)  # 300 views decayed by six days ≈ 37
    stats(downloaded, 0, views=10, downloads=30)  # downloads count more than views
    stats(ancient, 20, views=10_000)  # outside the week
    assert hot() == [downloaded, steady, burst_old]
    assert hot(limit=1) == [downloaded]


def test_hot_per_category_includes_descendants_and_only_ready(make_doc, tree):
    root, child, other = tree
    a = make_doc("子类文档", category=child)
    b = make_doc("根类文档", category=root)
    c = make_doc("其他", category=other)
    gone = make_doc("已撤下", category=root, status="failed")
    for doc, views in ((a, 5), (b, 3), (c, 50), (gone, 99)):
        stats(doc, 0, views=views)
    assert hot(root) == [a, b]
    assert hot(child.pk) == [a]
    assert gone not in hot()


def test_newest(make_doc, tree):
    root, child, _other = tree
    old = make_doc("旧", category=child, published_at=timezone.now() - timedelta(days=3))
    new = make_doc("新", category=root)
    make_doc("未发布", category=root, status="processing")
    assert newest(root) == [new, old]
    assert newest(child, limit=5) == [old]
