"""Serving an original file: always an attachment, never inline, with a safe file name."""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote

from django.http import FileResponse, HttpResponse

from wenku.core.storage import get_storage
from wenku.library.models import Document
from wenku.library.queries import MIME_TYPES

_UNSAFE = re.compile(r'[\x00-\x1f\x7f"\\/:*?<>|;]+')


def extension(document: Document) -> str:
    """The extension of the file's detected format, never the uploader's: a text file
    called ``setup.bat`` or ``run.hta`` downloads as ``.txt``."""
    return document.format or "bin"


def filename(document: Document) -> str:
    """The document's title with its format's extension, cleaned for a file system."""
    title = unicodedata.normalize("NFC", document.title)
    title = _UNSAFE.sub(" ", title).strip(" .")[:150] or "document"
    return f"{title}.{extension(document)}"


def content_disposition(name: str, fallback: str) -> str:
    """``attachment`` with an ASCII fallback and the real name in RFC 5987 form."""
    ascii_name = name.encode("ascii", "ignore").decode()
    if ascii_name != name or not ascii_name.strip(" ."):
        ascii_name = fallback
    encoded = quote(name, safe="")
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{encoded}"


def attachment(document: Document) -> HttpResponse | FileResponse:
    if document.conversion.macros:
        return HttpResponse(status=403)  # never served, whatever link was signed
    storage = get_storage()
    key = document.conversion.original_key
    try:
        handle = storage.open(key)
    except FileNotFoundError:
        return HttpResponse(status=404)
    ext = extension(document)
    response = FileResponse(
        handle, content_type=MIME_TYPES.get(document.format or ext, "application/octet-stream")
    )
    response["Content-Length"] = str(storage.size(key))
    response["Content-Disposition"] = content_disposition(
        filename(document), f"document-{document.pk}.{ext}"
    )
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    # Should a browser render it anyway, it runs nothing and reaches nothing.
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    return response
