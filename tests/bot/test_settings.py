"""Settings: the README documents exactly the settings the class has."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.settings import Settings
from bot.settings_doc import settings_table

README = Path(__file__).resolve().parents[2] / "README.md"


def test_readme_lists_every_setting_and_no_other() -> None:
    """Each ANNEXBOT_* row of the README's settings table is a field, and each field has a row."""
    documented = set(re.findall(r"^\| `ANNEXBOT_([A-Z_]+)`", README.read_text(), re.MULTILINE))
    fields = {name.upper() for name in Settings.model_fields}
    assert documented == fields


def test_readme_table_is_the_generated_one() -> None:
    """The README table is exactly what `python -m bot.settings_doc` prints."""
    assert settings_table() in README.read_text()


def test_every_setting_is_described() -> None:
    """Every field carries a description for people reading the code."""
    assert all(field.description for field in Settings.model_fields.values())


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("http://127.0.0.1:8081/bot", "http://127.0.0.1:8081"),
        ("http://127.0.0.1:8081/bot/", "http://127.0.0.1:8081"),
        ("http://127.0.0.1:8081/", "http://127.0.0.1:8081"),
        ("https://api.telegram.org", "https://api.telegram.org"),
        ("https://example.org/telegram/bot", "https://example.org/telegram"),
        ("https://example.org/robot", "https://example.org/robot"),
    ],
)
def test_api_url_takes_the_root_or_the_bot_base_url(
    monkeypatch: pytest.MonkeyPatch, given: str, kept: str
) -> None:
    """ANNEXBOT_TELEGRAM_API_URL may be given as a sandbox prints base_url: the /bot is dropped."""
    monkeypatch.setenv("ANNEXBOT_TELEGRAM_API_URL", given)
    assert Settings(_env_file=None).telegram_api_url == kept
