"""Reading the community's data: what a document page shows, a user's favourites."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest
from django.urls import reverse

from wenku.community.models import Comment, Favourite, FavouriteFolder, Rating
from wenku.config import conf
from wenku.core.prepared import INT, Prepared
from wenku.library import access
from wenku.library.models import Document


@dataclass(frozen=True)
class RatingSummary:
    average: float | None
    count: int

    @property
    def stars(self) -> int:
        """The average rounded to whole stars, for drawing."""
        return round(self.average or 0)


def rating_summary(document: Document) -> RatingSummary:
    """The document's rating summary, as its row keeps it (``community.tallies``)."""
    if not document.rating_count:
        return RatingSummary(None, 0)
    return RatingSummary(document.rating_average, document.rating_count)


def comment_counts(document: Document) -> tuple[int, int]:
    """(top comments, deleted or not — the pages of comments; comments and replies that
    are not deleted — the page's 文档评论(N)), as its row keeps them."""
    return document.comment_threads, document.comment_count


def comment_page(document: Document, number: Any, top_count: int | None = None) -> Page:
    """One page of top comments, newest first, each with all its replies, oldest first
    (``top_count``: how many top comments there are, when already counted)."""
    replies = Comment.objects.select_related("author", "reply_to").order_by("created_at", "pk")
    top = (
        Comment.objects.filter(document=document, parent=None)
        .select_related("author")
        .prefetch_related(Prefetch("replies", queryset=replies))
        .order_by("-created_at", "-pk")
    )
    paginator = Paginator(top, conf().comments_page_size)
    if top_count is not None:
        paginator.count = top_count  # a cached_property: not counted again
    return paginator.get_page(number)


def for_document(request: HttpRequest, document: Document) -> dict[str, Any]:
    """Everything the document page's community block needs (``community/_document.html``)."""
    return {
        **shared_for_document(document, request.GET.get("cpage")),
        **readers_own(request.user, document),
    }


def shared_for_document(document: Document, cpage: Any = None) -> dict[str, Any]:
    """What the community block shows every reader alike: the rating summary and a page of
    comments (each comment's actions for a reader are drawn from ``comment_url``)."""
    rating = rating_summary(document)
    top_count, shown_count = comment_counts(document)
    return {
        "rating": rating,
        "comments": comment_page(document, cpage, top_count),
        "comment_count": shown_count,
        # The form of every comment's reply box posts here: reversed once, not per comment.
        "comment_url": reverse("community:comment", args=[document.pk]),
    }


def readers_own(user: Any, document: Document) -> dict[str, Any]:
    """The community block's parts that are this reader's own: their stars, whether they
    may rate, their favourite of the document, or their folders to save it in."""
    if not user.is_authenticated:
        return {"my_rating": None, "can_rate": False, "favourite": None, "folders": []}
    stars = _MY_RATING.row(document.pk, user.pk)
    found = _MY_FAVOURITE.row(document.pk, user.pk)
    favourite = None
    if found is not None:
        pk, folder_id, folder_name = found
        favourite = Favourite(pk=pk, document_id=document.pk, user_id=user.pk)
        favourite.folder = FavouriteFolder(pk=folder_id, name=folder_name) if folder_id else None
    folders = [] if favourite else [{"pk": pk, "name": name} for pk, name in _FOLDERS.rows(user.pk)]
    return {
        "my_rating": stars[0] if stars else None,
        "can_rate": user.pk != document.owner_id,
        "favourite": favourite,
        "folders": folders,
        "comment_url": reverse("community:comment", args=[document.pk]),
    }


# A signed-in reader's own reads on every document page (``core.prepared``).
_MY_RATING = Prepared(
    lambda document_id, user_id: (
        Rating.objects.filter(document_id=document_id, user_id=user_id)
        .order_by()
        .values_list("stars")[:1]
    ),
    INT,
    INT,
)
_MY_FAVOURITE = Prepared(
    lambda document_id, user_id: (
        Favourite.objects.filter(document_id=document_id, user_id=user_id)
        .order_by()
        .values_list("pk", "folder_id", "folder__name")[:1]
    ),
    INT,
    INT,
)
_FOLDERS = Prepared(
    lambda user_id: FavouriteFolder.objects.filter(user_id=user_id).values_list("pk", "name"),
    INT,
)


def favourites(
    user: Any, folder: FavouriteFolder | None, default_only: bool
) -> QuerySet[Favourite]:
    """A user's favourites, newest first: all, one folder's, or the default folder's."""
    found = Favourite.objects.filter(user=user).select_related("document", "folder")
    if folder is not None:
        found = found.filter(folder=folder)
    elif default_only:
        found = found.filter(folder=None)
    return found.order_by("-created_at", "-pk")


def visible(user: Any, favourite: Favourite) -> bool:
    """A favourite whose document was taken down is listed without its title."""
    return access.can_view_document(user, favourite.document)
