"""Log-in takes the same time whether the account exists, is active, or waits for its
e-mail address to be confirmed (issue 10, item 9).

The attack: log-in answered in 0.73 s for an account awaiting verification and 0.40 s
for any other, so anyone could tell unverified accounts (and their addresses) apart.
Password hashing is what takes the time; counting the hashings of each attempt, over
the whole request, is exact where a stopwatch is flaky. (bench/login_timing.py measures
the medians with the real hasher.)
"""

from __future__ import annotations

import pytest
from django.utils import timezone

from tests.accounts.helpers import log_in
from tests.hashers import OneIterationPBKDF2

pytestmark = pytest.mark.django_db
PASSWORD = "correct horse battery"


class CountingHasher(OneIterationPBKDF2):
    """The test run's hasher, counting each hashing (checking a password is one too)."""

    calls = 0

    def encode(self, password, salt, iterations=None):  # type: ignore[no-untyped-def]
        type(self).calls += 1
        return super().encode(password, salt, iterations)


@pytest.fixture
def hashings(settings):
    settings.PASSWORD_HASHERS = [f"{__name__}.CountingHasher"]

    def count(client, identifier, password) -> int:
        CountingHasher.calls = 0
        response = log_in(client, identifier, password)
        assert response.status_code in (200, 302)
        return CountingHasher.calls

    return count


def make_account(state: str, django_user_model):
    user = django_user_model.objects.create_user(f"u-{state}", f"{state}@example.com", PASSWORD)
    if state == "unverified":
        user.is_active, user.email_verified_at = False, None
    elif state == "deactivated":
        user.is_active, user.email_verified_at = False, timezone.now()
    elif state == "no password":
        user.set_unusable_password()
    user.save()
    return user


STATES = ["active", "unverified", "deactivated", "no password"]


@pytest.mark.parametrize("by", ["name", "address"])
def test_every_attempt_costs_one_hashing_whatever_the_account(
    client, hashings, django_user_model, by
):
    """Given accounts in every state, when each is tried with its password and with a
    wrong one (and names that have no account), then each attempt hashes exactly once."""
    counts = {}
    for state in STATES:
        user = make_account(state, django_user_model)
        name = user.username if by == "name" else user.email
        counts[(state, "right")] = hashings(client, name, PASSWORD)
        client.logout()
        counts[(state, "wrong")] = hashings(client, name, "not the password")
    nobody = "nobody" if by == "name" else "nobody@example.com"
    counts[("no account", "any")] = hashings(client, nobody, PASSWORD)
    assert set(counts.values()) == {1}, counts


def test_an_unverified_account_is_still_told_to_confirm_its_address(client, django_user_model):
    user = make_account("unverified", django_user_model)
    page = log_in(client, user.username, PASSWORD).content.decode()
    assert f'name="email" value="{user.email}"' in page  # the resend button
    wrong = log_in(client, user.username, "not the password").content.decode()
    assert 'name="email" value=' not in wrong
