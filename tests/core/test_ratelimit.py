"""Rate limits: exact counts, a sliding period, separate keys, and one count across processes."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time

import pytest
from django.http import HttpResponse
from django.test import RequestFactory
from django.utils import translation

from wenku.core import ratelimit
from wenku.core.models import RateCounter
from wenku.core.ratelimit import Rate, RateLimited

pytestmark = pytest.mark.django_db

FIVE_A_MINUTE = Rate(5, 60)
T0 = 1_800_000_000.0  # a window boundary (divisible by 60)


def hits(n, scope="s", key="k", rate=FIVE_A_MINUTE, at=T0):
    return [ratelimit.hit(scope, key, rate, now=at).allowed for _ in range(n)]


def test_n_attempts_pass_and_the_next_is_refused_with_words():
    assert hits(5) == [True] * 5
    refused = ratelimit.hit("s", "k", FIVE_A_MINUTE, now=T0 + 10)
    assert not refused.allowed
    assert 0 < refused.retry_after <= 120
    with translation.override("en"):
        assert "try again in 2 minutes" in refused.message().lower()
    with translation.override("zh-hans"):
        assert "2 分钟后再试" in refused.message()


def test_keys_and_scopes_are_counted_apart():
    assert hits(5, key="a") == [True] * 5
    assert hits(1, key="b") == [True]
    assert hits(1, scope="other", key="a") == [True]
    assert hits(1, key="a") == [False]


def test_the_period_slides_instead_of_resetting_at_a_window_edge():
    """Given 5 hits at the end of one window, When the next window starts, Then no burst."""
    assert hits(5, at=T0 + 59) == [True] * 5
    assert hits(1, at=T0 + 61) == [False]  # 5·(59/60) + 1 > 5
    # Half a period later the old hits weigh half: 5·0.5 + 2 (the refused one counts) + 1 ≤ 5.
    assert hits(1, at=T0 + 90) == [True]
    assert hits(1, at=T0 + 180) == [True]  # two periods later: all forgotten


def test_retry_after_is_when_an_attempt_passes_again():
    hits(5, at=T0)
    decision = ratelimit.hit("s", "k", FIVE_A_MINUTE, now=T0 + 1)
    assert not decision.allowed
    later = T0 + 1 + decision.retry_after
    assert ratelimit.hit("s", "k", FIVE_A_MINUTE, now=later).allowed
    ratelimit.reset("s", "k")
    hits(5, at=T0)
    ratelimit.hit("s", "k", FIVE_A_MINUTE, now=T0 + 1)  # refused
    too_early = T0 + 1 + decision.retry_after - 5
    assert not ratelimit.hit("s", "k", FIVE_A_MINUTE, now=too_early).allowed


def test_reset_forgets_a_key():
    hits(5)
    ratelimit.reset("s", "k")
    assert hits(1) == [True]


def test_off_means_no_limit():
    assert hits(50, rate=None) == [True] * 50
    assert not RateCounter.objects.exists()


def test_keys_are_not_stored_in_the_clear():
    ratelimit.hit("login-ip", "203.0.113.7", FIVE_A_MINUTE)
    row = RateCounter.objects.get()
    assert "203.0.113.7" not in row.key_hash and len(row.key_hash) == 32


def test_old_windows_are_pruned(monkeypatch):
    hits(1, key="old", at=T0)
    monkeypatch.setattr(ratelimit, "_next_prune", [0.0])
    hits(1, key="new", at=T0 + 3600)
    assert RateCounter.objects.count() == 1


def test_settings_hold_rates():
    from wenku import config

    assert config.load({"WENKU_RATE_COMMENT": "3/1m"}).rate_comment == (3, 60)
    assert config.load({"WENKU_RATE_COMMENT": "off"}).rate_comment is None
    assert ratelimit.hit("s", "k", (1, 60), now=T0).allowed
    assert ratelimit.hit("s", "k", (1, 60), now=T0 + 1).allowed is False
    assert ratelimit.hit("s", "k", None, now=T0 + 2).allowed  # off


def test_client_key_groups_an_ipv6_customer_block(settings):
    factory = RequestFactory()
    v6 = factory.get("/", REMOTE_ADDR="2001:db8:1:2:aaaa::1")
    assert ratelimit.client_key(v6) == "2001:db8:1:2::/64"
    assert ratelimit.client_key(factory.get("/", REMOTE_ADDR="198.51.100.4")) == "198.51.100.4"


def test_a_limited_view_answers_429_with_words_and_retry_after():
    @ratelimit.responds
    def view(request):
        ratelimit.enforce("view", "x", Rate(1, 60))
        return HttpResponse("ok")

    request = RequestFactory().get("/")
    from django.contrib.auth.models import AnonymousUser

    request.user = AnonymousUser()
    assert view(request).status_code == 200
    response = view(request)
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert "<strong>" in response.content.decode()  # a page, not a traceback


def test_enforce_raises():
    ratelimit.enforce("e", "k", Rate(1, 60))
    with pytest.raises(RateLimited) as caught:
        ratelimit.enforce("e", "k", Rate(1, 60))
    assert caught.value.retry_after > 0


HAMMER = textwrap.dedent(
    """
    import sys, time
    import django
    django.setup()
    from wenku.core import ratelimit
    start = float(sys.argv[1])
    while time.time() < start:
        time.sleep(0.001)
    allowed = sum(
        ratelimit.hit("race", "one-key", ratelimit.Rate(25, 3600)).allowed for _ in range(20)
    )
    print(allowed)
    """
)


@pytest.mark.live
@pytest.mark.django_db(transaction=True)
def test_one_count_across_processes(child_env):
    """Given 3 processes hitting one key 20 times each at once, Then exactly 25 pass in all."""
    start = time.time() + 3
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", HAMMER, str(start)],
            env=child_env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(3)
    ]
    results = [p.communicate(timeout=120) for p in procs]
    for proc, (_, err) in zip(procs, results, strict=True):
        assert proc.returncode == 0, err
    allowed = [int(out) for out, _ in results]
    assert sum(allowed) == 25, allowed
    assert RateCounter.objects.get(scope="race").hits == 60
