"""Common-word pairs for phrase search on PostgreSQL (Lucene's CommonGrams, applied to
Wenku's tokens).

A phrase of common words is the slowest ask RUM gets: for ``"在改革"`` it walks the
position lists of 在 (in nearly every document) and 改革 in every document holding both,
to find the few where they touch (81 ms; ``"确定的"`` 215 ms). So beside its words, a
document's vector holds each pair of adjacent words of which one is common, as one
lexeme (``在 改革``) at the first word's position. A phrase is then asked as its pairs
where it has them (``'在 改革'``, a lexeme as rare as the phrase itself), its other
words as they are, one after another: the same documents match (a pair is there exactly
where its two words touch), and RUM reads only the rare position lists.

A pair's two words are joined by a space, which no token holds (the segmenter splits
on it), so a pair never matches a word. Changing COMMON changes what is stored: the
backend's index version (``search.state``) must be bumped with it.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

# The commonest words of running Chinese and English text: function words, pronouns,
# the commonest verbs. Each is in most documents of any size; together about a sixth of
# the words of the benchmark's corpus (bench/search.py).
COMMON = frozenset(
    """
    的 了 在 是 和 与 及 或 对 为 于 以 从 向 把 被 将 由 也 都 就 又 还 而 并 但 不 没有
    有 这 那 这个 这些 那些 其 之 个 一 一个 一些 上 中 下 我 你 他 她 它 我们 你们 他们
    说 要 会 能 可以 到 着 过 地 得 所 等 来 去 更 很 已 已经 使 让 给 时 后 里 们
    the of and a an to in is are was were be been on for at by with as from or that this it
    not
    """.split()
)


def pair(first: str, second: str) -> str:
    """The lexeme of two adjacent words."""
    return f"{first} {second}"


def paired(first: str, second: str) -> bool:
    """Are these two adjacent words stored as a pair?"""
    return first in COMMON or second in COMMON


def pairs(tokens: Sequence[str]) -> Iterator[tuple[int, str]]:
    """The pairs of a stream of words: (index of the first word, pair)."""
    for i in range(len(tokens) - 1):
        if paired(tokens[i], tokens[i + 1]):
            yield i, pair(tokens[i], tokens[i + 1])


def phrase(tokens: Sequence[str]) -> list[str]:
    """The lexemes that ask for the phrase ``tokens``, one per position: at each word the
    pair it starts if it is stored, else the word; the last word only if no pair ends on
    it. Every word left as itself is a rare one (a common word always makes pairs)."""
    units = [
        pair(tokens[i], tokens[i + 1]) if paired(tokens[i], tokens[i + 1]) else tokens[i]
        for i in range(len(tokens) - 1)
    ]
    if len(tokens) < 2 or not paired(tokens[-2], tokens[-1]):
        units.append(tokens[-1])
    return units
