"""What generated content is made of, before it is written in any file format."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Heading:
    text: str
    level: int = 1


@dataclass(frozen=True)
class Para:
    text: str
    align: str = ""  # "", "center" or "right"
    bold: bool = False


@dataclass(frozen=True)
class Items:
    items: tuple[str, ...]
    ordered: bool = False


@dataclass(frozen=True)
class Table:
    rows: tuple[tuple[str, ...], ...]  # the first row is the header


@dataclass(frozen=True)
class PageBreak:
    pass


Block = Heading | Para | Items | Table | PageBreak


@dataclass(frozen=True)
class TextDoc:
    """A document of text: a report, an exam paper, a contract, a book."""

    title: str
    blocks: tuple[Block, ...]
    subtitle: str = ""
    author: str = ""
    lang: str = "zh"


@dataclass(frozen=True)
class Slide:
    title: str
    bullets: tuple[str, ...] = ()
    table: tuple[tuple[str, ...], ...] = ()


@dataclass(frozen=True)
class Deck:
    """A slide presentation."""

    title: str
    subtitle: str
    slides: tuple[Slide, ...]
    lang: str = "zh"


@dataclass(frozen=True)
class Sheet:
    name: str
    title: str
    header: tuple[str, ...]
    rows: tuple[tuple[str | int | float, ...], ...]
    widths: tuple[int, ...] = ()
    footer: tuple[str | int | float, ...] = ()


@dataclass(frozen=True)
class Workbook:
    """A spreadsheet of one or more sheets."""

    title: str
    sheets: tuple[Sheet, ...]
    lang: str = "zh"


Content = TextDoc | Deck | Workbook


@dataclass(frozen=True)
class Generated:
    """One generated document: its content and what its uploader says about it."""

    title: str
    description: str
    tags: tuple[str, ...]
    content: Content
    extra: dict[str, str] = field(default_factory=dict)
