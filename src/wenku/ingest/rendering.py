"""Page images: rendered from the PDF and stored, by the Render stage for the first pages
and on first request for the rest — one function does both.

A stored image is served as it is; a missing one (never rendered, or lost from
storage) is rendered from the stored PDF once its conversion is ready.
"""

from __future__ import annotations

import io

import pypdfium2 as pdfium

from wenku.core import metrics
from wenku.core.storage import Storage, get_storage
from wenku.ingest import keys
from wenku.ingest import pdf as pdfmod
from wenku.ingest.models import Conversion, Page, Status
from wenku.ingest.pipeline import RenderSettings


class PageUnavailable(LookupError):
    """The page does not exist, or its document is not converted yet."""


def render_and_store(
    pdf: pdfium.PdfDocument,
    conversion: Conversion,
    number: int,
    render: RenderSettings,
    storage: Storage,
    *,
    cover: bool = False,
    when: str = "ingest",
) -> bytes:
    """Render page ``number`` of an open PDF, store its WebP (and, with ``cover``, the
    cover made from it), mark the page rendered; return the image's bytes."""
    image = pdfmod.render_page(pdf, number - 1, render.page_width, render.max_pixels)
    data = pdfmod.encode_webp(image, render.quality)
    storage.put_bytes(keys.page_image(conversion.sha256, number), data)
    if cover:
        thumbnail = pdfmod.encode_webp(image, render.quality, width=render.cover_width)
        storage.put_bytes(keys.cover(conversion.sha256), thumbnail)
    Page.objects.filter(conversion_id=conversion.pk, number=number).update(rendered=True)
    metrics.PAGES_RENDERED.labels(when).inc()
    return data


SCALES = (1, 2)  # the page width, and twice it for HiDPI screens and zoom


def stored_page_image(conversion: Conversion, number: int, scale: int = 1) -> str:
    """The storage key of page ``number``'s image, rendering and storing it first if it
    was never rendered (for a redirect to the storage: the bytes are not read here)."""
    page = Page.objects.filter(conversion=conversion, number=number).only("rendered").first()
    if page is None:
        raise PageUnavailable(number)
    key = keys.page_image(conversion.sha256, number, scale)
    if scale == 1 and not page.rendered:
        page_image(conversion, number)
    elif scale != 1 and not get_storage().exists(key):
        page_image(conversion, number, scale)
    return key


MAX_COVER_PIXELS = 40_000_000


def store_cover_image(
    conversion: Conversion, data: bytes, render: RenderSettings, storage: Storage
) -> bool:
    """Make the cover from a picture the document names as its cover (an EPUB's), rather
    than from its first page; False if the picture cannot be read."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as picture:
            if picture.width * picture.height > MAX_COVER_PIXELS:
                return False
            image = picture.convert("RGB")
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        return False
    thumbnail = pdfmod.encode_webp(image, render.quality, width=render.cover_width)
    storage.put_bytes(keys.cover(conversion.sha256), thumbnail)
    return True


def page_image(conversion: Conversion, number: int, scale: int = 1) -> bytes:
    """The WebP image of page ``number``, rendering and storing it if needed.

    ``scale`` 2 is a rendition twice as wide (sharp on HiDPI screens and at 150–250 %
    zoom), rendered only when first asked for and stored beside the first.
    """
    if scale not in SCALES:
        raise PageUnavailable(number)
    page = Page.objects.filter(conversion=conversion, number=number).only("rendered").first()
    if page is None:
        raise PageUnavailable(number)
    storage = get_storage()
    if scale != 1:
        return _sharper(conversion, number, scale, storage)
    if page.rendered:
        try:
            with storage.open(keys.page_image(conversion.sha256, number)) as fh:
                return fh.read()
        except FileNotFoundError:
            pass  # lost from storage: render it again
    if conversion.status != Status.READY:
        raise PageUnavailable(number)
    with storage.local_file(conversion.pdf_key) as source, pdfmod.open_pdf(source) as pdf:
        return render_and_store(
            pdf, conversion, number, RenderSettings.from_conf(), storage, when="on_demand"
        )


def _sharper(conversion: Conversion, number: int, scale: int, storage: Storage) -> bytes:
    key = keys.page_image(conversion.sha256, number, scale)
    try:
        with storage.open(key) as fh:
            return fh.read()
    except FileNotFoundError:
        pass  # first asked for now
    if conversion.status != Status.READY:
        raise PageUnavailable(number)
    render = RenderSettings.from_conf()
    with storage.local_file(conversion.pdf_key) as source, pdfmod.open_pdf(source) as pdf:
        pixels = render.max_pixels * scale * scale
        image = pdfmod.render_page(pdf, number - 1, render.page_width * scale, pixels)
    data = pdfmod.encode_webp(image, render.quality)
    storage.put_bytes(key, data)
    return data
