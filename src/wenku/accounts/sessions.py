"""Sessions kept in the database, as Django's ``db`` engine keeps them, read with a query
built once (``core.prepared``): every page a signed-in reader opens reads theirs.
(With Redis, ``cached_db`` reads them from the cache first.)"""

from __future__ import annotations

from typing import Any

from django.contrib.sessions.backends import db
from django.contrib.sessions.models import Session
from django.utils import timezone

from wenku.core.prepared import DATETIME, STR, Prepared


class SessionStore(db.SessionStore):
    def _get_session_from_db(self) -> Any:
        """The session row if it exists and has not expired (else the key is dropped, and
        the reader gets a new, empty session), as ``db.SessionStore`` reads it."""
        key = self.session_key
        found = _SESSION.row(key, timezone.now()) if key else None
        if key is None or found is None:
            self._session_key = None
            return None
        data, expires = found
        return self.model(session_key=key, session_data=data, expire_date=expires)


_SESSION = Prepared(
    lambda key, now: Session.objects.filter(session_key=key, expire_date__gt=now).values_list(
        "session_data", "expire_date"
    ),
    STR,
    DATETIME,
)
