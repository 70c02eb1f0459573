"""Moderation fixtures: a staff member, a policy row to change, a clean banned-word list."""

from __future__ import annotations

import pytest

from tests.economy.conftest import rules  # noqa: F401 - a fixture for these tests too


@pytest.fixture
def staff(db):  # type: ignore[no-untyped-def]
    from wenku.accounts.models import User

    return User.objects.create_user(
        "moderator", "moderator@example.com", "correct horse battery", is_staff=True
    )


@pytest.fixture
def policy(db):  # type: ignore[no-untyped-def]
    from wenku.moderation.models import Policy

    policy = Policy.current()
    policy.save()
    return policy


@pytest.fixture(autouse=True)
def fresh_words():  # type: ignore[no-untyped-def]
    """Each process caches its automaton: tests start from the database's list."""
    from wenku.moderation import words

    words.reset()
    yield
    words.reset()


def published_copy(upload, owner, data, process):  # type: ignore[no-untyped-def]
    doc = upload("copy.pdf", data, owner=owner)
    process(doc.pk)
    doc.refresh_from_db()
    return doc


@pytest.fixture
def bearer(db):  # type: ignore[no-untyped-def]
    """bearer(user) → the headers of a fresh API token of ``user``."""
    from wenku.accounts.models import ApiToken

    def _bearer(user):  # type: ignore[no-untyped-def]
        _token, secret = ApiToken.issue(user, "script")
        return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}

    return _bearer
