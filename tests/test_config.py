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


def test_defaults_load():
    values = config.load({})
    assert values["WENKU_PREVIEW_PAGES"] == 5 and values["WENKU_DATA_DIR"].is_absolute()


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
