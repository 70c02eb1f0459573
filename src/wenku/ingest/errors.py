"""Why a document failed, in words its uploader can read.

A failure is stored as a code and parameters, and rendered in the reader's
language when shown, so the same failure reads well in Chinese and in English.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

MESSAGES: Mapping[str, Any] = {
    "empty": _("The file is empty."),
    "too_large": _("The file is %(size)s; the largest file accepted is %(limit)s."),
    "unsupported": _(
        "This kind of file is not supported (%(detected)s). Upload PDF, Word, PowerPoint, "
        "Excel, OpenDocument, RTF, WordPerfect, TXT, Markdown or EPUB files."
    ),
    "executable": _("This file is a program (%(detected)s), not a document."),
    "archive": _(
        "This file is an archive (%(detected)s), not a document. Unpack it and upload the "
        "documents inside."
    ),
    "zip_bomb": _(
        "The file unpacks to more than %(limit)s; it looks like a zip bomb and was not opened."
    ),
    "zip_entries": _(
        "The file contains too many internal files (more than %(limit)s); it was not opened."
    ),
    "zip_ratio": _(
        "A part of the file unpacks to %(ratio)s times its packed size; it looks like a zip "
        "bomb and was not opened."
    ),
    "zip_damaged": _("The file is damaged: its %(format)s archive cannot be read."),
    "damaged": _("The %(format)s file is damaged and cannot be opened."),
    "xml_dtd": _(
        "The document contains an XML DTD declaration, which ordinary documents never need "
        "and which can be used in attacks; it was not opened."
    ),
    "encrypted": _("The document is password-protected. Remove the password and upload it again."),
    "macro_format": _(
        "Macro-enabled files (%(detected)s) are not accepted. Save the file as an ordinary "
        "document and upload it again."
    ),
    "macros": _(
        "The document contains macros (program code), which are not accepted. Save it "
        "without macros (as DOCX, XLSX, PPTX or ODF) and upload it again."
    ),
    "text_encoding": _("The text file's character encoding could not be recognised."),
    "epub_invalid": _("The EPUB file is damaged: %(detail)s"),
    "pdf_damaged": _("The PDF is damaged and cannot be read."),
    "pdf_encrypted": _("The PDF is password-protected. Remove the password and upload it again."),
    "no_pages": _("The document has no pages."),
    "too_many_pages": _(
        "The document has %(pages)s pages; the most a document may have is %(limit)s."
    ),
    "convert_timeout": _(
        "Converting the document took longer than %(seconds)s seconds and was stopped."
    ),
    "convert_failed": _(
        "The document could not be opened for conversion; it may be damaged, "
        "password-protected or in an unsupported variant of its format."
    ),
    "convert_crashed": _(
        "The converter stopped while reading this document (it may be damaged or too "
        "large to convert)."
    ),
    "converter_unavailable": _(
        "The document converter (LibreOffice) is not available on this server. An "
        "administrator needs to install it and then retry the document."
    ),
    "worker_lost": _(
        "Processing stopped unexpectedly %(attempts)s times; the document may be too large "
        "or malformed."
    ),
    "internal": _(
        "An internal error stopped processing at the %(stage)s stage. An administrator can "
        "retry it."
    ),
}


# Words that stages put into messages' parameters (kinds of file, stage names), so a
# Chinese message does not carry English inside it.
LABELS: Mapping[str, Any] = {
    "binary data": _("binary data"),
    "damaged OLE file": _("a damaged Office file"),
    "OLE compound file": _("an unknown Office file"),
    "Office Open XML": _("an unknown Office Open XML file"),
    "no readable chapters": _("it has no readable chapters"),
    "bad package description": _("its package description cannot be read"),
    "Windows executable": _("a Windows program"),
    "ELF executable": _("a Linux program"),
    "Mach-O executable": _("a macOS program"),
    "PNG image": _("a PNG image"),
    "JPEG image": _("a JPEG image"),
    "GIF image": _("a GIF image"),
    "WordPerfect Office file": _("a WordPerfect Office file that is no document"),
    "web page or XML": _("a web page or XML file under an Office name"),
    "fetch": _("fetch"),
    "preflight": _("preflight check"),
    "normalise": _("conversion"),
    "read": _("reading"),
    "count": _("counting"),
    "render": _("rendering"),
    "publish": _("publishing"),
    "worker": _("worker"),
}


class IngestError(Exception):
    """A document cannot be ingested, for a reason its uploader should read.

    Raised by a pipeline stage; the runner records the stage, code and parameters.
    """

    def __init__(self, code: str, **params: Any) -> None:
        if code not in MESSAGES:
            raise ValueError(f"unknown ingest error code {code!r}")
        super().__init__(code)
        self.code = code
        self.params = params

    def __str__(self) -> str:
        return f"{self.code} {self.params}" if self.params else self.code


def describe(code: str, params: Mapping[str, Any]) -> str:
    """The failure in the active language."""
    template = MESSAGES.get(code)
    if template is None:
        return gettext("Processing failed (%(code)s).") % {"code": code}
    values = {
        k: str(LABELS[v]) if isinstance(v, str) and v in LABELS else v for k, v in params.items()
    }
    try:
        return str(template) % values if values else str(template)
    except (KeyError, TypeError, ValueError):
        return str(template)
