"""Generate the demo's documents as files, deterministically for a seed.

Native formats are written directly (python-docx, python-pptx, openpyxl, our own
text, Markdown and EPUB writers); the others are converted from them with one
LibreOffice run per target format.
"""

from __future__ import annotations

import re
import shutil
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from wenku.demo import office, writers
from wenku.demo.catalogue import Spec, plan
from wenku.demo.content import GENERATORS
from wenku.demo.model import Deck, Generated, TextDoc, Workbook
from wenku.demo.people import BY_NAME, upload_ip
from wenku.demo.phrases import Pick

# Which native file each format is made from.
SOURCE = {
    "docx": "docx",
    "doc": "docx",
    "rtf": "docx",
    "odt": "docx",
    "pdf": "docx",
    "pptx": "pptx",
    "ppt": "pptx",
    "odp": "pptx",
    "xlsx": "xlsx",
    "xls": "xlsx",
    "ods": "xlsx",
    "txt": "txt",
    "md": "md",
    "epub": "epub",
}
_UNSAFE = re.compile(r'[\\/:*?"<>|\s]+')

Progress = Callable[[str], None]


@dataclass(frozen=True)
class DemoFile:
    """One generated file and what its uploader will say about it."""

    path: Path
    original_name: str
    format: str
    title: str
    description: str
    tags: tuple[str, ...]
    category: str
    uploader: str
    upload_ip: str


def generate(
    folder: Path,
    count: int,
    seed: int,
    *,
    soffice: str,
    timeout: float = 600,
    progress: Progress | None = None,
) -> list[DemoFile]:
    """Write ``count`` documents into ``folder``; return them in catalogue order."""
    specs = plan(count)
    if any(SOURCE[s.format] != s.format for s in specs):
        office.check_soffice(soffice)
    native, final = folder / "native", folder / "final"
    native.mkdir(parents=True, exist_ok=True)
    final.mkdir(parents=True, exist_ok=True)
    made: list[tuple[int, Spec, Generated, Path]] = []
    for index, spec in enumerate(specs):
        pick = Pick(f"wenku-demo:{seed}:{index}")
        generated = GENERATORS[spec.kind](pick, spec.pages)
        source = native / f"{index:03d}.{SOURCE[spec.format]}"
        _write(generated, spec, source, identifier=f"{seed}:{index}")
        made.append((index, spec, generated, source))
        if progress:
            progress("write")
    by_target: dict[str, list[Path]] = defaultdict(list)
    for _, spec, _, source in made:
        if SOURCE[spec.format] != spec.format:
            by_target[spec.format].append(source)
    for target, sources in sorted(by_target.items()):
        office.convert(sources, target, native, soffice, timeout)
        if progress:
            progress(f"convert:{target}")
    files = []
    for index, spec, generated, source in made:
        converted = source.with_suffix(f".{spec.format}")
        name = _UNSAFE.sub("_", generated.title).strip("_")[:120] + f".{spec.format}"
        path = final / f"{index:03d}-{name}"
        shutil.move(converted, path)
        uploader = BY_NAME[spec.uploader]
        files.append(
            DemoFile(
                path=path,
                original_name=name,
                format=spec.format,
                title=generated.title,
                description=generated.description,
                tags=generated.tags,
                category=generated.extra.get("category", spec.category),
                uploader=uploader.username,
                upload_ip=upload_ip(uploader, Pick(f"wenku-demo-ip:{seed}:{index}")),
            )
        )
    return files


def _write(generated: Generated, spec: Spec, path: Path, identifier: str) -> None:
    content = generated.content
    kind = SOURCE[spec.format]
    if kind == "pptx" and isinstance(content, Deck):
        writers.write_pptx(content, path)
    elif kind == "xlsx" and isinstance(content, Workbook):
        writers.write_xlsx(content, path)
    elif isinstance(content, TextDoc) and kind in ("docx", "txt", "md", "epub"):
        if kind == "docx":
            writers.write_docx(content, path)
        elif kind == "txt":
            writers.write_txt(content, path, spec.encoding)
        elif kind == "md":
            writers.write_md(content, path)
        else:
            writers.write_epub(content, path, identifier)
    else:
        raise ValueError(f"{spec.kind} makes {type(content).__name__}, not a .{kind} file")
