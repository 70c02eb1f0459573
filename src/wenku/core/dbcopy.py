"""Copy every table of one database into another, row for row, keys and all.

For ``wenku migrate-data`` (an embedded SQLite library into PostgreSQL) and for
restoring a backup into a database of another kind. The target is migrated first (so
its schema is this code's), emptied of what migrations put there (content types,
permissions, the economy's rules row …), then filled table by table in primary-key
order, in batches; each value goes through its field's own conversion
(``get_db_prep_save``), so dates, JSON and booleans arrive as the target expects, and
nothing is recomputed (no ``auto_now``, no signals). Sequences are then moved past the
highest key. ``verify`` counts every table on both sides.

Tables that are not models' — the cache, PostgreSQL's search tables — are not copied:
the cache refills itself, the search index is rebuilt (``wenku reindex``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.core.management.color import no_style
from django.db import connections, models, transaction

log = logging.getLogger(__name__)
BATCH = 2000
Progress = Callable[[str, int, int], None]  # (table, rows copied so far, rows in all)


@dataclass(frozen=True)
class TableCount:
    table: str
    source: int
    target: int

    @property
    def same(self) -> bool:
        return self.source == self.target


def add_database(alias: str, settings: dict[str, Any]) -> None:
    """Make another database reachable as ``alias`` (Django's defaults filled in)."""
    configured = connections.configure_settings(
        {"default": dict(connections.databases["default"]), alias: dict(settings)}
    )
    connections.databases[alias] = configured[alias]


def copied_models() -> list[type[models.Model]]:
    """Every concrete model with a table, the tables a foreign key points at first."""
    found: dict[str, type[models.Model]] = {}
    for model in apps.get_models(include_auto_created=True):
        meta = model._meta
        if not meta.proxy and meta.managed and meta.db_table not in found:
            found[meta.db_table] = model
    ordered: list[type[models.Model]] = []
    placed: set[str] = set()

    def place(model: type[models.Model], path: frozenset[str]) -> None:
        table = model._meta.db_table
        if table in placed or table in path:  # placed, or a cycle (constraints are deferred)
            return
        for field in model._meta.concrete_fields:
            target = getattr(field.remote_field, "model", None) if field.remote_field else None
            if target is not None and target._meta.db_table in found:
                place(found[target._meta.db_table], path | {table})
        placed.add(table)
        ordered.append(model)

    for model in sorted(found.values(), key=lambda m: m._meta.db_table):
        place(model, frozenset())
    return ordered


def _columns(model: type[models.Model]) -> list[models.Field]:
    return [f for f in model._meta.concrete_fields]


def empty(target: str, tables: list[type[models.Model]]) -> None:
    """Delete every row of these tables in ``target`` (children first)."""
    connection = connections[target]
    with transaction.atomic(using=target), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            names = ", ".join(connection.ops.quote_name(m._meta.db_table) for m in tables)
            cursor.execute(f"TRUNCATE {names} RESTART IDENTITY CASCADE")
            return
        for model in reversed(tables):
            cursor.execute(f"DELETE FROM {connection.ops.quote_name(model._meta.db_table)}")


def copy_table(
    model: type[models.Model], source: str, target: str, progress: Progress | None = None
) -> int:
    """Copy every row of ``model``'s table from ``source`` to ``target``; the rows copied."""
    fields = _columns(model)
    dst = connections[target]
    table = dst.ops.quote_name(model._meta.db_table)
    columns = ", ".join(dst.ops.quote_name(str(f.column)) for f in fields)
    marks = ", ".join(["%s"] * len(fields))
    insert = f"INSERT INTO {table} ({columns}) VALUES ({marks})"
    total = model._base_manager.using(source).count()
    rows = (
        model._base_manager.using(source)
        .order_by("pk")
        .values_list(*[f.attname for f in fields])
        .iterator(chunk_size=BATCH)
    )
    done = 0
    batch: list[list[Any]] = []
    with transaction.atomic(using=target), dst.cursor() as cursor:
        if dst.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        for row in rows:
            batch.append(
                [
                    f.get_db_prep_save(value, connection=dst)
                    for f, value in zip(fields, row, strict=True)
                ]
            )
            if len(batch) >= BATCH:
                cursor.executemany(insert, batch)
                done += len(batch)
                batch.clear()
                if progress:
                    progress(model._meta.db_table, done, total)
        if batch:
            cursor.executemany(insert, batch)
            done += len(batch)
    if progress:
        progress(model._meta.db_table, done, total)
    return done


def reset_sequences(target: str, tables: list[type[models.Model]]) -> None:
    """Move the target's id sequences past the highest copied key."""
    connection = connections[target]
    statements = connection.ops.sequence_reset_sql(no_style(), tables)
    if statements:
        with transaction.atomic(using=target), connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)


def copy_all(source: str, target: str, progress: Progress | None = None) -> list[TableCount]:
    """Empty the (migrated) target and copy every table into it; the counts of both."""
    tables = copied_models()
    with transaction.atomic(using=target):  # all or nothing; foreign keys checked at the end
        empty(target, tables)
        for model in tables:
            copy_table(model, source, target, progress)
        reset_sequences(target, tables)
    return verify(source, target, tables)


def verify(
    source: str, target: str, tables: list[type[models.Model]] | None = None
) -> list[TableCount]:
    """Rows per table on both sides."""
    return [
        TableCount(
            model._meta.db_table,
            model._base_manager.using(source).count(),
            model._base_manager.using(target).count(),
        )
        for model in (tables or copied_models())
    ]
