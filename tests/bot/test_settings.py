"""Settings: the README documents exactly the settings the class has."""

from __future__ import annotations

import re
from pathlib import Path

from bot.settings import Settings

README = Path(__file__).resolve().parents[2] / "README.md"


def test_readme_lists_every_setting_and_no_other() -> None:
    """Each ANNEXBOT_* row of the README's settings table is a field, and each field has a row."""
    documented = set(re.findall(r"^\| `ANNEXBOT_([A-Z_]+)`", README.read_text(), re.MULTILINE))
    fields = {name.upper() for name in Settings.model_fields}
    assert documented == fields


def test_every_setting_is_described() -> None:
    """Every field carries a description for people reading the code."""
    assert all(field.description for field in Settings.model_fields.values())
