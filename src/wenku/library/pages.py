"""Page images: stored ones served as they are, missing ones rendered on first request."""

from __future__ import annotations

from wenku.config import conf
from wenku.core.storage import get_storage
from wenku.ingest import pdf as pdfmod
from wenku.ingest.models import Conversion, Page, Status


class PageUnavailable(LookupError):
    """The page does not exist, or its document is not converted yet."""


def page_image(conversion: Conversion, number: int) -> bytes:
    """The WebP image of page ``number``, rendering and storing it if needed."""
    page = Page.objects.filter(conversion=conversion, number=number).first()
    if page is None:
        raise PageUnavailable(number)
    storage = get_storage()
    key = Page.image_key_for(conversion.sha256, number)
    if page.rendered:
        try:
            with storage.open(key) as fh:
                return fh.read()
        except FileNotFoundError:
            pass  # lost from storage: render it again
    if conversion.status != Status.READY:
        raise PageUnavailable(number)
    data = _render(conversion, number)
    storage.put_bytes(key, data)
    Page.objects.filter(pk=page.pk).update(rendered=True)
    return data


def _render(conversion: Conversion, number: int) -> bytes:
    w = conf()
    with get_storage().local_file(conversion.pdf_key) as source, pdfmod.open_pdf(source) as doc:
        image = pdfmod.render_page(doc, number - 1, w.page_width, w.max_page_pixels)
    return pdfmod.encode_webp(image, w.webp_quality)
