"""A document's counters: views and downloads, in total and per day.

One function writes them all, for the view counter (``viewcount``) and for downloads
(``economy.downloads``): the total on the document row, and the day's row in
``DailyStats`` (which the rankings decay) by one upsert, so concurrent writers from
any process add up instead of overwriting each other.
"""

from __future__ import annotations

from datetime import date

from django.db import connection

from wenku.library.models import DailyStats, Document

# Rows per statement: a flush of the view counter writes thousands (one per new view's
# document and day); well under SQLite's limit on bound parameters.
CHUNK = 250


def add(document_id: int, day: date, *, views: int = 0, downloads: int = 0) -> None:
    """Add ``views`` and ``downloads`` to a document's totals and to its row for ``day``.
    Call inside the transaction that decided they count."""
    add_many({(document_id, day): (views, downloads)})


def add_many(counts: dict[tuple[int, date], tuple[int, int]]) -> None:
    """``add`` for many documents and days at once, (views, downloads) by (document, day):
    one statement per ``CHUNK`` rows for the totals and one for the days, not two per row
    (the view counter's writer thread, with a busy site's views, spent a tenth of a web
    process's CPU on those statements one by one)."""
    # In one order (document, day), so that concurrent writers on PostgreSQL take their
    # row locks in the same order and never deadlock.
    rows = [(doc, day, v, d) for (doc, day), (v, d) in sorted(counts.items()) if v or d]
    if not rows:
        return
    totals: dict[int, list[int]] = {}
    for doc, _, v, d in rows:
        total = totals.setdefault(doc, [0, 0])
        total[0] += v
        total[1] += d
    documents = Document._meta.db_table
    stats = DailyStats._meta.db_table
    with connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {documents} SET view_count = view_count + %s, "
            "download_count = download_count + %s WHERE id = %s",
            [(v, d, doc) for doc, (v, d) in sorted(totals.items())],
        )
        for start in range(0, len(rows), CHUNK):
            chunk = rows[start : start + CHUNK]
            cursor.execute(
                f"INSERT INTO {stats} (document_id, day, views, downloads) VALUES "
                + ", ".join(["(%s, %s, %s, %s)"] * len(chunk))
                + f" ON CONFLICT (document_id, day) DO UPDATE SET views = {stats}.views + "
                f"excluded.views, downloads = {stats}.downloads + excluded.downloads",
                [value for row in chunk for value in row],
            )
