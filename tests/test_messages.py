"""The translation catalogues stay compilable. `make messages` keeps going when msgfmt
refuses a catalogue (so a machine without gettext still runs), and the site then silently
stays in English: a merge that defines a message twice (two engineers translating the
same new words) did exactly that. Read here without msgfmt (no child process)."""

from __future__ import annotations

import ast
from collections import Counter
from pathlib import Path

import pytest

LOCALE = Path(__file__).resolve().parents[1] / "src" / "wenku" / "locale"
CATALOGUES = sorted(LOCALE.rglob("*.po"))


def message_keys(text: str) -> list[tuple[str, str]]:
    """(context, msgid) of every live entry (obsolete '#~' entries are comments)."""
    entries: list[dict[str, str]] = []
    field = ""
    for raw in text.splitlines():
        line = raw.strip()
        keyword, _, rest = line.partition(" ")
        if keyword == "msgctxt" or (keyword == "msgid" and field != "msgctxt"):
            entries.append({"msgctxt": "", "msgid": ""})  # a new entry starts
        if keyword in ("msgctxt", "msgid", "msgid_plural") or keyword.startswith("msgstr"):
            field = keyword
            if field in entries[-1]:
                entries[-1][field] = ast.literal_eval(rest)
        elif line.startswith('"') and field in ("msgctxt", "msgid"):
            entries[-1][field] += ast.literal_eval(line)
    return [(e["msgctxt"], e["msgid"]) for e in entries]


@pytest.mark.parametrize("catalogue", CATALOGUES, ids=lambda p: p.parent.parent.name)
def test_no_message_is_defined_twice(catalogue):
    counts = Counter(message_keys(catalogue.read_text()))
    twice = [key for key, n in counts.items() if n > 1]
    assert not twice, f"defined more than once in {catalogue.name}: {twice}"
