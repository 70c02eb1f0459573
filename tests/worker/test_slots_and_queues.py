"""Per-machine slots (LibreOffice limited apart from the other stages) and `--queues`."""

from __future__ import annotations

import threading
import time

import pytest

from wenku.cli.worker import SpecError, parse_queues
from wenku.worker.slots import slot

QUEUES = ("default", "ingest", "ocr")


def test_a_slot_admits_only_its_limit(tmp_path):
    inside, most = [0], [0]
    lock = threading.Lock()

    def hold():
        with slot("office", 2, tmp_path):
            with lock:
                inside[0] += 1
                most[0] = max(most[0], inside[0])
            time.sleep(0.05)
            with lock:
                inside[0] -= 1

    threads = [threading.Thread(target=hold) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=10)
    assert most[0] == 2


def test_a_limit_of_zero_is_no_limit(tmp_path):
    with slot("office", 0, tmp_path) as a, slot("office", 0, tmp_path) as b:
        assert (a, b) == (-1, -1)


def test_a_slot_is_freed_when_its_holder_ends(tmp_path):
    with slot("office", 1, tmp_path) as number:
        assert number == 0
    with slot("office", 1, tmp_path) as number:
        assert number == 0


@pytest.mark.parametrize(
    ("spec", "concurrency", "groups"),
    [
        ("", 1, [QUEUES]),
        ("", 3, [QUEUES] * 3),
        ("ingest,default", 2, [("ingest", "default")] * 2),
        ("ingest=2,ocr=1", 1, [("ingest",), ("ingest",), ("ocr",)]),
        ("ingest=2,ocr", 5, [("ingest",), ("ingest",), ("ocr",)]),
    ],
)
def test_queue_specs(spec, concurrency, groups):
    assert parse_queues(spec, concurrency, QUEUES) == groups


@pytest.mark.parametrize("spec", ["nosuch", "ingest=0", "ingest=two"])
def test_bad_queue_specs_say_why(spec):
    with pytest.raises(SpecError):
        parse_queues(spec, 1, QUEUES)
