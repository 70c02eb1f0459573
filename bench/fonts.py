"""Chinese page layout against Word's: which free fonts stand in best for 宋体, 黑体, 楷体, 仿宋.

Run from the repository root: ``.venv/bin/python bench/fonts.py --corpus ../shared/corpus-real``
(the candidates' Debian packages must be installed: see CANDIDATES).

Word saves the page count it laid out, with Word's fonts, in docProps/app.xml (and the
SummaryInformation of .doc files); the corpus manifest has it as ``saved_metadata``. Every
Chinese Word file that carries one (at least 100 CJK characters) is converted by Wenku's
sandboxed LibreOffice once per candidate set of fontconfig aliases, and its page count is
compared with Word's. Printed per candidate: files within ±10 % of Word's count (the goal
is ≥ 90 %), the mean absolute difference, and each file's count. The first candidate is
the aliases Wenku shipped before this measurement (Noto CJK for everything): the baseline.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

import harness

SERIF = ["宋体", "SimSun", "新宋体", "NSimSun", "华文宋体", "STSong", "方正小标宋简体", "Songti SC",
         "方正书宋简体", "宋体-方正超大字符集"]  # fmt: skip
FANGSONG = ["仿宋", "FangSong", "仿宋_GB2312", "华文仿宋", "STFangsong"]
KAI = ["楷体", "KaiTi", "楷体_GB2312", "华文楷体", "STKaiti"]
SANS = ["黑体", "SimHei", "微软雅黑", "Microsoft YaHei", "等线", "DengXian", "华文黑体", "STHeiti",
        "PingFang SC", "Heiti SC", "方正黑体简体"]  # fmt: skip

# Ming/Mincho: the same Song style under its Traditional Chinese and Japanese names (a
# Chinese file written on a Japanese or Taiwanese Word asks for them); mapped to the serif.
MING = ["新細明體", "PMingLiU", "細明體", "MingLiU", "ＭＳ 明朝", "MS Mincho", "ＭＳ Ｐ明朝",
        "MS PMincho"]  # fmt: skip
# name: (serif, fangsong, kai, sans) — Debian packages in the comment
CANDIDATES: dict[str, tuple[str, str, str, str]] = {
    "noto (before)": ("Noto Serif CJK SC",) * 3 + ("Noto Sans CJK SC",),  # fonts-noto-cjk
    "arphic uming/ukai + wqy zenhei": (
        "AR PL UMing CN", "AR PL UMing CN", "AR PL UKai CN", "WenQuanYi Zen Hei",
    ),  # fonts-arphic-uming fonts-arphic-ukai fonts-wqy-zenhei
    "arphic gb (sungti/kaiti) + wqy microhei": (
        "AR PL SungtiL GB", "AR PL SungtiL GB", "AR PL KaitiM GB", "WenQuanYi Micro Hei",
    ),  # fonts-arphic-gbsn00lp fonts-arphic-gkai00mp fonts-wqy-microhei
    "arphic uming + noto sans": (
        "AR PL UMing CN", "AR PL UMing CN", "AR PL UKai CN", "Noto Sans CJK SC",
    ),
    "noto serif + wqy zenhei": (
        "Noto Serif CJK SC", "Noto Serif CJK SC", "Noto Serif CJK SC", "WenQuanYi Zen Hei",
    ),
}  # fmt: skip
# Candidates that also map the Ming/Mincho names to their serif (the others leave them to
# fontconfig's fallback, Noto CJK).
WITH_MING = {"arphic uming + noto sans, ming/mincho → uming"}
CANDIDATES["arphic uming + noto sans, ming/mincho → uming"] = CANDIDATES["arphic uming + noto sans"]


def fonts_conf(serif: str, fangsong: str, kai: str, sans: str, ming: bool = False) -> str:
    lines = [
        '<?xml version="1.0"?>',
        '<!DOCTYPE fontconfig SYSTEM "fonts.dtd">',
        "<fontconfig>",
        '  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>',
    ]
    groups = [(SERIF, serif), (FANGSONG, fangsong), (KAI, kai), (SANS, sans)]
    for names, target in groups + ([(MING, serif)] if ming else []):
        for name in names:
            lines.append(
                f'  <alias binding="same"><family>{name}</family>'
                f"<prefer><family>{target}</family></prefer></alias>"
            )
    lines.append("</fontconfig>")
    return "\n".join(lines) + "\n"


def word_files(corpus: Path) -> list[tuple[Path, int]]:
    out = []
    for entry in json.loads((corpus / "manifest.json").read_text("utf-8")):
        ref = entry.get("reference", {})
        saved = (ref.get("saved_metadata") or {}).get("meta_pages")
        if entry["format"] in {"doc", "docx"} and saved and int(ref.get("soffice_cjk") or 0) >= 100:
            out.append((corpus / entry["file"], int(saved)))
    return out


def measure(files: list[tuple[Path, int]], conf_text: str, folder: Path) -> list[int | None]:
    import pypdfium2

    from wenku.ingest.errors import IngestError
    from wenku.ingest.office.client import OfficeConverter, OfficeSettings

    conf_path = folder / f"fonts-{time.time_ns()}.conf"
    conf_path.write_text(conf_text, encoding="utf-8")
    base = OfficeSettings.from_django()
    settings = OfficeSettings(**{**base.__dict__, "fonts_conf": conf_path, "workdir": folder})
    pages: list[int | None] = []
    with OfficeConverter(settings) as office:
        for path, _ in files:
            source = folder / ("in" + path.suffix)
            source.write_bytes(path.read_bytes())
            target = folder / "out.pdf"
            try:
                office.convert(source, target)
                pages.append(len(pypdfium2.PdfDocument(str(target))))
            except IngestError:
                pages.append(None)
    return pages


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=Path("../shared/corpus-real"))
    parser.add_argument("--only", default="", help="candidates whose name contains this")
    args = parser.parse_args()
    corpus = args.corpus.resolve()
    print(harness.machine_line())
    files = word_files(corpus)
    candidates = {n: f for n, f in CANDIDATES.items() if args.only in n}
    print(f"{len(files)} Chinese Word files with Word's saved page count")
    with harness.work_folder("wenku-fonts-") as folder:
        harness.setup_django(folder / "data")
        results = {}
        for name, families in candidates.items():
            results[name] = measure(
                files,
                fonts_conf(*families, ming=name in WITH_MING),
                Path(tempfile.mkdtemp(dir=folder)),
            )
        rows = []
        for name, pages in results.items():
            diffs = [(p - w) / w for p, (_, w) in zip(pages, files, strict=True) if p is not None]
            within = sum(1 for d in diffs if abs(d) <= 0.10)
            mean = sum(abs(d) for d in diffs) / max(len(diffs), 1)
            rows.append([name, f"{within} of {len(files)}", f"{mean:.0%}"])
        print(harness.table(["aliases", "within ±10 % of Word", "mean |difference|"], rows))
        header = ["file", "Word", *results]
        table_rows = [
            [path.name[:48], str(saved), *(str(results[n][i]) for n in results)]
            for i, (path, saved) in enumerate(files)
        ]
        print()
        print(harness.table(header, table_rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
