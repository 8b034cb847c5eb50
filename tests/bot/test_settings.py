"""Settings: the README documents exactly the settings the class has."""

from __future__ import annotations

import re
from pathlib import Path

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
