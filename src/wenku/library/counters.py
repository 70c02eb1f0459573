"""A document's counters: views and downloads, in total and per day.

One function writes them all, for the view counter (``viewcount``) and for downloads
(``economy.downloads``): the total on the document row, and the day's row in
``DailyStats`` (which the rankings decay) by one upsert, so concurrent writers from
any process add up instead of overwriting each other.
"""

from __future__ import annotations

from datetime import date

from django.db import connection
from django.db.models import F

from wenku.library.models import DailyStats, Document


def add(document_id: int, day: date, *, views: int = 0, downloads: int = 0) -> None:
    """Add ``views`` and ``downloads`` to a document's totals and to its row for ``day``.
    Call inside the transaction that decided they count."""
    if not views and not downloads:
        return
    Document.objects.filter(pk=document_id).update(
        view_count=F("view_count") + views, download_count=F("download_count") + downloads
    )
    stats = DailyStats._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {stats} (document_id, day, views, downloads) VALUES (%s, %s, %s, %s) "
            f"ON CONFLICT (document_id, day) DO UPDATE SET views = {stats}.views + "
            f"excluded.views, downloads = {stats}.downloads + excluded.downloads",
            [document_id, day, views, downloads],
        )
