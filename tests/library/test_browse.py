"""Home, categories (a tree, with counts, sorting and pages), tags and uploaders."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.factories.pdf import make_pdf
from wenku.library.models import Category, Document

pytestmark = pytest.mark.django_db


@pytest.fixture
def tree(db):
    edu = Category.objects.create(name="教育/试卷", slug="jiaoyu")
    primary = Category.objects.create(name="小学", slug="xiaoxue", parent=edu)
    exams = Category.objects.create(name="期末试卷", slug="qimo", parent=primary)
    work = Category.objects.create(name="工作总结", slug="zongjie")
    return {"edu": edu, "primary": primary, "exams": exams, "work": work}


@pytest.fixture
def make_ready(user, tree):
    """Ready documents without running the pipeline (these tests are about listing them)."""
    from django.utils import timezone

    from wenku.ingest.models import Conversion

    def make(n: int, category: Category, **fields):
        docs = []
        for i in range(n):
            conversion = Conversion.objects.create(
                sha256=f"{category.pk:04d}{i:060d}", size=1, status="ready"
            )
            docs.append(
                Document.objects.create(
                    title=fields.get("title", f"{category.name}{i}"),
                    owner=fields.get("owner", user),
                    category=category,
                    conversion=conversion,
                    original_name="a.pdf",
                    size=1000,
                    format="pdf",
                    page_count=fields.get("pages", i + 1),
                    char_count=100,
                    status="ready",
                    view_count=fields.get("views", i),
                    published_at=timezone.now(),
                )
            )
        return docs

    return make


def test_home_has_search_newest_most_viewed_and_category_counts(client, tree, make_ready):
    make_ready(3, tree["exams"])
    make_ready(2, tree["work"])
    html = client.get("/").content.decode()
    assert 'action="/search"' in html and 'name="q"' in html
    edu = html.split(f'href="{reverse("library:category", args=["jiaoyu"])}"')[1][:200]
    assert '<span class="count">3</span>' in edu  # counted through the tree
    assert "工作总结4" not in html and "工作总结1" in html


def test_category_page_includes_descendants_sorts_and_pages(client, tree, make_ready):
    make_ready(25, tree["exams"])
    make_ready(1, tree["work"])
    url = reverse("library:category", args=["jiaoyu"])
    html = client.get(url).content.decode()
    assert "25" in html and html.count('class="doc-card"') == 20
    assert 'rel="next"' in html and "工作总结" not in html.split("<main")[1].split("doc-grid")[1]
    second = client.get(url + "?page=2").content.decode()
    assert second.count('class="doc-card"') == 5
    by_pages = client.get(url + "?sort=pages").content.decode()
    assert by_pages.index("期末试卷24") < by_pages.index("期末试卷23")
    assert "期末试卷0<" not in by_pages  # the 1-page document is on the last page
    newest_first = client.get(url + "?sort=new").content.decode()
    assert "期末试卷24" in newest_first
    assert 'aria-current="page">小学' not in html  # breadcrumb: 教育/试卷 is current
    partial = client.get(url + "?sort=views", headers={"HX-Request": "true"}).content.decode()
    assert partial.startswith('<div id="listing">') and "<html" not in partial


def test_unknown_sort_falls_back_to_newest(client, tree, make_ready):
    make_ready(2, tree["work"])
    assert (
        client.get(reverse("library:category", args=["zongjie"]) + "?sort=drop").status_code == 200
    )


def test_tag_page(client, ingested):
    ingested("a.pdf", make_pdf(1), title="带标签的文档", tags="期末, 数学")
    ingested("b.pdf", make_pdf(1, text="other"), title="没有这个标签")
    html = client.get(reverse("library:tag", args=["数学"])).content.decode()
    assert "带标签的文档" in html and "没有这个标签" not in html
    assert client.get(reverse("library:tag", args=["不存在"])).status_code == 404


def test_uploader_page_lists_public_documents_and_counts(
    client, user, other_user, tree, make_ready
):
    make_ready(3, tree["work"], views=7)
    make_ready(1, tree["edu"], owner=other_user, title="别人的文档")
    html = client.get(reverse("library:uploader", args=["alice"])).content.decode()
    assert "别人的文档" not in html and html.count('class="doc-card"') == 3
    assert "<strong>3</strong>" in html and "<strong>21</strong>" in html  # documents, views


def test_categories_are_editable_in_the_admin(admin_client, tree):
    response = admin_client.get(f"/admin/library/category/{tree['exams'].pk}/change/")
    assert response.status_code == 200 and "parent" in response.content.decode()


def test_hot_this_week_on_the_home_and_category_pages(client, tree, make_ready):
    """Given views and downloads this week, when opening the home page and a category,
    then 本周热门 lists the hottest first, the category only its own subtree; a page
    with no activity this week shows no such list."""
    from django.core.cache import cache
    from django.utils import timezone

    from wenku.library.models import DailyStats

    exam, other_exam = make_ready(2, tree["exams"])
    (summary,) = make_ready(1, tree["work"])
    today = timezone.localdate()
    assert "hot-title" not in client.get("/").content.decode()
    for doc, views, downloads in ((exam, 5, 0), (other_exam, 1, 0), (summary, 2, 3)):
        DailyStats.objects.create(document=doc, day=today, views=views, downloads=downloads)
    cache.clear()  # the anonymous home page is cached for a minute
    home = client.get("/").content.decode()
    hot = home.split('id="hot-title"', 1)[1].split("</ol>", 1)[0]
    assert hot.index(summary.title) < hot.index(exam.title) < hot.index(other_exam.title)
    page = client.get(reverse("library:category", args=["jiaoyu"])).content.decode()
    hot = page.split('id="hot-title"', 1)[1].split("</ol>", 1)[0]
    assert hot.index(exam.title) < hot.index(other_exam.title) and summary.title not in hot
    work = client.get(reverse("library:category", args=["zongjie"])).content.decode()
    assert summary.title in work.split('id="hot-title"', 1)[1].split("</ol>", 1)[0]


def test_category_sorts_by_downloads_and_rating_and_filters_by_format(
    client, tree, make_ready, other_user
):
    """Given documents of two formats with downloads and ratings, Then the category page
    sorts them by 下载最多 and by 评分 (unrated last), keeps one format on request, and
    shows each card's price."""
    from wenku.community.models import Rating

    few, many, unrated = make_ready(3, tree["work"])
    Document.objects.filter(pk=many.pk).update(download_count=9, format="docx")
    Document.objects.filter(pk=few.pk).update(download_count=1, pricing="points", price=4)
    Rating.objects.create(document=few, user=other_user, stars=5)
    Rating.objects.create(document=many, user=other_user, stars=2)
    url = reverse("library:category", args=["zongjie"])
    by_downloads = client.get(url + "?sort=downloads").content.decode()
    assert by_downloads.index(many.title) < by_downloads.index(few.title)
    by_rating = client.get(url + "?sort=rating").content.decode()
    assert by_rating.index(few.title) < by_rating.index(many.title) < by_rating.index(unrated.title)
    docx = client.get(url + "?sort=rating&format=docx").content.decode()
    assert docx.count('class="doc-card"') == 1 and many.title in docx
    assert 'href="?sort=rating&amp;format=pdf"' in docx  # the other format, sort kept
    assert "4 points" in by_downloads or "4积分" in by_downloads.replace(" ", "")
