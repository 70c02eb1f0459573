"""Generated documents: every format, deterministic for a seed, realistic metadata."""

from __future__ import annotations

import zipfile

import pytest

from wenku.demo.catalogue import NOT_MADE, SPECS, plan
from wenku.demo.content import GENERATORS
from wenku.demo.generate import SOURCE
from wenku.demo.model import Deck, TextDoc, Workbook
from wenku.demo.people import BY_NAME
from wenku.demo.phrases import Pick
from wenku.ingest.sniff import SUPPORTED_FORMATS


def test_the_first_fourteen_cover_every_format():
    assert {s.format for s in plan(14)} == SUPPORTED_FORMATS - NOT_MADE
    assert any(s.format == "txt" and s.encoding == "gbk" for s in plan(14))


def test_the_catalogue_is_consistent():
    from wenku.demo.categories import DEFAULT_TREE

    slugs = {slug for _, slug, _, _ in DEFAULT_TREE}
    slugs |= {child for *_, children in DEFAULT_TREE for _, child in children}
    for spec in SPECS:
        assert spec.kind in GENERATORS and spec.uploader in BY_NAME and spec.category in slugs
        assert SOURCE[spec.format]
    assert len(SPECS) >= 40
    assert max(s.pages for s in SPECS) >= 100 and min(s.pages for s in SPECS) == 1


@pytest.mark.parametrize("kind", sorted(GENERATORS))
def test_each_generator_is_deterministic_and_fills_its_metadata(kind):
    first = GENERATORS[kind](Pick("seed-1"), 3)
    assert GENERATORS[kind](Pick("seed-1"), 3) == first
    assert GENERATORS[kind](Pick("seed-2"), 3) != first
    assert first.title and len(first.description) > 20 and 2 <= len(first.tags) <= 10
    assert isinstance(first.content, TextDoc | Deck | Workbook)


def test_longer_targets_make_longer_documents():
    short = GENERATORS["tech_plan"](Pick("s"), 5).content
    long = GENERATORS["tech_plan"](Pick("s"), 100).content
    assert isinstance(short, TextDoc) and isinstance(long, TextDoc)
    assert len(long.blocks) > 5 * len(short.blocks)


def test_native_files_are_written(tmp_path):
    """The formats written without LibreOffice open as what they claim to be."""
    from wenku.demo import writers

    text = GENERATORS["teacher_book"](Pick("x"), 3)
    assert isinstance(text.content, TextDoc)
    writers.write_epub(text.content, tmp_path / "a.epub", "x")
    with zipfile.ZipFile(tmp_path / "a.epub") as zf:
        assert zf.namelist()[0] == "mimetype" and zf.read("mimetype") == b"application/epub+zip"
        assert zf.getinfo("mimetype").compress_type == zipfile.ZIP_STORED
    writers.write_txt(text.content, tmp_path / "a.txt", "gbk")
    (tmp_path / "a.txt").read_bytes().decode("gbk")
    writers.write_md(GENERATORS["api_doc"](Pick("x"), 2).content, tmp_path / "a.md")  # type: ignore[arg-type]
    assert "| code | 含义 |" in (tmp_path / "a.md").read_text()
