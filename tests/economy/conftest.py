"""Economy fixtures: the site's rules, readers with points. Published documents come from
the root ``publish`` fixture (the real publishing job over a generated PDF)."""

from __future__ import annotations

import pytest


@pytest.fixture
def rules(db):  # type: ignore[no-untyped-def]
    """The site's rules row, quiet by default: no rewards, no caps; tests switch on what
    they test."""
    from wenku.economy.models import Rules

    rules = Rules.current()
    for field in (
        "signup_bonus",
        "sign_in_reward",
        "upload_reward",
        "free_download_reward",
        "user_daily_downloads",
        "ip_daily_downloads",
        "upload_reward_min_chars",
    ):
        setattr(rules, field, 0)
    rules.save()
    return rules


@pytest.fixture
def reader(db):  # type: ignore[no-untyped-def]
    from wenku.accounts.models import User

    return User.objects.create_user("reader", "reader@example.com", "correct horse battery")


def give(user, points: int) -> None:  # type: ignore[no-untyped-def]
    from wenku.economy.domain import adjust

    adjust(user, points, note="test")
