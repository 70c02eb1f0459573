"""What an uploader says about a document, validated in one place.

The web form, the API, ``wenku import`` and the demo all build an ``UploadDetails``
with ``UploadDetails.build(...)`` from whatever they received, and only a valid one
exists: every rule about titles, tags, categories, the free preview and the download
price lives here, so the doors cannot disagree. A refusal is an ``InvalidDetails``
naming the field, with a sentence the uploader can read (the API answers 400, the
form shows it beside the field).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from django.db.models import Q
from django.utils.translation import gettext as _

from wenku.config import conf
from wenku.library.models import Category, Pricing

MAX_TITLE = 200
MAX_DESCRIPTION = 5000
MAX_TAGS = 10
MAX_TAG = 40
MAX_PRICE = 100_000
PRICED = (Pricing.POINTS, Pricing.VIP_FREE)
_SPACES = re.compile(r"\s+")
_TAG_SPLIT = re.compile(r"[,，、;；#\s]+")


class InvalidDetails(ValueError):
    """A detail of an upload cannot be accepted; ``field`` names it."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass(frozen=True)
class UploadDetails:
    """A document's details, valid by construction (build them with ``build``).

    ``title`` may be empty: the file's name is used (``title_for``). ``preview_pages``
    None means the site's default; a number is a wish that the site's preview policy
    may lower once the page count is known, never raise.
    """

    title: str = ""
    description: str = ""
    category: Category | None = None
    tags: tuple[str, ...] = ()
    preview_pages: int | None = None
    pricing: str = Pricing.FREE
    price: int = 0

    @classmethod
    def build(
        cls,
        *,
        title: str | None = "",
        description: str | None = "",
        category: Category | int | str | None = None,
        tags: str | Iterable[str] | None = "",
        preview_pages: int | str | None = None,
        pricing: str | None = "",
        price: int | str | None = 0,
        staff: bool = False,
    ) -> UploadDetails:
        """Check and normalise raw details; raise InvalidDetails at the first bad one.

        ``staff`` may set any free preview; others at most the site's limit.
        """
        pricing_value, price_value = _pricing(pricing, price)
        return cls(
            title=_title(title),
            description=_description(description),
            category=_category(category),
            tags=_tags(tags),
            preview_pages=_preview(preview_pages, staff, pricing_value),
            pricing=pricing_value,
            price=price_value,
        )

    def title_for(self, original_name: str) -> str:
        """The title, or the file's name without its extension when none was given."""
        if self.title:
            return self.title
        stem = _SPACES.sub(" ", plain_text(Path(original_name).stem)).strip()
        stem = stem or plain_text(original_name).strip() or "document"
        return stem[:MAX_TITLE]


# Format characters that may stay: joiners (emoji sequences, Indic and Persian scripts).
_JOINERS = {"\u200c", "\u200d"}


def plain_text(raw: str, *, lines: bool = False) -> str:
    """Text without what no title, tag or description should hold: control characters
    (NUL breaks PostgreSQL), lone surrogates (a file name that is not UTF-8) and invisible
    format characters (right-to-left overrides that disguise a name, zero-width spaces,
    byte-order marks). Tabs and line breaks stay only with ``lines``."""
    keep = "\t\n\r" if lines else ""
    return "".join(
        ch
        for ch in raw
        if ch in keep
        or ch in _JOINERS
        or unicodedata.category(ch) not in ("Cc", "Cf", "Cs")
        or (not lines and ch.isspace())
    )


def _title(raw: str | None) -> str:
    title = _SPACES.sub(" ", plain_text(raw or "")).strip()
    if len(title) > MAX_TITLE:
        raise InvalidDetails(
            "title", _("The title is longer than %(n)s characters.") % {"n": MAX_TITLE}
        )
    return title


def _description(raw: str | None) -> str:
    description = plain_text(raw or "", lines=True).strip()
    if len(description) > MAX_DESCRIPTION:
        raise InvalidDetails(
            "description",
            _("The description is longer than %(n)s characters.") % {"n": MAX_DESCRIPTION},
        )
    return description


def _category(raw: Category | int | str | None) -> Category | None:
    """A category, by itself, its id, its slug or its name; empty means none."""
    if isinstance(raw, Category):
        return raw
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    text = str(raw).strip()
    lookup = Q(slug=text) | Q(name=text)
    if text.isdigit():
        lookup |= Q(pk=int(text))
    found = Category.objects.filter(lookup).order_by("pk").first()
    if found is None:
        raise InvalidDetails("category", _("There is no category %(c)s.") % {"c": repr(text)})
    return found


def _tags(raw: str | Iterable[str] | None) -> tuple[str, ...]:
    parts = _TAG_SPLIT.split(raw) if isinstance(raw, str) else list(raw or ())
    names: list[str] = []
    for part in parts:
        name = _tag_name(str(part))
        if not name or name in names:
            continue
        if len(name) > MAX_TAG:
            raise InvalidDetails(
                "tags",
                _("A tag is longer than %(n)s characters: %(t)s") % {"n": MAX_TAG, "t": name},
            )
        names.append(name)
    if len(names) > MAX_TAGS:
        raise InvalidDetails("tags", _("At most %(n)s tags.") % {"n": MAX_TAGS})
    return tuple(names)


def _tag_name(raw: str) -> str:
    """One tag, tidy: plain text on one line; around a slash (GB/T) no spaces, no empty
    or dot-only pieces ('.' and '..' would be path steps in the tag's address)."""
    name = _SPACES.sub(" ", plain_text(raw)).strip()
    pieces = (piece.strip() for piece in name.split("/"))
    return "/".join(piece for piece in pieces if piece not in ("", ".", ".."))


def _whole(field: str, raw: int | str | None) -> int | None:
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    try:
        return int(raw)
    except (TypeError, ValueError):
        raise InvalidDetails(field, _("Enter a whole number.")) from None


def _preview(raw: int | str | None, staff: bool, pricing: str) -> int | None:
    """The uploader's wish for the free preview: 1 to the site's limit (staff may set more
    for a free document). A priced or VIP document's preview is further cut to the
    policy once its page count is known (``library.preview``)."""
    pages = _whole("preview_pages", raw)
    if pages is None:
        return None
    limit = conf().preview_pages
    if pages < 1 or (pages > limit and (pricing != Pricing.FREE or not staff)):
        raise InvalidDetails(
            "preview_pages",
            _("The free preview must be between 1 and %(n)s pages.") % {"n": limit},
        )
    return pages


def _pricing(raw_pricing: str | None, raw_price: int | str | None) -> tuple[str, int]:
    """(pricing, price): a price only where one is charged, and then at least 1 point."""
    pricing = (raw_pricing or Pricing.FREE).strip()
    if pricing not in Pricing.values:
        raise InvalidDetails(
            "pricing",
            _("Unknown pricing %(p)s: use one of %(all)s.")
            % {"p": repr(pricing), "all": ", ".join(Pricing.values)},
        )
    price = _whole("price", raw_price) or 0
    if not 0 <= price <= MAX_PRICE:
        raise InvalidDetails(
            "price", _("The price must be between 0 and %(n)s points.") % {"n": MAX_PRICE}
        )
    if pricing not in PRICED:
        return pricing, 0  # free and VIP-only documents have no price in points
    if price == 0:
        raise InvalidDetails("price", _("Set a price in points, or make the document free."))
    return pricing, price
