"""The free-preview policy: how many pages of a document anyone may read.

One rule, read by ``Document.free_pages`` (which every route asks through
``library.access``) and by the upload details (which check an uploader's wish):

- a free document shows its uploader's wish, else the site's ``WENKU_PREVIEW_PAGES``;
- a priced or VIP document shows at most that, at most ``WENKU_PAID_PREVIEW_PERCENT`` of
  its pages (rounded down, at least one), and never all of them: a 3-page 50-point
  document previews 1 page, a 2-page VIP document 1, a 1-page priced document none
  (its cover stays on the cards), a 40-page one 5.
"""

from __future__ import annotations

from wenku.config import conf

FREE = "free"


def paid_limit(page_count: int | None) -> int:
    """The most pages a priced or VIP document of ``page_count`` pages may preview."""
    site = int(conf().preview_pages)
    if not page_count:
        return site  # not counted yet: nothing is shown before it is
    share = max(1, page_count * int(conf().paid_preview_percent) // 100)
    return max(0, min(site, share, page_count - 1))


def free_pages(pricing: str, page_count: int | None, wish: int | None) -> int:
    """Pages anyone may view of a document priced ``pricing``, whose uploader asked for
    ``wish`` pages (None: the site's default)."""
    pages = int(conf().preview_pages) if wish is None else wish
    if pricing == FREE:
        return pages
    return min(pages, paid_limit(page_count))
