"""A page kept with holes: cut once, filled per reader (core/splice.py)."""

from __future__ import annotations

import pytest

from wenku.core import splice

NONCE = "0123456789abcdef"


def page(body: str) -> str:
    return body.replace("NONCE", NONCE).replace("CSRF", splice.csrf_field("wk" + NONCE))


def test_slots_choices_and_the_token_are_the_readers():
    holed = splice.cut(
        page(
            "<nav><!--wk:NONCE:menu--></nav><p>text</p>"
            "<!--wk:NONCE:own:7-->[edit CSRF]<!--wk:NONCE:other-->[report CSRF]<!--wk:NONCE:end-->"
            "<form>CSRF</form>"
        ),
        NONCE,
    )
    pieces = {"menu": "<a>seven</a>"}
    field = splice.csrf_field("T7")
    author = splice.fill(holed, pieces, 7, lambda: "T7")
    assert author == f"<nav><a>seven</a></nav><p>text</p>[edit {field}]<form>{field}</form>"
    other = splice.fill(holed, {"menu": "<a>eight</a>"}, 8, lambda: "T8")
    assert "[report " in other and "[edit" not in other and "T7" not in other
    guest = splice.fill(holed, {"menu": "<a>log in</a>"}, None, lambda: "G")
    assert guest == f"<nav><a>log in</a></nav><p>text</p><form>{splice.csrf_field('G')}</form>"


def test_a_page_without_a_form_asks_for_no_token():
    holed = splice.cut(page("<p><!--wk:NONCE:box--></p>"), NONCE)

    def no_token() -> str:
        raise AssertionError("a token was asked for")

    assert splice.fill(holed, {"box": "<b>box</b>"}, 1, no_token) == "<p><b>box</b></p>"


def test_marks_of_another_nonce_are_text():
    html = page("<p><!--wk:ffffffffffffffff:menu--><!--wk:NONCE:menu--></p>")
    holed = splice.cut(html, NONCE)
    assert splice.fill(holed, {"menu": "M"}, 1, str) == ("<p><!--wk:ffffffffffffffff:menu-->M</p>")


@pytest.mark.parametrize(
    "broken",
    ["<!--wk:NONCE:own:1-->a<!--wk:NONCE:other-->b", "a<!--wk:NONCE:end-->"],
)
def test_a_broken_choice_is_an_error(broken):
    with pytest.raises(ValueError):
        splice.cut(page(broken), NONCE)
