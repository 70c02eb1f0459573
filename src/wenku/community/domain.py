"""Writes readers cause: favourites and folders, ratings, comments (and their notifications).

Views check rate limits and call these; every rule about who may do what is here.
"""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from wenku.community import tallies
from wenku.community.models import Comment, Favourite, FavouriteFolder, Rating
from wenku.core import pagecache
from wenku.library import access
from wenku.library.models import Document
from wenku.moderation import penalties, words
from wenku.moderation.models import PenaltyKind, WordAction
from wenku.notifications.domain import notify
from wenku.notifications.models import Kind

MAX_FOLDERS = 100
EXCERPT = 80


class NotAllowed(Exception):
    """The user may not do this; the message says why, for them."""


def _shown_anew(document_id: int) -> None:
    """The document page anonymous readers share shows ratings and comments: drop it once
    the change is committed (dropped earlier, a reader could keep the old page again)."""
    transaction.on_commit(lambda: pagecache.invalidate_documents([document_id]))


def _open_for_readers(user: Any, document: Document) -> None:
    if document.status != "ready" or not access.can_view_document(user, document):
        raise NotAllowed(_("This document is not open for comments, ratings or favourites."))


# --- favourites


def add_favourite(
    user: Any, document: Document, folder: FavouriteFolder | None = None
) -> Favourite:
    """Save a document (again: move it to ``folder``)."""
    _open_for_readers(user, document)
    if folder is not None and folder.user_id != user.pk:
        raise NotAllowed(_("That folder is not yours."))
    try:
        with transaction.atomic():
            favourite, _created = Favourite.objects.update_or_create(
                user=user, document=document, defaults={"folder": folder}
            )
    except IntegrityError:  # saved at the same moment by another request
        favourite = Favourite.objects.get(user=user, document=document)
        favourite.folder = folder
        favourite.save(update_fields=["folder"])
    return favourite


def remove_favourite(user: Any, document: Document) -> bool:
    deleted, _detail = Favourite.objects.filter(user=user, document=document).delete()
    return bool(deleted)


def move_favourite(user: Any, favourite_id: int, folder: FavouriteFolder | None) -> bool:
    if folder is not None and folder.user_id != user.pk:
        raise NotAllowed(_("That folder is not yours."))
    return bool(Favourite.objects.filter(user=user, pk=favourite_id).update(folder=folder))


def _folder_name(name: str) -> str:
    name = " ".join(name.split())[:50]
    if not name:
        raise NotAllowed(_("Give the folder a name."))
    return name


def create_folder(user: Any, name: str) -> FavouriteFolder:
    name = _folder_name(name)
    if FavouriteFolder.objects.filter(user=user).count() >= MAX_FOLDERS:
        raise NotAllowed(_("You have too many folders."))
    try:
        with transaction.atomic():
            return FavouriteFolder.objects.create(user=user, name=name)
    except IntegrityError:
        raise NotAllowed(_("You have a folder with this name already.")) from None


def rename_folder(user: Any, folder: FavouriteFolder, name: str) -> None:
    if folder.user_id != user.pk:
        raise NotAllowed(_("That folder is not yours."))
    folder.name = _folder_name(name)
    try:
        with transaction.atomic():
            folder.save(update_fields=["name"])
    except IntegrityError:
        raise NotAllowed(_("You have a folder with this name already.")) from None


def delete_folder(user: Any, folder: FavouriteFolder) -> None:
    """Delete a folder; its favourites stay, in the default folder."""
    if folder.user_id != user.pk:
        raise NotAllowed(_("That folder is not yours."))
    folder.delete()


# --- ratings


def rate(user: Any, document: Document, stars: int) -> Rating:
    """Give or change the user's one rating of a document (1–5; not of one's own upload)."""
    _open_for_readers(user, document)
    if not 1 <= stars <= 5:
        raise NotAllowed(_("A rating is 1 to 5 stars."))
    if document.owner_id == user.pk:
        raise NotAllowed(_("You cannot rate your own document."))
    try:
        with transaction.atomic():
            rating, _created = Rating.objects.update_or_create(
                user=user, document=document, defaults={"stars": stars}
            )
    except IntegrityError:  # a second request created it in between: change it instead
        with transaction.atomic():
            Rating.objects.filter(user=user, document=document).update(
                stars=stars, updated_at=timezone.now()
            )
            tallies.recount([document.pk])  # update() sends no signal
        rating = Rating.objects.get(user=user, document=document)
    _shown_anew(document.pk)
    return rating


# --- comments


def _clean_body(body: str) -> str:
    """The comment as it will be shown: banned words of the ``mask`` kind masked; a
    comment with a ``block`` or ``hold`` word is refused (comments are not queued for
    review: their author rewords them)."""
    body = body.strip()
    if not body:
        raise NotAllowed(_("Write something first."))
    if len(body) > 2000:
        raise NotAllowed(_("A comment has at most 2000 characters."))
    found = words.find(body)
    if found.action in (WordAction.BLOCK, WordAction.HOLD):
        raise NotAllowed(_("Your comment contains words that are not allowed here."))
    return words.mask(body) if found else body


def add_comment(
    user: Any, document: Document, body: str, answering: Comment | None = None
) -> Comment:
    """Comment on a document, or answer a comment (threads are one level deep).

    Tells the document's uploader, and the author(s) of what is answered.
    """
    _open_for_readers(user, document)
    try:
        penalties.check(user, PenaltyKind.COMMENT)
    except penalties.Penalised as exc:
        raise NotAllowed(str(exc)) from None
    body = _clean_body(body)
    parent, reply_to = None, None
    if answering is not None:
        if answering.document_id != document.pk:
            raise NotAllowed(_("That comment belongs to another document."))
        if answering.is_deleted:
            raise NotAllowed(_("That comment has been deleted."))
        parent = answering if answering.parent_id is None else answering.parent
        # Answering a reply names whom it answers; answering the top comment needs no name.
        reply_to = answering.author if answering.parent_id is not None else None
    comment = Comment.objects.create(
        document=document, author=user, parent=parent, reply_to=reply_to, body=body
    )
    _tell_about(comment)
    _shown_anew(document.pk)
    return comment


def _tell_about(comment: Comment) -> None:
    url = f"{comment.document.get_absolute_url()}#comment-{comment.pk}"
    text = f"{comment.author.display_name}: {comment.body[:EXCERPT]}"
    told = {comment.author_id}
    answered = [comment.reply_to, comment.parent.author if comment.parent else None]
    for user in answered:
        if user is not None and user.pk not in told:
            notify(
                user,
                Kind.REPLY,
                text=text,
                actor=comment.author,
                document=comment.document,
                url=url,
            )
            told.add(user.pk)
    owner = comment.document.owner
    if owner.pk not in told:
        notify(
            owner, Kind.COMMENT, text=text, actor=comment.author, document=comment.document, url=url
        )


def _own(user: Any, comment: Comment) -> None:
    if comment.author_id != getattr(user, "pk", None) or comment.is_deleted:
        raise NotAllowed(_("Only its author can change a comment."))


def edit_comment(user: Any, comment: Comment, body: str) -> Comment:
    _own(user, comment)
    comment.body = _clean_body(body)
    comment.edited_at = timezone.now()
    comment.save(update_fields=["body", "edited_at"])
    _shown_anew(comment.document_id)
    return comment


def remove_comment(comment: Comment) -> bool:
    """A moderator removes a comment: its words go, a marker stays where it was (so a
    thread reads on and the report that led here still names it). False if it was gone."""
    if comment.is_deleted:
        return False
    comment.body, comment.deleted_at = "", timezone.now()
    comment.save(update_fields=["body", "deleted_at"])
    _shown_anew(comment.document_id)
    return True


@transaction.atomic
def delete_comment(user: Any, comment: Comment) -> None:
    """Delete one's own comment. One with replies stays as a marker, so the thread reads on;
    a marker whose last reply goes is deleted too."""
    _own(user, comment)
    _shown_anew(comment.document_id)
    if comment.parent_id is None and comment.replies.exists():
        comment.body, comment.deleted_at = "", timezone.now()
        comment.save(update_fields=["body", "deleted_at"])
        return
    parent = comment.parent
    comment.delete()
    if parent is not None and parent.is_deleted and not parent.replies.exists():
        parent.delete()
