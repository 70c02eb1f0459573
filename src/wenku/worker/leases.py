"""Short claims on named pieces of work, so that idle workers never do the same one twice.

``claim(names, holder, seconds)`` takes, in one statement, each name that nobody holds
or whose lease has run out, and returns those it took; the others belong to another
worker for now. A lease simply expires if its holder dies; ``release`` ends it early.
The same SQL (``INSERT … ON CONFLICT DO UPDATE … WHERE … RETURNING``) runs on SQLite and
PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta

from django.db import connection, transaction
from django.utils import timezone

from wenku.worker.models import Lease


def claim(names: Iterable[str], holder: str, seconds: float, limit: int | None = None) -> list[str]:
    """Take the free ones among ``names`` (at most ``limit``) for ``seconds``; say which."""
    wanted = list(dict.fromkeys(names))
    if not wanted:
        return []
    now = timezone.now()
    until = now + timedelta(seconds=seconds)
    table = connection.ops.quote_name(Lease._meta.db_table)
    taken: list[str] = []
    with transaction.atomic(), connection.cursor() as cursor:
        for name in wanted:
            if limit is not None and len(taken) >= limit:
                break
            cursor.execute(
                f"INSERT INTO {table} (name, holder, expires_at) VALUES (%s, %s, %s) "
                "ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, "
                f"expires_at = excluded.expires_at WHERE {table}.expires_at < %s "
                f"OR {table}.holder = excluded.holder RETURNING name",
                [name, holder, until, now],
            )
            if cursor.fetchone() is not None:
                taken.append(name)
    return taken


def release(names: Iterable[str], holder: str) -> None:
    """End this holder's leases on ``names`` (and forget expired leases of anyone)."""
    Lease.objects.filter(name__in=list(names), holder=holder).delete()
    Lease.objects.filter(expires_at__lt=timezone.now() - timedelta(hours=1)).delete()
