"""The benchmark corpus: realistic Chinese documents in every format Wenku ingests.

Text is built from report, teaching and fiction vocabulary by a seeded random
generator, so a run's files are reproducible from its seed while two runs with
different seeds never share a file (Wenku reuses the conversion of identical
uploads, which would make a repeated file look instantaneous).

Page counts are pinned where the format allows: each Word chapter starts a new page
(page break before its heading) and holds less text than a page, slides are slides. Spreadsheets,
text, Markdown and EPUB are laid out by the converter; their page counts are what
it makes of them.
"""

from __future__ import annotations

import io
import random
import shutil
import subprocess
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

import docx
import openpyxl
from docx.document import Document as WordDocument
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from pptx import Presentation
from pptx.util import Inches

# --- Chinese text

SUBJECTS = (
    "我们 公司 学校 项目组 研究团队 各部门 管理层 基层单位 本课题组 全体员工 "
    "市政府 教研室 合作企业 信息中心"
).split()
ADVERBS = "进一步 积极 不断 全面 持续 认真 稳步 切实 大力 有序".split()
VERBS = "推进 完善 加强 落实 提升 优化 深化 推动 健全 规范 开展 探索 总结 梳理".split()
OBJECTS = (
    "管理制度 服务质量 教学改革 基础设施建设 数字化转型 安全生产责任制 "
    "人才培养体系 成本控制 风险防控机制 客户满意度 课程体系 科研成果转化 "
    "绿色低碳发展 信息化平台 绩效考核办法 供应链协同"
).split()
OPENERS = [  # the last one: no opener at all
    *"同时， 此外， 因此， 在此基础上， 与此同时， 从总体上看， 具体而言， 报告期内， "
    "下一阶段， 据统计，".split(),
    "",
]
RESULTS = (
    "取得了明显成效 为后续工作奠定了坚实基础 得到了上级部门的充分肯定 "
    "有效解决了长期存在的突出问题 形成了可复制、可推广的经验 整体水平显著提高 "
    "但仍存在一些不足之处 各项指标均达到预期目标"
).split()
FIGURES = (
    "全年营业收入{a}.{b}亿元，同比增长{p}.{q}% "
    "共完成培训{n}人次，覆盖率达到{p}% 累计投入资金{n}万元 "
    "新增专利{m}项，其中发明专利{k}项 平均处理时间缩短了{p}.{q}% "
    "参与人数较上年增加{n}人"
).split()
NARRATIVE = (
    "他推开窗，雨还在下 她低着头，没有说话 远处传来几声狗叫 街灯一盏一盏地亮了起来 "
    "屋子里静得能听见钟摆的声音 他想起了多年前的那个夏天 母亲在厨房里忙着做饭 "
    "风吹过院子里的老槐树 火车缓缓驶出了站台 她把信折好，放进了抽屉 "
    "桌上的茶早已凉了 他笑了笑，转身走进了人群 天边泛起一片鱼肚白"
).split()
NOVEL_TITLES = "远方 老街 雨夜 归途 山河故人 旧时光".split()
TOPICS = (
    "年度工作总结 教学设计方案 市场调研报告 项目可行性研究 安全生产管理规定 "
    "课程标准解读 财务分析报告 员工培训手册 信息化建设规划 质量管理体系"
).split()


class ChineseText:
    """Pseudo-realistic Chinese prose: report sentences, figures, and fiction."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def figure(self) -> str:
        r = self.rng
        return r.choice(FIGURES).format(
            a=r.randint(1, 99),
            b=r.randint(0, 99),
            p=r.randint(1, 60),
            q=r.randint(0, 9),
            n=r.randint(120, 98000),
            m=r.randint(5, 90),
            k=r.randint(1, 5),
        )

    def sentence(self) -> str:
        r = self.rng
        clause = f"{r.choice(SUBJECTS)}{r.choice(ADVERBS)}{r.choice(VERBS)}{r.choice(OBJECTS)}"
        if r.random() < 0.35:
            clause += f"，{self.figure()}"
        return f"{r.choice(OPENERS)}{clause}，{r.choice(RESULTS)}。"

    def paragraph(self, chars: int) -> str:
        """Report prose of about ``chars`` characters."""
        parts: list[str] = []
        while sum(map(len, parts)) < chars:
            parts.append(self.sentence())
        return "".join(parts)

    def story(self, chars: int) -> str:
        """Fiction of about ``chars`` characters."""
        parts: list[str] = []
        while sum(map(len, parts)) < chars:
            parts.append(self.rng.choice(NARRATIVE) + self.rng.choice("。。，"))
        return "".join(parts).rstrip("，") + "。"

    def title(self) -> str:
        return f"{self.rng.randint(2019, 2025)}年{self.rng.choice(TOPICS)}"

    def phrase(self) -> str:
        return f"{self.rng.choice(VERBS)}{self.rng.choice(OBJECTS)}"


# --- builders, one per format


def docx_bytes(pages: int, text: ChineseText) -> bytes:
    """An A4 Word report of exactly ``pages`` pages: heading, paragraphs, now and then a table."""
    document = docx.Document()
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    normal = document.styles["Normal"]
    normal.font.name = "宋体"
    normal.element.rPr.rFonts.set(qn("w:eastAsia"), "宋体")
    normal.font.size = Pt(12)
    document.add_heading(text.title(), level=0)
    for page in range(pages):
        heading = document.add_heading(f"第{page + 1}章 {text.phrase()}", level=1)
        heading.paragraph_format.page_break_before = page > 0
        for _ in range(4):
            document.add_paragraph(text.paragraph(150))
        if page % 4 == 3:
            _add_table(document, text)
    return _saved(document)


def _add_table(document: WordDocument, text: ChineseText) -> None:
    table = document.add_table(rows=4, cols=3)
    table.style = "Table Grid"
    for cell, label in zip(table.rows[0].cells, ("项目", "完成情况", "金额（万元）"), strict=True):
        cell.text = label
    for row in table.rows[1:]:
        row.cells[0].text = text.rng.choice(OBJECTS)
        row.cells[1].text = text.rng.choice(RESULTS)
        row.cells[2].text = f"{text.rng.randint(10, 9999):,}"


def pptx_bytes(slides: int, text: ChineseText) -> bytes:
    """A 16:9 lecture deck: a title slide, then bullet slides."""
    prs = Presentation()
    prs.slide_width, prs.slide_height = Inches(13.333), Inches(7.5)
    cover = prs.slides.add_slide(prs.slide_layouts[0])
    cover.shapes.title.text = text.title()
    cover.placeholders[1].text = "汇报人：张老师　　2024年9月"
    for number in range(1, slides):
        slide = prs.slides.add_slide(prs.slide_layouts[1])
        slide.shapes.title.text = f"{number}. {text.phrase()}"
        body = slide.placeholders[1].text_frame
        body.text = text.paragraph(40)
        for _ in range(3):
            body.add_paragraph().text = text.paragraph(25)
    return _saved(prs)


def xlsx_bytes(sheets: int, rows: int, text: ChineseText) -> bytes:
    """A workbook of ledger-like sheets (number, item, department, amounts, remark)."""
    workbook = openpyxl.Workbook()
    rng = text.rng
    for index in range(sheets):
        sheet = workbook.active if index == 0 else workbook.create_sheet()
        sheet.title = f"{index + 1}季度明细"
        sheet.append(["序号", "项目名称", "责任部门", "预算（万元）", "实际（万元）", "备注"])
        for row in range(rows):
            budget = rng.randint(10, 5000)
            sheet.append(
                [
                    row + 1,
                    text.phrase(),
                    rng.choice(SUBJECTS),
                    budget,
                    round(budget * rng.uniform(0.7, 1.2), 2),
                    rng.choice(RESULTS),
                ]
            )
        sheet.column_dimensions["B"].width = 24
        sheet.column_dimensions["F"].width = 36
    return _saved(workbook)


def gbk_text_bytes(chapters: int, text: ChineseText) -> bytes:
    """A novel as a plain GBK text file, the way Chinese e-texts are still often shared."""
    lines = [f"《{text.rng.choice(NOVEL_TITLES)}》", ""]
    for number in range(1, chapters + 1):
        lines += [f"第{number}章", ""]
        lines += [f"　　{text.story(text.rng.randint(180, 320))}" for _ in range(6)]
        lines.append("")
    return "\n".join(lines).encode("gbk")


def markdown_text(sections: int, text: ChineseText) -> str:
    """A teaching plan in Markdown: headings, lists, a table, a code block."""
    parts = [f"# {text.title()}", "", text.paragraph(200), ""]
    for number in range(1, sections + 1):
        parts += [f"## {number}. {text.phrase()}", "", text.paragraph(300), ""]
        parts += [f"- {text.phrase()}：{text.paragraph(40)}" for _ in range(4)]
        parts += ["", "| 环节 | 时间 | 要点 |", "|---|---|---|"]
        parts += [f"| {text.phrase()} | {5 * i}分钟 | {text.paragraph(20)} |" for i in (1, 2, 3)]
        parts += ["", "```python", "print('课堂练习')", "```", "", text.paragraph(250), ""]
    return "\n".join(parts)


def epub_bytes(chapters: int, text: ChineseText) -> bytes:
    """An EPUB 3 book: container, package, one XHTML file per chapter."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(zipfile.ZipInfo("mimetype"), "application/epub+zip")
        zf.writestr("META-INF/container.xml", _EPUB_CONTAINER)
        items = "".join(
            f'<item id="c{i}" href="c{i}.xhtml" media-type="application/xhtml+xml"/>'
            for i in range(chapters)
        )
        spine = "".join(f'<itemref idref="c{i}"/>' for i in range(chapters))
        zf.writestr(
            "OEBPS/content.opf", _EPUB_PACKAGE.format(title=text.title(), items=items, spine=spine)
        )
        for i in range(chapters):
            paragraphs = "".join(f"<p>{text.story(300)}</p>" for _ in range(5))
            zf.writestr(
                f"OEBPS/c{i}.xhtml",
                _EPUB_CHAPTER.format(number=i + 1, heading=text.phrase(), body=paragraphs),
            )
    return buffer.getvalue()


_EPUB_CONTAINER = (
    '<?xml version="1.0"?><container version="1.0" '
    'xmlns="urn:oasis:names:tc:opendocument:xmlns:container"><rootfiles>'
    '<rootfile full-path="OEBPS/content.opf" media-type="application/oebps-package+xml"/>'
    "</rootfiles></container>"
)
_EPUB_PACKAGE = (
    '<?xml version="1.0"?><package xmlns="http://www.idpf.org/2007/opf" version="3.0">'
    '<metadata xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>{title}</dc:title>'
    "<dc:language>zh-CN</dc:language></metadata>"
    "<manifest>{items}</manifest><spine>{spine}</spine></package>"
)
_EPUB_CHAPTER = (
    '<?xml version="1.0" encoding="utf-8"?><!DOCTYPE html>'
    '<html xmlns="http://www.w3.org/1999/xhtml"><head><title>第{number}章</title></head>'
    "<body><h1>第{number}章 {heading}</h1>{body}</body></html>"
)


def _saved(document: object) -> bytes:
    buffer = io.BytesIO()
    document.save(buffer)  # type: ignore[attr-defined]
    return buffer.getvalue()


def docx_to_pdf(source: Path, target: Path) -> None:
    """Convert with a throw-away LibreOffice (setup only: this is not timed)."""
    with tempfile.TemporaryDirectory(prefix="bench-lo-") as tmp:
        profile = Path(tmp) / "profile"
        subprocess.run(
            [
                "soffice",
                f"-env:UserInstallation={profile.as_uri()}",
                "--headless",
                "--norestore",
                "--convert-to",
                "pdf",
                "--outdir",
                tmp,
                str(source),
            ],
            check=True,
            capture_output=True,
            timeout=300,
        )
        shutil.move(Path(tmp) / f"{source.stem}.pdf", target)


# --- the corpus


@dataclass(frozen=True)
class CorpusFile:
    label: str  # what the row is called in the tables
    format: str  # Wenku's format name
    path: Path

    @property
    def size(self) -> int:
        return self.path.stat().st_size


def build_corpus(folder: Path, seed: int) -> list[CorpusFile]:
    """The mixed corpus of the issue, written into ``folder``."""
    text = ChineseText(random.Random(seed))
    folder.mkdir(parents=True, exist_ok=True)
    files = [
        _write(folder / "工作总结-10页.docx", "docx 10 pages", "docx", docx_bytes(10, text)),
        _write(folder / "年度报告-100页.docx", "docx 100 pages", "docx", docx_bytes(100, text)),
        _write(folder / "教学课件-20页.pptx", "pptx 20 slides", "pptx", pptx_bytes(20, text)),
        _write(folder / "预算明细.xlsx", "xlsx 4 sheets", "xlsx", xlsx_bytes(4, 120, text)),
    ]
    source = _write(folder / "pdf-source.docx", "", "docx", docx_bytes(50, text))
    pdf = folder / "可行性研究-50页.pdf"
    docx_to_pdf(source.path, pdf)
    source.path.unlink()
    files += [
        CorpusFile("pdf 50 pages", "pdf", pdf),
        _write(folder / "长篇小说.txt", "txt (GBK)", "txt", gbk_text_bytes(12, text)),
        _write(folder / "教学设计.md", "md", "md", markdown_text(8, text).encode()),
        _write(folder / "散文集.epub", "epub", "epub", epub_bytes(10, text)),
    ]
    return files


def build_warmup(folder: Path, seed: int) -> list[CorpusFile]:
    """One small file per converter path: Writer, Impress, Calc, and text through HTML."""
    text = ChineseText(random.Random(seed))
    folder.mkdir(parents=True, exist_ok=True)
    return [
        _write(folder / "warm.docx", "warm-up docx", "docx", docx_bytes(2, text)),
        _write(folder / "warm.pptx", "warm-up pptx", "pptx", pptx_bytes(2, text)),
        _write(folder / "warm.xlsx", "warm-up xlsx", "xlsx", xlsx_bytes(1, 20, text)),
        _write(folder / "warm.md", "warm-up md", "md", markdown_text(1, text).encode()),
    ]


def build_docx_samples(folder: Path, seed: int, count: int, pages: int = 10) -> list[CorpusFile]:
    """``count`` different ``pages``-page Word files (for latency samples)."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    return [
        _write(
            folder / f"样本{i + 1}-{pages}页.docx",
            f"docx {pages} pages #{i + 1}",
            "docx",
            docx_bytes(pages, ChineseText(random.Random(rng.getrandbits(64)))),
        )
        for i in range(count)
    ]


def _write(path: Path, label: str, fmt: str, data: bytes) -> CorpusFile:
    path.write_bytes(data)
    return CorpusFile(label, fmt, path)
