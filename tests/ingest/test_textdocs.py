"""TXT, Markdown and EPUB become safe HTML: nothing from the upload is kept as markup."""

import pytest

from tests.factories import documents as f
from wenku.ingest.textdocs import epub_to_html, markdown_to_html, text_to_html


def test_text_is_escaped_line_by_line():
    html = text_to_html("第一行<script>alert(1)</script>\n\n第二行 & more", "标题")
    assert "&lt;script&gt;" in html and "<script>" not in html
    assert "<p>第二行 &amp; more</p>" in html


def test_markdown_keeps_structure_drops_raw_html_and_images():
    html = markdown_to_html(f.make_markdown() + '\n<img src="http://evil/x.png">\n', "t")
    assert "<h1>教学设计</h1>" in html and "<table>" in html and "<li>" in html
    assert "should-not-be-fetched" not in html  # image URL gone, alt text kept
    assert "[示意图]" in html
    assert "<img" not in html


def test_epub_chapters_in_spine_order_without_scripts_or_images(tmp_path):
    path = tmp_path / "book.epub"
    path.write_bytes(f.make_epub(3))
    html = epub_to_html(path, "书")
    assert html.index("第1章") < html.index("第2章") < html.index("第3章")
    assert "alert(1)" not in html
    assert "/etc/passwd" not in html and "[插图]" in html
    assert html.count("page-break-before") == 2


def test_ruby_readings_are_dropped_and_the_base_text_kept(tmp_path):
    """Given an EPUB with ruby (汉字 with its pinyin), then only the characters remain: the
    readings were read as text (汉字hànzì) and counted as 字."""
    import io
    import zipfile

    with zipfile.ZipFile(io.BytesIO(f.make_epub(1))) as zf:
        parts = {name: zf.read(name) for name in zf.namelist()}
    ruby = "<p><ruby>汉<rp>(</rp><rt>hàn</rt><rp>)</rp>字<rt>zì</rt></ruby>的读音</p>"
    parts["OEBPS/c0.xhtml"] = parts["OEBPS/c0.xhtml"].replace(b"<h1>", ruby.encode() + b"<h1>")
    path = tmp_path / "ruby.epub"
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in parts.items():
            zf.writestr(name, data)
    html = epub_to_html(path, "书")
    assert "<ruby>" not in html
    assert "汉字的读音" in html
    assert "hàn" not in html and "zì" not in html


def epub_with_cover(tmp_path, *, epub3: bool = True):
    """A book whose first spine item is a cover page holding only the cover picture (a red
    PNG), named as the cover by the package (EPUB 3 ``properties`` or EPUB 2 ``meta``)."""
    import io
    import zipfile

    from PIL import Image

    picture = io.BytesIO()
    Image.new("RGB", (600, 800), (200, 20, 20)).save(picture, "PNG")
    with zipfile.ZipFile(io.BytesIO(f.make_epub(1))) as zf:
        parts = {name: zf.read(name) for name in zf.namelist()}
    opf = parts["OEBPS/content.opf"].decode()
    cover_item = (
        '<item id="img" href="cover.png" media-type="image/png" properties="cover-image"/>'
        if epub3
        else '<item id="img" href="cover.png" media-type="image/png"/>'
    )
    opf = opf.replace(
        "<manifest>",
        '<manifest><item id="cover" href="cover.xhtml" media-type="application/xhtml+xml"/>'
        + cover_item,
    )
    opf = opf.replace("<spine>", '<spine><itemref idref="cover"/>')
    if not epub3:
        opf = opf.replace("</metadata>", '<meta name="cover" content="img"/></metadata>')
    parts["OEBPS/content.opf"] = opf.encode()
    parts["OEBPS/cover.png"] = picture.getvalue()
    parts["OEBPS/cover.xhtml"] = (
        b'<?xml version="1.0"?><html xmlns="http://www.w3.org/1999/xhtml"><body>'
        b'<div><img src="cover.png" alt="Cover Image"/></div></body></html>'
    )
    path = tmp_path / "book.epub"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr(zipfile.ZipInfo("mimetype"), "application/epub+zip")
        for name, data in parts.items():
            if name != "mimetype":
                zf.writestr(name, data)
    return path, picture.getvalue()


@pytest.mark.parametrize("epub3", [True, False])
def test_the_cover_page_is_the_cover_not_a_page_reading_cover_image(tmp_path, epub3):
    from wenku.ingest.textdocs import epub_cover

    path, picture = epub_with_cover(tmp_path, epub3=epub3)
    html = epub_to_html(path, "书")
    assert "Cover Image" not in html and "第1章" in html
    assert "page-break-before" not in html  # one chapter left: no break before it
    assert epub_cover(path) == picture


def test_a_book_without_a_cover_has_none(tmp_path):
    from wenku.ingest.textdocs import epub_cover

    path = tmp_path / "plain.epub"
    path.write_bytes(f.make_epub(1))
    assert epub_cover(path) is None
