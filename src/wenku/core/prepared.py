"""Queries built with the ORM once per process, then run as SQL with new values.

Building a query — its filters, joins, and compiling them to SQL — costs far more
Python than running it on an index costs the database: about 0.2–0.4 ms against a few
hundredths. The reads a hot page makes on every request (a signed-in reader's account,
download record, rating ...) are built once with stand-ins for their values, and run
with the values put where the stand-ins were; their rows go through the ORM's own
converters (an aware datetime, a boolean), as ``values_list`` rows would.

Stand-ins are an int, a string, an aware datetime or an IP address each (``INT``, ``STR``,
``DATETIME``, ``IP``: what a field of that kind accepts, adapted for the database as the
ORM adapts it; ``NATURAL``, a positive int, for a field that holds no negative number); a
query in which one disappears (the ORM folded it away, as it folds a negative number
compared with a positive field) is refused when it is built.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

from django.db import connection
from django.db.models import QuerySet

INT, NATURAL, STR, DATETIME, IP = "int", "natural", "str", "datetime", "ip"


def _stand_in(kind: str, index: int) -> Any:
    if kind == INT:
        return -987_654_321 - index
    if kind == NATURAL:  # for a field that holds no negative number (the ORM would fold it)
        return 987_654_321 + index
    if kind == STR:
        return f"\x00wenku-stand-in-{index}"
    if kind == DATETIME:
        return datetime(1901, 1, 1 + index, 1, 2, 3, tzinfo=UTC)
    if kind == IP:
        return f"192.0.2.{100 + index}"  # TEST-NET-1: documentation only
    raise ValueError(kind)


def _wrapped(param: Any) -> bool:
    """Is this compiled query's parameter an int the ORM wrapped? On PostgreSQL it passes
    an integer field's value as psycopg's ``Int4``/``Int2``/``Int8`` (int subclasses)."""
    return isinstance(param, int) and type(param) not in (int, bool)


def _plain(param: Any) -> Any:
    """A compiled query's parameter as its stand-in was."""
    return int(param) if _wrapped(param) else param


def _adapt(kind: str, value: Any) -> Any:
    """A value as the database driver gets it (as the ORM adapts it in a lookup)."""
    if kind == DATETIME:
        return connection.ops.adapt_datetimefield_value(value)
    if kind == IP:
        return connection.ops.adapt_ipaddressfield_value(value)
    return value


class Prepared:
    """``build(*stand_ins)``: a ``values_list`` queryset; ``kinds``: its values' kinds."""

    def __init__(self, build: Callable[..., QuerySet[Any]], *kinds: str) -> None:
        self._build = build
        self._kinds = kinds

    @functools.cached_property
    def _compiled(self) -> tuple[str, list[Any], dict[int, int], list[tuple[int, list[Any], Any]]]:
        stand_ins = [_stand_in(kind, i) for i, kind in enumerate(self._kinds)]
        compiler = self._build(*stand_ins).query.get_compiler(connection=connection)
        sql, params = compiler.as_sql()
        adapted = [_adapt(kind, s) for kind, s in zip(self._kinds, stand_ins, strict=True)]
        where = {
            position: adapted.index(_plain(param))
            for position, param in enumerate(params)
            if any(type(_plain(param)) is type(a) and _plain(param) == a for a in adapted)
        }
        if set(where.values()) != set(range(len(adapted))):
            raise ValueError(f"a stand-in is missing from the compiled query: {sql}")
        fields = [column for column, _info, _alias in compiler.select]
        converters = [
            (position, convs, expression)
            for position, (convs, expression) in compiler.get_converters(fields).items()
        ]
        return sql, list(params), where, converters

    def rows(self, *values: Any) -> list[Sequence[Any]]:
        sql, params, where, converters = self._compiled
        run = list(params)
        for position, index in where.items():
            value = _adapt(self._kinds[index], values[index])
            if _wrapped(params[position]) and type(value) is int:
                value = type(params[position])(value)  # wrapped as the ORM wrapped it
            run[position] = value
        with connection.cursor() as cursor:
            cursor.execute(sql, run)
            rows = cursor.fetchall()
        if not converters:
            return rows
        converted: list[Sequence[Any]] = []
        for found in rows:
            row = list(found)
            for position, convs, expression in converters:
                for convert in convs:
                    row[position] = convert(row[position], expression, connection)
            converted.append(row)
        return converted

    def row(self, *values: Any) -> Sequence[Any] | None:
        found = self.rows(*values)
        return found[0] if found else None
