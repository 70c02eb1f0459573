"""Scale mode's Redis: the cache, sessions and rate limits, against a real redis-server
(a private one the session starts), and what happens when Redis stops answering."""

from __future__ import annotations

import secrets
import time

import pytest
import redis
from django.conf import settings as django_settings
from django.core.cache import cache

from wenku.core import ratelimit
from wenku.core.cache import cache_settings, redis_client
from wenku.core.models import RateCounter

pytestmark = [pytest.mark.live, pytest.mark.django_db]
UNREACHABLE = "redis://127.0.0.1:9/0"  # the discard port: nothing answers there


@pytest.fixture
def prefix() -> str:
    return f"wenku-test-{secrets.token_hex(4)}"


@pytest.fixture
def with_redis(settings, redis_url, prefix):  # type: ignore[no-untyped-def]
    """This test's settings with WENKU_REDIS_URL: the cache, sessions and rate limits."""
    return _use(settings, redis_url, prefix)


def _use(settings, url: str, prefix: str):  # type: ignore[no-untyped-def]
    settings.WENKU = settings.WENKU.replace(redis_url=url, redis_prefix=prefix)
    settings.CACHES = {"default": cache_settings(settings.WENKU, settings.DATA_DIR, "")}
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    redis_client.cache_clear()
    ratelimit.reset_backend()
    yield_client = redis.Redis.from_url(url) if url != UNREACHABLE else None
    return yield_client


@pytest.fixture(autouse=True)
def _forget_clients():  # type: ignore[no-untyped-def]
    yield
    redis_client.cache_clear()
    ratelimit.reset_backend()


def test_the_cache_lives_in_redis_under_its_prefix(with_redis, prefix):
    cache.set("greeting", "你好", 60)
    assert cache.get("greeting") == "你好"
    keys = [k.decode() for k in with_redis.keys(f"{prefix}:*")]
    assert keys == [f"{prefix}:1:greeting"]


def test_clearing_the_cache_deletes_only_its_own_keys(with_redis, prefix):
    """Another site's (or test run's) keys in the same Redis database survive a clear."""
    with_redis.set("someone-else:1:key", "theirs")
    try:
        cache.set("mine", 1, 60)
        cache.clear()
        assert cache.get("mine") is None
        assert with_redis.get("someone-else:1:key") == b"theirs"
    finally:
        with_redis.delete("someone-else:1:key")


def test_rate_limits_count_in_redis_not_in_the_database(with_redis, prefix):
    rate = (2, 60)
    decisions = [ratelimit.hit("comment", "42", rate).allowed for _ in range(3)]
    assert decisions == [True, True, False]
    assert with_redis.keys(f"{prefix}:rl:comment:*")
    assert not RateCounter.objects.exists()
    ratelimit.reset("comment", "42")
    assert ratelimit.hit("comment", "42", rate).allowed


def test_sessions_survive_a_redis_restart(with_redis, client, user):
    """Sessions are written to the database and read through Redis: losing Redis's
    copy (a restart, an eviction) logs nobody out."""
    from django.contrib.sessions.models import Session

    client.force_login(user)
    assert client.get("/me/").status_code == 200
    assert Session.objects.count() == 1
    cache.clear()  # what a Redis restart without persistence does
    assert client.get("/me/").status_code == 200


def test_a_silent_redis_is_a_cache_miss_and_limits_fall_back_to_the_database(
    settings, client, prefix
):
    """Given WENKU_REDIS_URL pointing at nothing, pages still render (the cache reads as
    empty, each call giving up quickly), and rate limits count in the database."""
    _use(settings, UNREACHABLE, prefix)
    started = time.monotonic()
    cache.set("k", "v")
    assert cache.get("k") is None
    assert client.get("/").status_code == 200
    assert client.get("/").status_code == 200
    decisions = [ratelimit.hit("comment", "7", (1, 60)).allowed for _ in range(2)]
    assert decisions == [True, False]
    assert RateCounter.objects.filter(scope="comment").exists()
    assert time.monotonic() - started < 15


@pytest.mark.django_db(transaction=True)
def test_served_pages_share_one_cache_across_processes_with_redis(
    wenku_server, redis_url, prefix, settings, publish
):
    """Given `wenku serve` with 3 web processes and Redis, when a document is published
    (here, by this process, as a worker would), then every process shows it at once."""
    import requests

    _use(settings, redis_url, prefix)
    server = wenku_server(processes=3, threads=2, WENKU_REDIS_URL=redis_url,
                          WENKU_REDIS_PREFIX=prefix)  # fmt: skip
    _assert_every_process_sees_new_documents(server.url, publish, requests)
    assert redis.Redis.from_url(redis_url).keys(f"{prefix}:*:wenku:page3:site:home:*")


def _assert_every_process_sees_new_documents(url, publish, requests):  # type: ignore[no-untyped-def]
    english = {django_settings.LANGUAGE_COOKIE_NAME: "en"}
    for _ in range(30):  # every process has seen, and kept, the empty home page
        assert "0 documents to search" in requests.get(url, cookies=english, timeout=10).text
    doc = publish(title="刚刚发布的工作总结")
    for _ in range(30):
        page = requests.get(url, cookies=english, timeout=10).text
        assert doc.title in page and "1 document to search" in page
