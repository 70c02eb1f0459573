"""The document page's 最近下载 box (recent downloads) kept as HTML in the shared cache,
per category and language (issue 13, item 7).

A page made whole (a guest's first view, a signed-in reader's version with holes, a
page dropped by an edit, a comment or a rating) read the feed and rendered its cards
each time: 6.5 ms of its 17 (``docs/benchmarks.md``). Every page of a category shows the
same box, so it is kept for ``FEED_SECONDS``: a download shows there within that time
(on a kept page it waits longer). It carries the site's page generation, read with it in
one round trip: a takedown or a hold (``pagecache.invalidate_all``) drops it with every
kept page, so a document that left the site is never listed. What it shows of each
document (its title, its downloads) is as old as it is, as on kept pages.

The related documents' cards are not kept apart: one entry per document doubled the
entries of the embedded default's file cache (20,000), whose culls then dropped kept
pages at random (the load benchmark's embedded rounds fell to 214 requests/s), and a
document's first view, the common case, would not find them anyway.
"""

from __future__ import annotations

from typing import Any

from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from wenku.core import pagecache
from wenku.economy.queries import recent_downloads_near
from wenku.library.models import Category

FEED_SECONDS = 60


def recent_download_cards(category: Category | None) -> SafeString:
    """The 最近下载 box of a page about ``category``: kept in the current site generation,
    else rendered and kept under the generation read before rendering (so a render that
    straddles a takedown is kept under the old one, and never served)."""
    key = f"wenku:cards:feed:{category.pk if category else 0}:{get_language()}"
    found: dict[str, Any] = cache.get_many([key, pagecache.GENERATION])
    generation = found.get(pagecache.GENERATION)
    kept = found.get(key)
    if generation is not None and isinstance(kept, tuple) and kept[0] == generation:
        return mark_safe(kept[1])
    generation = generation if generation is not None else pagecache.site_generation()
    feed = recent_downloads_near(category)
    html = render_to_string("economy/_recent_downloads.html", {"recent_downloads": feed})
    cache.set(key, (generation, html), FEED_SECONDS)
    return mark_safe(html)
