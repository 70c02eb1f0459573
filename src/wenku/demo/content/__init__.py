"""Content generators: each takes a seeded ``Pick`` and a rough length in pages.

``GENERATORS`` maps a kind name (used by the catalogue) to its generator.
"""

from __future__ import annotations

from collections.abc import Callable

from wenku.demo.content import business, english, school, work
from wenku.demo.model import Generated
from wenku.demo.phrases import Pick

Generator = Callable[[Pick, int], Generated]

GENERATORS: dict[str, Generator] = {
    **work.GENERATORS,
    **school.GENERATORS,
    **business.GENERATORS,
    **english.GENERATORS,
}

# Roughly how many characters fill an A4 page of a generated Chinese document.
CHARS_PER_PAGE = 650
