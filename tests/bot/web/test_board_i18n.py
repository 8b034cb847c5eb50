"""Every text the board's templates translate has a Chinese translation."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.i18n import catalog

TEMPLATES = Path(__file__).resolve().parents[3] / "bot" / "web" / "templates"
CALLS = re.compile(r"""\bt\(\s*(["'])(.+?)\1""")


def _messages() -> set[str]:
    """Message ids written as t("…") in the templates."""
    found: set[str] = set()
    for path in TEMPLATES.glob("*.html"):
        found.update(match.group(2) for match in CALLS.finditer(path.read_text(encoding="utf-8")))
    return found


def test_the_templates_translate_something() -> None:
    """The scan finds the templates' texts (an empty scan would pass every check below)."""
    assert "Plan board" in _messages()


@pytest.mark.parametrize("message", sorted(_messages()))
def test_template_message_has_a_chinese_translation(message: str) -> None:
    """The template's text is in a zh catalog."""
    assert catalog("zh").get(message), f"no zh translation for {message!r}"
