"""Reading and rendering PDFs with pypdfium2 (PDFium: Apache-2.0/BSD).

PDFium is not thread-safe, so every call in a process goes through one lock.
Rendering is bounded: the scale is clamped so no page image exceeds the pixel
budget or WebP's 16,383-pixel side, whatever size the page declares.
"""

from __future__ import annotations

import io
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
from PIL import Image

from wenku.ingest.errors import IngestError
from wenku.ingest.structure import blocks_from_lines, page_lines, page_text

PDFIUM_LOCK = threading.RLock()
MAX_SIDE = 16383  # WebP's limit
Image.MAX_IMAGE_PIXELS = 200_000_000


@dataclass(frozen=True)
class PageInfo:
    number: int
    width: float  # points
    height: float
    text: str
    blocks: list[dict[str, str]] | None = None  # headings and paragraphs, when asked for
    images: bool = False  # the page draws images (with no text: a scan, for OCR)


@contextmanager
def open_pdf(path: Path) -> Iterator[pdfium.PdfDocument]:
    with PDFIUM_LOCK:
        try:
            doc = pdfium.PdfDocument(str(path))
        except pdfium.PdfiumError as exc:
            message = str(exc).lower()
            if "password" in message:
                raise IngestError("pdf_encrypted") from None
            raise IngestError("pdf_damaged") from None
        try:
            yield doc
        finally:
            doc.close()


def page_count(doc: pdfium.PdfDocument) -> int:
    with PDFIUM_LOCK:
        return len(doc)


def read_page(doc: pdfium.PdfDocument, index: int, *, structure: bool = False) -> PageInfo:
    """Size and text of page ``index`` (0-based): lines in reading order, wrapped lines of
    a paragraph rejoined (``structure.page_text``); with ``structure``, its blocks too."""
    blocks = None
    with PDFIUM_LOCK:
        page = doc[index]
        try:
            width, height = page.get_size()
            textpage = page.get_textpage()
            try:
                lines = page_lines(textpage)
            finally:
                textpage.close()
            images = _has_images(page)
        finally:
            page.close()
    text = _unicode(page_text(lines))
    if structure:
        blocks = [{**b, "t": _unicode(b["t"])} for b in blocks_from_lines(lines)]
    return PageInfo(index + 1, float(width), float(height), text, blocks, images)


def _unicode(text: str) -> str:
    """PDFium reports characters beyond the BMP as two UTF-16 halves: pair them up (a lone
    half, as damaged fonts produce, becomes U+FFFD); NULs go."""
    paired = text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
    return paired.replace("\x00", "")


def _has_images(page: pdfium.PdfPage) -> bool:
    """Whether the page draws an image (also inside a form XObject)."""
    image = pdfium_c.FPDF_PAGEOBJ_IMAGE
    return any(True for _ in page.get_objects(filter=[image], max_depth=3))


def render_scale(width_pt: float, height_pt: float, target_width: int, max_pixels: int) -> float:
    """Scale that makes the page target_width pixels wide, shrunk to fit the pixel budget."""
    width_pt = max(width_pt, 1.0)
    height_pt = max(height_pt, 1.0)
    scale = target_width / width_pt
    if width_pt * height_pt * scale * scale > max_pixels:
        scale = (max_pixels / (width_pt * height_pt)) ** 0.5
    scale = min(scale, MAX_SIDE / width_pt, MAX_SIDE / height_pt)
    # PDFium rounds the bitmap size up; keep float error from adding a pixel.
    return scale * (1 - 1e-9)


def render_page(doc: pdfium.PdfDocument, index: int, width: int, max_pixels: int) -> Image.Image:
    with PDFIUM_LOCK:
        page = doc[index]
        try:
            w, h = page.get_size()
            scale = render_scale(w, h, width, max_pixels)
            bitmap = page.render(scale=scale, may_draw_forms=True, draw_annots=True)
            try:
                image = bitmap.to_pil().convert("RGB")
            finally:
                bitmap.close()
        finally:
            page.close()
    return image


def encode_webp(image: Image.Image, quality: int, width: int | None = None) -> bytes:
    if width is not None and image.width > width:
        height = max(1, round(image.height * width / image.width))
        image = image.resize((width, height), Image.Resampling.LANCZOS)
    buffer = io.BytesIO()
    image.save(buffer, format="WEBP", quality=quality, method=2)
    return buffer.getvalue()
