"""Common-word pairs (search/backends/grams.py): a phrase asked by its pairs finds exactly
the documents that hold its words one after another."""

from __future__ import annotations

import random

from wenku.search.backends import grams

RARE = ["改革", "确定", "发展", "经济", "x1"]
COMMON = ["的", "在", "了", "一些", "the"]


def positions(stream: list[str]) -> dict[str, set[int]]:
    """Where each lexeme of a stream is, its pairs included (as a vector stores them)."""
    found: dict[str, set[int]] = {}
    for i, token in enumerate(stream):
        found.setdefault(token, set()).add(i)
    for i, pair in grams.pairs(stream):
        found.setdefault(pair, set()).add(i)
    return found


def holds(stream: list[str], units: list[str]) -> bool:
    """Do ``units`` stand one after another somewhere in the stream (tsquery's <->)?"""
    at = positions(stream)
    starts = at.get(units[0], set())
    return any(all(p + k in at.get(u, set()) for k, u in enumerate(units)) for p in starts)


def test_a_phrase_by_its_pairs_finds_what_its_words_find():
    """Given streams and phrases drawn from common and rare words, when a phrase is asked
    by its pairs, then it matches exactly the streams holding its words in a row."""
    rng = random.Random(7)
    words = RARE + COMMON
    checked = matched = 0
    for _ in range(3000):
        stream = rng.choices(words, k=rng.randint(1, 12))
        phrase = rng.choices(words, k=rng.randint(2, 4))
        if rng.random() < 0.5 and len(stream) >= len(phrase):  # often one that is there
            start = rng.randrange(len(stream) - len(phrase) + 1)
            phrase = stream[start : start + len(phrase)]
        expected = holds(stream, phrase)  # the words alone, as without pairs
        assert holds(stream, grams.phrase(phrase)) == expected, (stream, phrase)
        checked += 1
        matched += expected
    assert matched > 500 and checked - matched > 500  # both outcomes were tried


def test_a_phrase_asks_for_no_common_word_alone():
    """Every word a phrase is asked by on its own is a rare one: RUM then reads no common
    word's positions."""
    assert grams.phrase(["在", "改革"]) == ["在 改革"]
    assert grams.phrase(["确定", "的"]) == ["确定 的"]
    assert grams.phrase(["了", "一些", "发展"]) == ["了 一些", "一些 发展"]
    assert grams.phrase(["经济", "改革", "的", "发展"]) == ["经济", "改革 的", "的 发展"]
    assert grams.phrase(["经济", "改革"]) == ["经济", "改革"]  # no common word: as it was
    for phrase in (["的", "x1", "经济", "在"], ["the", "of", "the"], ["x1", "的", "的", "x1"]):
        assert not set(grams.phrase(phrase)) & grams.COMMON


def test_a_pair_never_looks_like_a_word():
    """A pair's two words are joined by a space, which no token holds."""
    from wenku.search.segment import words

    pair = grams.pair("在", "改革")
    assert " " in pair and all(" " not in w for w in words("在改革 the state of the art 在 改革"))
