"""TXT, Markdown and EPUB become safe HTML: nothing from the upload is kept as markup."""

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
