"""bench/load.py, the mixed-load benchmark: its arithmetic, its arguments and its wrk script.

The script is loaded from its file with bench/ on ``sys.path`` (it imports its neighbours
as the benchmarks do). The wrk test runs the real wrk with the generated Lua script for
one second against a small HTTP server of its own on 127.0.0.1; it skips when wrk is not
installed, except under CI, where it fails.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench"


def _load_bench():  # type: ignore[no-untyped-def]
    if str(BENCH) not in sys.path:
        sys.path.insert(0, str(BENCH))
    spec = importlib.util.spec_from_file_location("bench_load", BENCH / "load.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


load = _load_bench()


def _load(**fields):  # type: ignore[no-untyped-def]
    result = load.Load("mode")
    for name, value in fields.items():
        setattr(result, name, value)
    return result


# --- the mix


def test_the_mix_is_the_issues_and_one_slot_per_percent():
    slots = load.mix_slots(load.MIX)

    assert load.MIX == {"document page": 70, "search": 20, "page image": 8, "download": 2}
    assert len(slots) == 100
    assert {kind: slots.count(kind) for kind in load.MIX} == load.MIX


@pytest.mark.parametrize(
    "mix", [{"document page": 70, "search": 20}, {"a": 101, "b": -1}, {"a": 50, "b": 51}]
)
def test_a_mix_that_does_not_add_up_to_100_is_refused(mix):
    with pytest.raises(ValueError):
        load.mix_slots(mix)


def test_search_paths_quote_chinese_words_and_spaces():
    assert load.search_paths(["年终总结", "工作 计划"]) == [
        "/search?q=%E5%B9%B4%E7%BB%88%E6%80%BB%E7%BB%93",
        "/search?q=%E5%B7%A5%E4%BD%9C%20%E8%AE%A1%E5%88%92",
    ]


def test_search_queries_are_one_or_two_words_of_the_vocabulary():
    queries = load.search_queries(load.random.Random(7), count=200)

    assert len(queries) == 200
    assert {len(q.split()) for q in queries} == {1, 2}


def test_a_script_without_paths_for_every_kind_is_refused():
    targets = {"document page": ["/d/1/"], "search": ["/search?q=a"], "page image": ["/p"]}

    with pytest.raises(ValueError, match="download"):
        load.mixed_script(targets, [load.Visitor("wk_v=1")])


def test_path_of_keeps_the_query_and_drops_the_host():
    assert load.path_of("http://127.0.0.1:8000/dl/abc/") == "/dl/abc/"
    assert load.path_of("/d/3/p/1.webp?e=9&s=x") == "/d/3/p/1.webp?e=9&s=x"


# --- the figures


def test_socket_errors_add_up_wrks_counts():
    assert load.socket_errors("connect 0, read 2, write 1, timeout 4") == 7
    assert load.socket_errors("") == 0


def test_parse_counts_reads_what_the_scripts_done_prints():
    output = (
        "Requests/sec: 10\nstatus 200 95\nstatus 404 5\nsent document page|70\nsent download|2\n"
    )

    assert load.parse_counts(output) == ({200: 95, 404: 5}, {"document page": 70, "download": 2})


def test_a_rounds_errors_are_bad_statuses_and_socket_errors():
    result = load.Round(
        "scale", 1, _load(non_2xx=3, errors="connect 0, read 1, write 0, timeout 2")
    )

    assert result.errors == 6


def test_summary_of_a_mode_is_over_all_its_rounds_with_the_worst_p99():
    def round_(number: int, requests: int, p50: float, p99: float, bad: int = 0):  # type: ignore[no-untyped-def]
        latency = {"50": p50, "99": p99}
        result = _load(requests=requests, seconds=10.0, latency=latency, non_2xx=bad)
        return load.Round("embedded", number, result)

    rounds = [
        round_(1, 3000, 8.0, 40.0),
        round_(2, 1000, 12.0, 90.0, 1),
        round_(3, 2000, 9.0, 60.0),
    ]

    s = load.summary(rounds)

    assert s == {"rps": 200.0, "requests": 6000, "p50": 9.0, "p99": 90.0, "errors": 1}


def test_a_mode_passes_only_with_the_rate_the_p99_and_no_error():
    def mode(rps: float, p99: float, errors: int = 0):  # type: ignore[no-untyped-def]
        latency = {"50": 5.0, "99": p99}
        return load.Round("m", 1, _load(requests=int(rps * 10), seconds=10.0, latency=latency,
                                        non_2xx=errors))  # fmt: skip

    for rounds, verdict in [
        ([mode(400, 100)], "PASS"),
        ([mode(399, 50)], "FAIL"),
        ([mode(900, 101)], "FAIL"),
        ([mode(900, 20, errors=1)], "FAIL"),
    ]:
        _text, goals = load.modes_section(rounds)
        assert goals[0].startswith(verdict), goals[0]


def test_documents_per_minute_and_the_scaling_of_two_workers():
    one = load.IngestRun(1, 20, 20, 0, 120.0, "1.0", "1.5", 50.0)
    two = load.IngestRun(2, 20, 20, 0, 70.0, "1.5", "2.0", 95.0)

    assert one.per_minute == 10.0
    assert load.scaling(one, two) == pytest.approx(120 / 70)
    _text, goals = load.ingest_section([one, two])
    assert goals == [
        "PASS  ingest, 1 -> 2 workers: 1.71x, goal >= 1.7x (every upload processed: published, "
        "or held by the review)"
    ]
    with pytest.raises(ValueError):
        load.documents_per_minute(5, 0)


def test_ingest_does_not_pass_when_an_upload_failed_however_fast():
    one = load.IngestRun(1, 20, 20, 0, 120.0, "", "", 0.0)
    two = load.IngestRun(2, 20, 19, 1, 30.0, "", "", 0.0)

    _text, goals = load.ingest_section([one, two])

    assert goals[0].startswith("FAIL")


def test_an_upload_held_by_the_review_is_processed_one_still_waiting_is_not():
    """A near-copy in the batch is converted, then held by the review: processed, not
    published, and it does not fail the goal; an upload neither published, held nor
    failed (still waiting) does."""
    one = load.IngestRun(1, 20, 19, 0, 120.0, "", "", 0.0, held=1)
    two = load.IngestRun(2, 20, 19, 0, 60.0, "", "", 0.0, held=1)
    assert load.ingest_section([one, two])[1][0].startswith("PASS")
    waiting = load.IngestRun(2, 20, 19, 0, 60.0, "", "", 0.0)
    assert load.ingest_section([one, waiting])[1][0].startswith("FAIL")


# --- the arguments


@pytest.mark.parametrize(
    "argv",
    [
        ["--documents", "100"],  # fewer than the documents whose images are asked for
        ["--real", "0"],
        ["--rounds", "0"],
        ["--seconds", "0"],
        ["--workers", "0"],
    ],
)
def test_arguments_that_cannot_make_a_run_are_refused(argv):
    with pytest.raises(SystemExit) as exit_:
        load.main(argv)

    assert exit_.value.code == 2


def test_the_bench_site_lifts_the_limits_one_address_would_hit():
    limits = load.site_limits()

    assert limits["WENKU_RATE_PAGE_IMAGE_IP"] == limits["WENKU_RATE_PAGE_IMAGE_USER"]
    assert all(value == load.GENEROUS_RATE for value in limits.values())
    scale = [m for m in load.modes("postgresql://x/y", "redis://z/3", "p") if m.name == "scale"]
    assert scale[0].env["WENKU_SEARCH_BACKEND"] == "postgres"
    assert scale[0].env["WENKU_REDIS_URL"] == "redis://z/3"


# --- the wrk script, for real


class _Site(BaseHTTPRequestHandler):
    """200 for every path but the downloads', which answer 404 (so they can be counted);
    connections kept alive, as gunicorn keeps them (wrk makes a new request whenever it
    reconnects, which would blur the count of requests sent)."""

    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body are two writes

    def do_GET(self) -> None:
        status = 404 if self.path.startswith("/dl/") else 200
        body = b"ok"
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


class _Server(ThreadingHTTPServer):
    def handle_error(self, request: object, client_address: object) -> None:
        pass  # wrk closes its connections mid-request when it stops


@pytest.fixture
def site():  # type: ignore[no-untyped-def]
    server = _Server(("127.0.0.1", 0), _Site)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_the_wrk_script_sends_the_mix_and_counts_every_status(site, tmp_path):
    """Given a site where only downloads answer 404, when wrk runs the generated script
    for a second, then every answered download is a 404 counted, every response is
    counted, and the kinds sent follow the mix."""
    if shutil.which("wrk") is None:
        if os.environ.get("CI") == "true":
            pytest.fail("CI must run this test: wrk is not installed")
        pytest.skip("wrk is not installed")
    targets = {
        "document page": ["/d/1/", "/d/2/"],
        "search": load.search_paths(["年终总结", "工作 计划"]),
        "page image": ["/d/1/p/1.webp?e=1&s=a"],
        "download": ["/dl/token-1/", "/dl/token-2/"],
    }
    script = tmp_path / "mixed.lua"
    script.write_text(load.mixed_script(targets, [load.Visitor("wk_v=a"), load.Visitor("wk_v=b")]))

    run = subprocess.run(
        ["wrk", "-t2", "-c4", "-d1s", "-s", str(script), site],
        capture_output=True, text=True, timeout=30, check=True,
    )  # fmt: skip
    statuses, sent = load.parse_counts(run.stdout)

    total = sum(sent.values())
    # Sent and unanswered when wrk stops: wrk builds a connection's next request as the
    # last answer comes in, and again on a reconnect (CI saw 5 with 4 connections).
    in_flight = 2 * 4
    assert total > 200, run.stdout
    assert set(sent) == set(load.MIX)
    assert 0 <= total - sum(statuses.values()) <= in_flight
    assert 0 <= sent["download"] - statuses[404] <= in_flight
    assert 0.6 < sent["document page"] / total < 0.8
    assert 0.12 < sent["search"] / total < 0.28
