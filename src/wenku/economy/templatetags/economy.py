"""Template tags for pages whose views belong to other apps (home, category, my uploads)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django import template

from wenku.economy import queries
from wenku.library.models import Category, Document

register = template.Library()


@register.simple_tag
def recent_downloads(category: Category | None = None, limit: int = queries.FEED_SIZE) -> Any:
    """``{% recent_downloads category as feed %}``: the "最近下载" documents."""
    return queries.recent_downloads(category, limit)


@register.simple_tag
def earnings(user: Any, documents: Iterable[Document]) -> dict[int, int]:
    """``{% earnings user documents as earned %}``: points earned per document id."""
    return queries.earnings_by_document(user, [d.pk for d in documents])


@register.filter
def lookup(mapping: Mapping[Any, Any], key: Any) -> Any:
    return mapping.get(key, 0) if mapping else 0
