"""Who may see what. One place, used by every route that serves a document's content.

Whether a reader has paid for a document (a download, a VIP membership) is the
economy's knowledge, which sits above the library; the economy plugs its answer in as
an entitlement rule when Django loads it (``EconomyConfig.ready``), the way datasette's
plugins answer its permission checks. The library asks every rule; it imports none.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from wenku.library.models import Document, DocumentStatus

EntitlementRule = Callable[[Any, Document], bool]
_entitlement_rules: list[EntitlementRule] = []


def add_entitlement_rule(rule: EntitlementRule) -> None:
    """Also let readers for whom ``rule(user, document)`` is true see every page."""
    if rule not in _entitlement_rules:
        _entitlement_rules.append(rule)


def is_privileged(user: Any, document: Document) -> bool:
    """The uploader and staff see everything of a document, whatever its state."""
    return bool(
        user is not None
        and user.is_authenticated
        and (user.pk == document.owner_id or user.is_staff)
    )


def can_view_document(user: Any, document: Document) -> bool:
    """Readers see published documents; the uploader also sees theirs in any state but
    deleted (held, rejected, taken down: with the reason); staff see everything."""
    if document.status == DocumentStatus.READY:
        return True
    if document.status == DocumentStatus.DELETED:
        return bool(user is not None and user.is_authenticated and user.is_staff)
    return is_privileged(user, document)


def listed_to(user: Any) -> Callable[[Document], bool]:
    """Whether ``user`` may learn that a document exists (its title, uploader, text), as in
    an originality finding: staff any; others what readers see and their own — not another
    uploader's held copy, nor a taken-down document."""

    def listed(document: Document) -> bool:
        return bool(
            getattr(user, "is_staff", False)
            or document.status == DocumentStatus.READY
            or document.owner_id == getattr(user, "pk", None)
        )

    return listed


def viewable_or_404(
    user: Any, document_id: int, documents: QuerySet[Document] | None = None
) -> Document:
    """Document ``document_id`` (from ``documents``, e.g. with its relations joined) if
    ``user`` may see it; else Http404, the same as for a document that does not exist."""
    doc = get_object_or_404(documents if documents is not None else Document, pk=document_id)
    if not can_view_document(user, doc):
        raise Http404
    return doc


def is_entitled(user: Any, document: Document) -> bool:
    """May this reader see every page, past the free preview?

    The uploader and staff; and whoever an entitlement rule admits (the economy's: a VIP
    member, for VIP documents; anyone who downloaded it).
    """
    if is_privileged(user, document):
        return True
    return any(rule(user, document) for rule in _entitlement_rules)


def last_visible_page(user: Any, document: Document) -> int:
    """The highest page number this reader may see (0: none). Decided once per request."""
    if not can_view_document(user, document):
        return 0
    return pages_for(document, entitled=is_entitled(user, document))


def pages_for(document: Document, *, entitled: bool) -> int:
    """The highest page number a reader of a viewable document may see: every page if
    ``entitled``, else the free preview."""
    if entitled:
        return document.page_count or 0
    return min(document.free_pages, document.page_count or document.free_pages)


def can_view_page(user: Any, document: Document, number: int) -> bool:
    """Pages up to the free-preview limit are for everyone; the rest for the entitled
    (looked up only for those: a free page costs no query)."""
    if number < 1:
        return False
    if number <= min(document.free_pages, document.page_count or 0):
        return can_view_document(user, document)
    return number <= last_visible_page(user, document)
