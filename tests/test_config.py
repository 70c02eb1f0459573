"""Every setting is declared once, documented, and validated at start-up."""

from pathlib import Path

import pytest

from wenku import config

DOCS = Path(__file__).resolve().parents[1] / "docs" / "configuration.md"


def test_every_setting_is_documented():
    text = DOCS.read_text()
    missing = [s.name for s in config.SETTINGS if f"`{s.name}`" not in text]
    assert not missing, f"document these in docs/configuration.md: {missing}"


def test_documented_settings_exist():
    import re

    documented = set(re.findall(r"`(WENKU_[A-Z_]+)`", DOCS.read_text()))
    assert documented <= set(config.BY_NAME)


def test_settings_named_anywhere_in_the_docs_exist():
    """The README and every page under docs/ name settings exactly as the code spells them
    (`WENKU_RATE_*` names a family; WENKU_TEST_* belong to the test suite)."""
    import re

    root = DOCS.parents[1]
    wrong = {}
    for page in [root / "README.md", *sorted((root / "docs").glob("*.md"))]:
        for name in re.findall(r"WENKU_[A-Z0-9_]*[A-Z0-9](?:_\*)?", page.read_text()):
            if name.startswith("WENKU_TEST_"):
                continue
            if name.endswith("_*"):
                known = any(s.startswith(name[:-1]) for s in config.BY_NAME)
            else:
                known = name in config.BY_NAME
            if not known:
                wrong.setdefault(page.name, set()).add(name)
    assert not wrong, f"no such settings: {wrong}"


def test_defaults_load():
    values = config.load({})
    assert values.preview_pages == 5 and values.data_dir.is_absolute()


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("WENKU_PREVIEW_PAGES", "zero"),
        ("WENKU_PREVIEW_PAGES", "0"),
        ("WENKU_DEBUG", "maybe"),
        ("WENKU_OFFICE_SANDBOX", "docker"),
        ("WENKU_OFFICE_TIMEOUT", "-1"),
    ],
)
def test_bad_values_name_the_variable(name, value):
    with pytest.raises(config.ConfigError, match=name):
        config.load({name: value})


def test_database_url():
    from wenku.core.datadir import database_settings

    pg = database_settings("postgresql://wenku:s%40cret@db.example:5433/wenku", Path("/d"))
    assert (pg["ENGINE"], pg["NAME"], pg["USER"], pg["PASSWORD"], pg["HOST"], pg["PORT"]) == (
        "django.db.backends.postgresql",
        "wenku",
        "wenku",
        "s@cret",
        "db.example",
        "5433",
    )
    assert database_settings("", Path("/d"))["NAME"] == Path("/d/wenku.sqlite3")
    with pytest.raises(ValueError):
        database_settings("mysql://x/y", Path("/d"))


def test_settings_are_typed_attributes_and_read_only():
    values = config.load({"WENKU_PREVIEW_PAGES": "7", "WENKU_DEBUG": "yes"})
    assert (values.preview_pages, values.debug) == (7, True)
    assert {s.attr for s in config.SETTINGS} == {
        config.name_to_attr(s.name) for s in config.SETTINGS
    }
    with pytest.raises(AttributeError):
        values.preview_pages = 3
    assert values.replace(preview_pages=3).preview_pages == 3
    assert values.preview_pages == 7
    with pytest.raises(AttributeError):
        values.replace(no_such_setting=1)
