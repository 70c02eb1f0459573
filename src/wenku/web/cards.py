"""The document page's lists of other documents — 您可能关注的文档 (related) and 最近下载
(recent downloads) — kept as HTML in the shared cache, per language (issue 13, item 7).

A page made whole (a guest's first view, a signed-in reader's version with holes, a
page dropped by an edit, a comment or a rating) read its related documents and the feed
and rendered their cards each time: 4–7 ms of its 10–20 (``docs/benchmarks.md``). Now:

- the related cards are kept under the document's list of related ids (read first, one
  prepared row), so a list refreshed by a worker shows at once, and for as long as a
  kept page (``pagecache``'s half-window);
- the feed's cards are kept per category for ``FEED_SECONDS``: every page of a category
  shows the same 最近下载, and a download shows there within that time (as on a kept
  page, where it waits longer);
- both carry the site's page generation, read with them in one round trip: a takedown
  or a hold (``pagecache.invalidate_all``) drops them with every kept page, so a
  document that left the site is never listed by them. What they show of each
  document (its title, views, downloads) is as old as they are, as on kept pages.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from wenku.core import pagecache
from wenku.economy.queries import recent_downloads_near
from wenku.library.models import Category, Document
from wenku.search.related import related_documents, related_ids

FEED_SECONDS = 60


def related_cards(document: Document) -> SafeString:
    """The related documents' cards ("" when there are none to show)."""
    ids = related_ids(document)
    if not ids:
        return mark_safe("")
    digest = hashlib.blake2b(",".join(map(str, ids)).encode(), digest_size=8).hexdigest()
    key = f"wenku:cards:related:{document.pk}:{get_language()}:{digest}"

    def render() -> str:
        documents = related_documents(document)
        if not documents:
            return ""
        return render_to_string("library/_ranked.html", {"documents": documents})

    return _kept(key, pagecache.half_window_seconds(), render)


def recent_download_cards(category: Category | None) -> SafeString:
    """The 最近下载 box of a page about ``category``."""
    key = f"wenku:cards:feed:{category.pk if category else 0}:{get_language()}"

    def render() -> str:
        feed = recent_downloads_near(category)
        return render_to_string("economy/_recent_downloads.html", {"recent_downloads": feed})

    return _kept(key, FEED_SECONDS, render)


def _kept(key: str, seconds: int, render: Callable[[], str]) -> SafeString:
    """The HTML kept under ``key`` in the current site generation, else rendered and kept
    under the generation read before rendering (so a render that straddles a takedown
    is kept under the old one, and never served)."""
    found: dict[str, Any] = cache.get_many([key, pagecache.GENERATION])
    generation = found.get(pagecache.GENERATION)
    kept = found.get(key)
    if generation is not None and isinstance(kept, tuple) and kept[0] == generation:
        return mark_safe(kept[1])
    generation = generation if generation is not None else pagecache.site_generation()
    html = render()
    cache.set(key, (generation, html), seconds)
    return mark_safe(html)
