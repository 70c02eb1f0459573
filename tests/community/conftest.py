from __future__ import annotations

import pytest


@pytest.fixture
def doc(publish):
    """A published two-page document uploaded by alice (the `user` fixture)."""
    return publish(pages=2, text="community", title="社区测试文档")


@pytest.fixture
def carol(db):
    from wenku.accounts.models import User

    return User.objects.create_user("carol", "carol@example.com", "correct horse battery")


@pytest.fixture
def as_user(client):
    """as_user(u) → the test client, logged in as u."""

    def _as(u):
        client.force_login(u)
        return client

    return _as
