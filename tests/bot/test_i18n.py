"""Every message the bot can show has a Chinese translation with the same placeholders."""

from __future__ import annotations

import ast
import io
import string
from collections import Counter
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from bot.i18n import catalog, normalise_language, tr, translations, trn

ROOT = Path(__file__).resolve().parents[2]
CHAT_ERRORS = {
    "NotFoundError",
    "NotRegisteredError",
    "ForbiddenError",
    "InvalidInputError",
    "ConflictError",
}


def _literal(node: ast.expr) -> str | None:
    """The value of a string constant, or None."""
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def _messages() -> set[str]:
    """Message ids used with tr()/N_()/_() in bot/ and chat-facing error templates in workflows/."""
    found: set[str] = set()
    for path in [*ROOT.joinpath("bot").rglob("*.py"), *ROOT.joinpath("workflows").rglob("*.py")]:
        if "sandbox" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Name):
                continue
            name = node.func.id
            if name == "tr" and len(node.args) >= 2:
                message = _literal(node.args[1])
            elif (name in ("N_", "_") or name in CHAT_ERRORS) and node.args:
                message = _literal(node.args[0])
            else:
                continue
            if message is not None:
                found.add(message)
    return found


def _placeholders(text: str) -> set[str]:
    """The {names} a format string uses."""
    return {field for _, field, _, _ in string.Formatter().parse(text) if field}


def _plural_messages() -> set[tuple[str, str]]:
    """(singular, plural) message ids used with trn() in bot/."""
    found: set[tuple[str, str]] = set()
    for path in ROOT.joinpath("bot").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id == "trn"
                and len(node.args) >= 3
            ):
                singular, plural = _literal(node.args[1]), _literal(node.args[2])
                if singular is not None and plural is not None:
                    found.add((singular, plural))
    return found


@pytest.mark.parametrize("message", sorted(_plural_messages()))
def test_plural_message_has_a_chinese_translation(message: tuple[str, str]) -> None:
    """A count-dependent message has its Chinese form, with the English forms' placeholders."""
    singular, plural = message
    assert _placeholders(singular) == _placeholders(plural)
    chinese = translations("zh").ngettext(singular, plural, 2)
    assert chinese != plural, f"no zh translation for {singular!r}"
    assert _placeholders(chinese) == _placeholders(singular)


@pytest.mark.parametrize("message", sorted(_messages()))
def test_message_has_a_chinese_translation(message: str) -> None:
    """The message is translated, and the translation uses exactly its placeholders."""
    chinese = catalog("zh").get(message)
    assert chinese, f"no zh translation for {message!r}"
    assert _placeholders(chinese) == _placeholders(message)


def test_no_message_is_translated_twice() -> None:
    """No message id appears in two .po files (one would silently win)."""
    folder = ROOT / "bot" / "locale" / "zh" / "LC_MESSAGES"
    ids: Counter[str] = Counter()
    for path in folder.glob("*.po"):
        ids.update(
            m.id for m in read_po(io.BytesIO(path.read_bytes())) if isinstance(m.id, str) and m.id
        )
    assert [i for i, n in ids.items() if n > 1] == []


def test_languages() -> None:
    """Telegram language codes map to zh or en; English is the message id."""
    assert normalise_language("zh-hans") == "zh"
    assert normalise_language("en-GB") == "en"
    assert normalise_language("fr") == "en"
    assert normalise_language(None) == "zh"
    assert tr("en", "There is no task {number}.", number=3) == "There is no task 3."
    assert tr("zh", "There is no task {number}.", number=3) == "没有第 3 项任务。"


def test_english_plurals() -> None:
    """English says 1 day and 7 days; Chinese has one form."""
    left = ("{days} day left.", "{days} days left.")
    assert trn("en", *left, 1, days=1) == "1 day left."
    assert trn("en", *left, 7, days=7) == "7 days left."
    assert trn("zh", *left, 7, days=7) == "还剩 7 天。"
