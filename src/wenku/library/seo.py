"""What search engines read: the sitemap (an index of files of ≤ 10,000 URLs) and robots.txt."""

from __future__ import annotations

from django.contrib.sitemaps import Sitemap
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.views.decorators.http import require_GET

from wenku.library.models import Category, Document, Tag

URLS_PER_FILE = 10_000


class DocumentSitemap(Sitemap):
    limit = URLS_PER_FILE
    changefreq = "monthly"

    def items(self) -> QuerySet[Document]:
        return Document.objects.public().only("pk", "published_at").order_by("pk")

    def lastmod(self, item: Document):
        return item.published_at


class CategorySitemap(Sitemap):
    limit = URLS_PER_FILE
    changefreq = "daily"

    def items(self) -> QuerySet[Category]:
        return Category.objects.order_by("pk")

    def location(self, item: Category) -> str:
        return reverse("library:category", args=[item.slug])


class TagSitemap(Sitemap):
    limit = URLS_PER_FILE
    changefreq = "weekly"

    def items(self) -> QuerySet[Tag]:
        return Tag.objects.filter(documents__status="ready").distinct().order_by("pk")

    def location(self, item: Tag) -> str:
        return item.get_absolute_url()


SITEMAPS = {"documents": DocumentSitemap, "categories": CategorySitemap, "tags": TagSitemap}


@require_GET
def robots_txt(request: HttpRequest) -> HttpResponse:
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /accounts/",
        "Disallow: /api/",
        "Disallow: /upload/",
        "Disallow: /me/",
        "Disallow: /search",
        "Allow: /",
        "",
        f"Sitemap: {request.build_absolute_uri(reverse('sitemap-index'))}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")
