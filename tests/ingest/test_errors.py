"""Failure reasons read as whole sentences in the reader's language."""

import pytest
from django.utils import translation

from wenku.ingest.errors import MESSAGES, IngestError, describe


def test_unknown_codes_are_refused_when_raised():
    with pytest.raises(ValueError):
        IngestError("no-such-code")


@pytest.mark.parametrize("code", sorted(MESSAGES))
def test_every_message_is_translated(code):
    params = {
        "size": "1 MB",
        "limit": "2",
        "detected": "binary data",
        "ratio": 3,
        "detail": "x",
        "pages": 9,
        "seconds": 5,
        "attempts": 3,
        "stage": "read",
        "format": "ZIP",
    }
    with translation.override("en"):
        english = describe(code, params)
    with translation.override("zh-hans"):
        chinese = describe(code, params)
    assert english != chinese
    assert "%(" not in chinese


def test_parameters_are_translated_too():
    with translation.override("zh-hans"):
        assert "Linux 程序" in describe("executable", {"detected": "ELF executable"})
        assert "读取" in describe("internal", {"stage": "read"})
    with translation.override("en"):
        assert "a Linux program" in describe("executable", {"detected": "ELF executable"})
