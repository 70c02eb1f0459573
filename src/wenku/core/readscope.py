"""Reads shared by the parts of one read-only page.

The document page asks the economy for the reader's account three times (the download
box's balance, the price's VIP check, the header) and for their download record twice
(the reader's entitlement, the re-download window). Inside ``reading()`` such a read is
made once and the answer reused until the scope ends; outside one (a write, a worker, a
test calling a query function) every call reads again, so a balance read after a
download is never a stale one. Only views that write nothing their own reads depend on
open a scope.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, TypeVar

T = TypeVar("T")

_memo: ContextVar[dict[Hashable, Any] | None] = ContextVar("wenku_read_scope", default=None)


@contextmanager
def reading() -> Iterator[None]:
    """Within this block, ``once`` reads each key once (per thread: a ContextVar)."""
    token = _memo.set({})
    try:
        yield
    finally:
        _memo.reset(token)


def once(key: Hashable, read: Callable[[], T]) -> T:
    """``read()``'s answer, read once per scope for ``key`` (every call outside one)."""
    memo = _memo.get()
    if memo is None:
        return read()
    if key not in memo:
        memo[key] = read()
    return memo[key]
