"""Reading the library: the data behind the browsing pages and the document page.

Views render these; they hold no query logic of their own.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.paginator import Page as PaginatorPage
from django.core.paginator import Paginator
from django.db.models import Count, Q, QuerySet, Sum
from django.utils.translation import gettext_lazy as _

from wenku.ingest.models import Page
from wenku.library import access, signing
from wenku.library.models import Category, Document

PER_PAGE = 20
SORTS = {
    "new": ("-published_at", _("Newest")),
    "views": ("-view_count", _("Most viewed")),
    "pages": ("-page_count", _("Most pages")),
}
CARD_FIELDS = ("owner", "category")


def cards(queryset: QuerySet[Document]) -> QuerySet[Document]:
    """What a document card shows, fetched in the same query."""
    return queryset.select_related(*CARD_FIELDS)


def listing(queryset: QuerySet[Document], sort: str, page: str | int | None) -> PaginatorPage:
    order = SORTS.get(sort, SORTS["new"])[0]
    ordered = cards(queryset).order_by(order, "-pk")
    return Paginator(ordered, PER_PAGE).get_page(page)


# --- categories


@dataclass
class CategoryNode:
    category: Category
    count: int = 0  # ready documents here and below
    children: list[CategoryNode] = field(default_factory=list)


def category_tree() -> list[CategoryNode]:
    """Every category with its ready-document count including its descendants."""
    direct = dict(
        Document.objects.public()
        .exclude(category=None)
        .values_list("category")
        .annotate(n=Count("pk"))
        .values_list("category", "n")
    )
    nodes = {c.pk: CategoryNode(c, direct.get(c.pk, 0)) for c in Category.objects.all()}
    roots: list[CategoryNode] = []
    for node in nodes.values():
        parent = nodes.get(node.category.parent_id) if node.category.parent_id else None
        (parent.children if parent else roots).append(node)
    for root in roots:
        _sum_counts(root)
    return roots


def _sum_counts(node: CategoryNode) -> int:
    node.count += sum(_sum_counts(child) for child in node.children)
    return node.count


def descendant_ids(category: Category) -> list[int]:
    parents = {c.pk: c.parent_id for c in Category.objects.only("pk", "parent_id")}
    found = [category.pk]
    for pk in parents:
        ancestor = parents.get(pk)
        while ancestor is not None:
            if ancestor == category.pk:
                found.append(pk)
                break
            ancestor = parents.get(ancestor)
    return found


def breadcrumbs(category: Category) -> list[Category]:
    trail = [category]
    while trail[0].parent_id:
        trail.insert(0, Category.objects.get(pk=trail[0].parent_id))
    return trail


# --- one document


@dataclass(frozen=True)
class PageView:
    number: int
    width: int
    height: int
    url: str


def preview_pages(user: Any, document: Document) -> list[PageView]:
    """The pages this reader may see, with their shape (to reserve space) and signed URLs."""
    visible = [
        p
        for p in Page.objects.filter(conversion=document.conversion_id).only(
            "number", "width", "height"
        )
        if access.can_view_page(user, document, p.number)
    ]
    return [
        PageView(
            p.number,
            1000,
            max(1, round(1000 * p.height / max(p.width, 1.0))),
            signing.page_url(document.pk, p.number),
        )
        for p in visible
    ]


def free_text(document: Document) -> list[dict[str, str]]:
    """Headings and paragraphs of the free pages, each block tagged with its page."""
    pages = Page.objects.filter(
        conversion=document.conversion_id, number__lte=document.free_pages
    ).only("number", "blocks", "text")
    blocks: list[dict[str, str]] = []
    for page in pages:
        for block in page.blocks or _paragraphs(page.text):
            blocks.append({**block, "page": str(page.number)})
    return blocks


def _paragraphs(text: str) -> Iterable[dict[str, str]]:
    return ({"k": "p", "t": line.strip()} for line in text.split("\n") if line.strip())


def excerpt(document: Document, length: int = 160) -> str:
    if document.description:
        return document.description[:length]
    first = Page.objects.filter(conversion=document.conversion_id, number=1).only("text").first()
    text = " ".join((first.text if first else "").split())
    return text[:length]


def uploader_stats(user: Any) -> dict[str, int]:
    return (
        Document.objects.public()
        .filter(owner=user)
        .aggregate(
            documents=Count("pk"),
            pages=Sum("page_count", default=0),
            views=Sum("view_count", default=0),
            downloads=Sum("download_count", default=0),
        )
    )


def in_category(category: Category) -> QuerySet[Document]:
    return Document.objects.public().filter(category__in=descendant_ids(category))


def with_tag(name: str) -> QuerySet[Document]:
    return Document.objects.public().filter(Q(tags__name=name)).distinct()


MIME_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "doc": "application/msword",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "ppt": "application/vnd.ms-powerpoint",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "xls": "application/vnd.ms-excel",
    "odt": "application/vnd.oasis.opendocument.text",
    "odp": "application/vnd.oasis.opendocument.presentation",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
    "rtf": "application/rtf",
    "txt": "text/plain",
    "md": "text/markdown",
    "epub": "application/epub+zip",
}


def structured_data(document: Document, url: str, description: str, cover: str) -> dict[str, Any]:
    """schema.org DigitalDocument for search engines."""
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "DigitalDocument",
        "name": document.title,
        "description": description,
        "url": url,
        "dateCreated": document.created_at.isoformat(),
        "author": {"@type": "Person", "name": document.owner.username},
        "encodingFormat": MIME_TYPES.get(document.format, "application/octet-stream"),
        "isAccessibleForFree": document.pricing == "free",
        "interactionStatistic": [
            {
                "@type": "InteractionCounter",
                "interactionType": "https://schema.org/ViewAction",
                "userInteractionCount": document.view_count,
            },
            {
                "@type": "InteractionCounter",
                "interactionType": "https://schema.org/DownloadAction",
                "userInteractionCount": document.download_count,
            },
        ],
    }
    if document.published_at:
        data["datePublished"] = document.published_at.isoformat()
        data["thumbnailUrl"] = cover
    if document.category:
        data["genre"] = document.category.name
    keywords = [t.name for t in document.tags.all()]
    if keywords:
        data["keywords"] = ", ".join(keywords)
    return data
