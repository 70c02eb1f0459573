"""What follows a decision about documents: explicit, ordered sequences, each run after
its decision has committed (``decisions``), never wired by signals.

``published`` — after a conversion's documents are settled (converted now, or an
identical file's results reused), for those that are public, in this order:

1. ``pages``: the cached pages the new documents change (the home page, their own pages),
   so every process shows them at once;
2. ``reward``: the upload reward — publishing without review is an approval — for the
   first upload of content new to the site with real content (the economy decides the
   amount and the caps; publishing tells it whether the text is known, which search's
   fingerprints know, and whether the review flagged it as junk);
3. ``index``: the documents into the search backend, then anything it missed before;
4. ``relate``: their related-document lists, and those of their nearest neighbours.

The other sequences (``approved``, ``rejected``, ``taken_down`` …) are listed below,
each in its order. Each step stands alone: a failure is logged and the next step still
runs — the decision stands whatever happens here, and what failed is caught up later
(the next job indexes what is missing; an idle worker stores missing related lists).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from wenku.core import pagecache
from wenku.economy import domain as economy
from wenku.library.models import Document, DocumentStatus
from wenku.moderation import flags as autoflags
from wenku.moderation.models import Notice, Review
from wenku.notifications.domain import notify
from wenku.notifications.models import Kind
from wenku.search import fingerprint, indexing, related

log = logging.getLogger(__name__)
CATCH_UP_LIMIT = 200


def _steps(name: str, steps: Sequence[Callable[[], Any]]) -> None:
    for step in steps:
        try:
            step()
        except Exception:
            log.exception("%s: %s failed", name, getattr(step, "__name__", step))


def _junk(document: Document) -> bool:
    review = Review.objects.filter(document=document).first()
    return bool(review and autoflags.is_junk(review.flags))


def pages(conversion_id: int, document_ids: Sequence[int]) -> None:
    pagecache.invalidate_site()
    pagecache.invalidate_documents(document_ids)


def reward(conversion_id: int, document_ids: Sequence[int]) -> None:
    first = (
        Document.objects.filter(pk__in=document_ids, status=DocumentStatus.READY)
        .select_related("owner", "conversion")
        .order_by("created_at", "pk")
        .first()
    )
    if first is not None:
        known = bool(fingerprint.similar_conversions(conversion_id))
        economy.reward_upload(first, known_content=known, junk=_junk(first))


def index(conversion_id: int, document_ids: Sequence[int]) -> None:
    indexing.index_documents(document_ids)
    indexing.catch_up(limit=CATCH_UP_LIMIT)


def relate(conversion_id: int, document_ids: Sequence[int]) -> None:
    """The documents' related lists, then their nearest neighbours' lists, which may now
    name them (on a young site the first documents would otherwise never see the later
    ones until their lists age)."""
    related.refresh(document_ids)
    related.refresh(related.neighbours(document_ids))


Reaction = Callable[[int, Sequence[int]], None]
REACTIONS: tuple[Reaction, ...] = (pages, reward, index, relate)


def published(conversion_id: int) -> None:
    """Run every reaction, in order, for the public documents of ``conversion_id``."""
    document_ids = list(
        Document.objects.public().filter(conversion_id=conversion_id).values_list("pk", flat=True)
    )
    for reaction in REACTIONS:
        try:
            reaction(conversion_id, document_ids)
        except Exception:
            log.exception(
                "%s after publishing conversion %s failed", reaction.__name__, conversion_id
            )


# --- telling people


def _tell(
    user: Any, kind: Kind, text: str, document: Document | None = None, url: str = ""
) -> None:
    notify(user, kind, text=text, document=document, url=url)


def _pages(document_id: int) -> Callable[[], None]:
    """The cached pages a decision about a document changes: the site's lists and its page."""

    def drop() -> None:
        pages(0, [document_id])

    return drop


def _document(document_id: int) -> Document:
    return Document.objects.select_related("owner", "conversion").get(pk=document_id)


def _site(text: Callable[[], str]) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return text()


# --- review


def approved(document_id: int) -> None:
    """cached pages, reward (approval pays it), index, relate, tell the uploader."""
    doc = _document(document_id)
    _steps(
        "approved",
        [
            _pages(doc.pk),
            lambda: economy.reward_upload(
                doc,
                known_content=bool(fingerprint.similar_conversions(doc.conversion_id)),
                junk=_junk(doc),
            ),
            lambda: index(doc.conversion_id, [doc.pk]),
            lambda: relate(doc.conversion_id, [doc.pk]),
            lambda: _tell(
                doc.owner,
                Kind.APPROVED,
                _site(lambda: _("“%(title)s” was approved and published.") % {"title": doc.title}),
                doc,
            ),
        ],
    )


def rejected(document_id: int, reason: str) -> None:
    """cached pages, out of the index, tell the uploader why."""
    doc = _document(document_id)
    _steps(
        "rejected",
        [
            _pages(doc.pk),
            lambda: indexing.index_documents([doc.pk]),
            lambda: _tell(
                doc.owner,
                Kind.REJECTED,
                _site(
                    lambda: (
                        _("“%(title)s” was rejected: %(reason)s")
                        % {"title": doc.title, "reason": reason}
                    )
                ),
                doc,
            ),
        ],
    )


def refused(document_id: int, reason: str) -> None:
    """An upload refused when it was converted (an exact copy, blocked words): tell why."""
    doc = _document(document_id)
    _steps(
        "refused",
        [
            lambda: _tell(
                doc.owner,
                Kind.REJECTED,
                _site(
                    lambda: (
                        _("“%(title)s” was not published: %(reason)s")
                        % {"title": doc.title, "reason": reason}
                    )
                ),
                doc,
            )
        ],
    )


# --- notices


def taken_down(notice: Notice) -> None:
    """cached pages dropped, out of the index (pages, search, related lists, feeds,
    sitemaps and downloads read the status at once), tell the uploader with the notice and
    how to answer it."""
    doc = _document(notice.document_id)
    counter_url = reverse("desk:counter_notice", args=[notice.pk])
    _steps(
        "taken down",
        [
            _pages(doc.pk),
            lambda: indexing.index_documents([doc.pk]),
            lambda: _tell(
                doc.owner,
                Kind.TAKEN_DOWN,
                _site(
                    lambda: (
                        _(
                            "“%(title)s” was taken down after a copyright notice by %(claimant)s "
                            "about “%(work)s”. If it does not infringe, send a counter-notice."
                        )
                        % {
                            "title": doc.title,
                            "claimant": notice.claimant_name,
                            "work": notice.work,
                        }
                    )
                ),
                doc,
                counter_url,
            ),
            lambda: _tell_reporter(notice, lambda: _("The document you reported was taken down.")),
        ],
    )


def countered(notice: Notice) -> None:
    """Forward the counter-notice to the claimant (art. 17)."""
    _steps(
        "counter-notice",
        [
            lambda: _tell_reporter(
                notice,
                lambda: (
                    _("The uploader sent a counter-notice: %(statement)s")
                    % {"statement": notice.counter_statement[:300]}
                ),
            )
        ],
    )


def restored(notice: Notice) -> None:
    """cached pages, index, relate, tell the uploader and the claimant."""
    doc = _document(notice.document_id)
    _steps(
        "restored",
        [
            _pages(doc.pk),
            lambda: index(doc.conversion_id, [doc.pk]),
            lambda: relate(doc.conversion_id, [doc.pk]),
            lambda: _tell(
                doc.owner,
                Kind.RESTORED,
                _site(lambda: _("“%(title)s” was restored.") % {"title": doc.title}),
                doc,
            ),
            lambda: _tell_reporter(
                notice, lambda: _("The document was restored after the uploader's counter-notice.")
            ),
        ],
    )


def dispute_ended(notice: Notice, *, kept: bool) -> None:
    """The uploader's held earnings on the document are paid (the document stays or comes
    back) or cancelled (the takedown stands); the claimant hears of a rejected notice."""
    doc = _document(notice.document_id)
    steps: list[Callable[[], Any]] = []
    if not doc.disputed:
        steps.append(
            (lambda: economy.release_held(doc)) if kept else (lambda: economy.forfeit_held(doc))
        )
    if notice.state == "rejected":
        steps.append(lambda: _tell_reporter(notice, lambda: _("Your notice was not accepted.")))
    _steps("dispute ended", steps)


def _tell_reporter(notice: Notice, text: Callable[[], str]) -> None:
    if notice.reporter_id is None:
        return
    doc = Document.objects.get(pk=notice.document_id)
    words = _site(
        lambda: _("Notice #%(n)s about “%(title)s”: ") % {"n": notice.pk, "title": doc.title}
    )
    _tell(notice.reporter, Kind.NOTICE, words + _site(text), doc)


# --- other removals and changes


def removed(document_id: int, note: str) -> None:
    """A reported document taken down by a moderator: out of the index, tell the uploader."""
    doc = _document(document_id)
    _steps(
        "removed",
        [
            _pages(doc.pk),
            lambda: indexing.index_documents([doc.pk]),
            lambda: _tell(
                doc.owner,
                Kind.TAKEN_DOWN,
                _site(
                    lambda: (
                        _("“%(title)s” was taken down: %(reason)s")
                        % {"title": doc.title, "reason": note}
                    )
                ),
                doc,
            ),
        ],
    )


def withdrawn(document_id: int) -> None:
    """Deleted by its uploader: out of the index."""
    _steps("withdrawn", [_pages(document_id), lambda: indexing.index_documents([document_id])])


def edited(document_id: int) -> None:
    """New details: indexed again (or dropped, if the edit sent it back to review)."""
    _steps("edited", [_pages(document_id), lambda: indexing.index_documents([document_id])])
