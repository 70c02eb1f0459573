"""TXT, Markdown and EPUB become one clean HTML file, which LibreOffice lays out as a PDF.

Nothing from the source reaches the HTML as markup: text is escaped, Markdown's raw
HTML is disabled, images become their alt text, and EPUB chapters are rebuilt from
an allow-list of structural tags without attributes. So the converter is never
asked to fetch a URL or read a file named by an upload.
"""

from __future__ import annotations

import contextlib
import html
import posixpath
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import charset_normalizer
from defusedxml import ElementTree as SafeET
from lxml import etree
from lxml import html as lxml_html
from markdown_it import MarkdownIt

from wenku.ingest.errors import IngestError

_BOMS = (
    (b"\xef\xbb\xbf", "utf-8-sig"),
    (b"\xff\xfe\x00\x00", "utf-32"),
    (b"\x00\x00\xfe\xff", "utf-32"),
    (b"\xff\xfe", "utf-16"),
    (b"\xfe\xff", "utf-16"),
)
_CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]")
MAX_CHAOS = 0.1  # text decoded by a guess of charset_normalizer may be this messy, no more
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")

STYLE = """
@page { size: 21cm 29.7cm; margin: 2.2cm 2cm; }
body { font-family: "Noto Serif CJK SC", "Noto Serif", serif; font-size: 12pt; line-height: 1.6; }
h1, h2, h3, h4, h5, h6 { font-family: "Noto Sans CJK SC", "Noto Sans", sans-serif; }
pre, code { font-family: "Noto Sans Mono CJK SC", monospace; font-size: 10pt; }
table { border-collapse: collapse; } td, th { border: 1px solid #999; padding: 2pt 4pt; }
"""


# --- plain text


def detect_encoding(path: Path) -> str:
    """The codec that decodes this text file, or IngestError if it is not text."""
    data = path.read_bytes()
    for bom, codec in _BOMS:
        if data.startswith(bom):
            return codec
    if _decodes(data, "utf-8"):
        return "utf-8"
    utf16 = _utf16_without_bom(data)
    if utf16:
        return utf16
    if b"\x00" in data:
        raise IngestError("unsupported", detected="binary data")
    # A Chinese library: GB18030 (a superset of GBK and GB2312) wins when the
    # bytes decode strictly and the result is mostly CJK.
    if _decodes(data, "gb18030"):
        decoded = data.decode("gb18030")
        if _mostly_cjk(decoded) and _common_hanzi(decoded):
            return "gb18030"
    best = charset_normalizer.from_bytes(data).best()
    # A guess whose decoded text is this messy (charset_normalizer's "chaos": odd symbols,
    # broken scripts) is no reading at all: refused rather than published as mojibake.
    if best is not None and best.encoding and best.chaos <= MAX_CHAOS:
        codec = "gb18030" if best.encoding in {"gb2312", "gbk"} else best.encoding
        if _decodes(data, codec) and not _looks_binary(data.decode(codec)):
            return codec
    raise IngestError("text_encoding")


def _decodes(data: bytes, codec: str) -> bool:
    try:
        text = data.decode(codec)
    except (UnicodeDecodeError, LookupError):
        return False
    return not _looks_binary(text)


def _looks_binary(text: str) -> bool:
    sample = text[:200_000]
    return bool(sample) and len(_CONTROL.findall(sample)) > len(sample) * 0.01


def _mostly_cjk(text: str) -> bool:
    non_ascii = [c for c in text[:200_000] if ord(c) > 127]
    if not non_ascii:
        return False
    return sum(1 for c in non_ascii if _CJK.match(c)) >= 0.6 * len(non_ascii)


def _common_hanzi(text: str) -> bool:
    """Whether the Chinese characters read like Chinese: GB2312's first level (its 3,755
    most frequent hanzi, lead bytes B0–D7) covers over 99 % of real Chinese text. Bytes of
    another double-byte encoding (EUC-TW, say) also decode as GB18030, but into a flat
    spread of rare characters — 64 % first-level in a real EUC-TW file."""
    hanzi = [c for c in text[:200_000] if "\u4e00" <= c <= "\u9fff" or "\ue000" <= c <= "\uf8ff"]
    if not hanzi:
        return False
    common = 0
    for char in hanzi:
        with contextlib.suppress(UnicodeEncodeError):
            common += 0xB0 <= char.encode("gb2312")[0] <= 0xD7
    return common >= 0.9 * len(hanzi)


def _utf16_without_bom(data: bytes) -> str:
    sample = data[:20000]
    if len(sample) < 4:
        return ""
    even_nuls = sample[0::2].count(0)
    odd_nuls = sample[1::2].count(0)
    half = len(sample) / 2
    for codec, nuls in (("utf-16-le", odd_nuls), ("utf-16-be", even_nuls)):
        if nuls > 0.3 * half and _decodes(data, codec):
            return codec
    return ""


def read_text(path: Path, encoding: str) -> str:
    text = path.read_bytes().decode(encoding)
    return text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff")


def text_to_html(text: str, title: str) -> str:
    paragraphs = []
    for line in text.split("\n"):
        stripped = line.strip()
        paragraphs.append(f"<p>{html.escape(stripped)}</p>" if stripped else "<p></p>")
    return _page(title, "\n".join(paragraphs))


# --- Markdown


def _markdown() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")
    md.add_render_rule("image", _image_as_alt_text)
    return md


def _image_as_alt_text(self, tokens, idx, options, env) -> str:
    token = tokens[idx]
    alt = "".join(child.content for child in token.children or [])
    return f"<em>[{html.escape(alt)}]</em>" if alt else ""


def markdown_to_html(text: str, title: str) -> str:
    return _page(title, _markdown().render(text))


# --- EPUB

_KEEP = frozenset(
    "h1 h2 h3 h4 h5 h6 p br ul ol li blockquote pre code em strong b i u sub sup "
    "table thead tbody tfoot tr td th hr dl dt dd".split()
)
_DROP = frozenset(
    # rt/rp: ruby readings (汉字<rt>hànzì</rt>) are annotations, not the text: dropped, or
    # they would be read, searched and counted as words of the book.
    "script style head svg math object iframe embed noscript template audio video rt rp".split()
)
_XHTML_TYPES = frozenset({"application/xhtml+xml", "text/html"})


def epub_to_html(path: Path, title: str) -> str:
    """The book's chapters in spine order; a chapter that holds nothing but pictures (the
    cover page) is left out: it would print as a page reading "[Cover Image]"."""
    with zipfile.ZipFile(path) as zf:
        chapters = [_chapter_html(zf.read(name)) for name in _spine(zf)]
    chapters = [c if _has_words(c) else "" for c in chapters]
    if not any(chapters):
        raise IngestError("epub_invalid", detail="no readable chapters")
    breaker = '\n<p style="page-break-before: always"></p>\n'
    return _page(title, breaker.join(c for c in chapters if c))


_ALT_ONLY = re.compile(r"<em>\[[^\]]*\]</em>|<[^>]+>|\s+")


def _has_words(chapter: str) -> bool:
    return bool(_ALT_ONLY.sub("", chapter))


def epub_cover(path: Path, max_bytes: int = 20 * 1024 * 1024) -> bytes | None:
    """The bytes of the book's cover image, as its package names it (EPUB 3: the manifest
    item with ``properties="cover-image"``; EPUB 2: ``<meta name="cover">``), if it is a
    JPEG, PNG, GIF or WebP inside the book; else None."""
    try:
        with zipfile.ZipFile(path) as zf:
            opf_path, opf = _package(zf)
            base = posixpath.dirname(opf_path)
            items = [el for el in opf.iter() if el.tag.endswith("}item") or el.tag == "item"]
            named = next(
                (el.attrib.get("content") for el in opf.iter()
                 if (el.tag.endswith("}meta") or el.tag == "meta")
                 and el.attrib.get("name") == "cover"),
                None,
            )  # fmt: skip
            for item in items:
                is_cover = "cover-image" in item.attrib.get("properties", "").split()
                if not (is_cover or (named and item.attrib.get("id") == named)):
                    continue
                if item.attrib.get("media-type") not in _COVER_TYPES:
                    continue
                name = posixpath.normpath(posixpath.join(base, item.attrib.get("href", "")))
                info = zf.getinfo(name)
                if info.file_size > max_bytes:
                    return None
                return zf.read(info)
    except (IngestError, KeyError, zipfile.BadZipFile, OSError, ValueError):
        return None
    return None


_COVER_TYPES = frozenset({"image/jpeg", "image/png", "image/gif", "image/webp"})


def _package(zf: zipfile.ZipFile) -> tuple[str, Any]:
    """The package document's path and its parsed XML (entities refused)."""
    try:
        container = SafeET.fromstring(zf.read("META-INF/container.xml"))
        rootfile = next(el for el in container.iter() if el.tag.endswith("rootfile"))
        opf_path = rootfile.attrib["full-path"]
        return opf_path, SafeET.fromstring(zf.read(opf_path))
    except Exception:  # a missing part, bad XML, or defusedxml refusing entities
        raise IngestError("epub_invalid", detail="bad package description") from None


def _spine(zf: zipfile.ZipFile) -> Iterator[str]:
    names = set(zf.namelist())
    opf_path, opf = _package(zf)
    base = posixpath.dirname(opf_path)
    manifest = {
        el.attrib.get("id"): (el.attrib.get("href", ""), el.attrib.get("media-type", ""))
        for el in opf.iter()
        if el.tag.endswith("}item") or el.tag == "item"
    }
    for el in opf.iter():
        if el.tag.endswith("}itemref") or el.tag == "itemref":
            href, media_type = manifest.get(el.attrib.get("idref"), ("", ""))
            name = posixpath.normpath(posixpath.join(base, href)) if href else ""
            if media_type in _XHTML_TYPES and name in names:
                yield name


def _chapter_html(data: bytes) -> str:
    parser = lxml_html.HTMLParser(no_network=True, remove_comments=True, remove_pis=True)
    try:
        root = lxml_html.fromstring(data, parser=parser)
    except (etree.ParserError, ValueError):
        return ""
    body = root.find(".//body")
    return _clean(body if body is not None else root).strip()


def _clean(element: etree._Element) -> str:
    out: list[str] = []
    tag = element.tag if isinstance(element.tag, str) else ""
    tag = tag.rsplit("}", 1)[-1].lower()
    if tag in _DROP:
        return html.escape(element.tail or "")
    keep = tag in _KEEP
    if keep:
        out.append(f"<{tag}>")
    if tag == "img" and element.get("alt"):
        out.append(f"<em>[{html.escape(element.get('alt', ''))}]</em>")
    out.append(html.escape(element.text or ""))
    for child in element:
        out.append(_clean(child))
    if keep and tag not in {"br", "hr"}:
        out.append(f"</{tag}>")
    elif tag in {"div", "section", "article"} and (element.text or "").strip():
        out.append("<br>")
    out.append(html.escape(element.tail or ""))
    return "".join(out)


def _page(title: str, body: str) -> str:
    return (
        '<!DOCTYPE html>\n<html lang="zh-CN"><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title><style>{STYLE}</style></head>"
        f"<body>\n{body}\n</body></html>\n"
    )
