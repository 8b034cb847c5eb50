"""Translations: English message ids, Chinese catalogs in bot/locale/zh/LC_MESSAGES/*.po.

Each feature keeps its own .po file; they are merged into one catalog per language. The
catalogs are read with Babel at start-up, so no compiled .mo files live in the repository.
"""

from __future__ import annotations

import io
from functools import cache
from importlib import resources
from typing import Any

from babel.messages.pofile import read_po

LANGUAGES = ("zh", "en")
DEFAULT_LANGUAGE = "zh"


def N_(message: str) -> str:
    """Mark a string for translation where it is defined; translate it where it is shown."""
    return message


@cache
def catalog(language: str) -> dict[str, str]:
    """Message id → translation for one language (English is the message ids themselves)."""
    messages: dict[str, str] = {}
    if language == "en":
        return messages
    folder = resources.files("bot").joinpath("locale", language, "LC_MESSAGES")
    if not folder.is_dir():
        return messages
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".po"):
            for message in read_po(io.BytesIO(entry.read_bytes()), locale=language):
                if message.id and isinstance(message.id, str) and message.string:
                    messages[message.id] = str(message.string)
    return messages


def normalise_language(code: str | None) -> str:
    """A supported language for a Telegram language_code (zh-hans → zh, anything else → en)."""
    if not code:
        return DEFAULT_LANGUAGE
    short = code.lower().split("-")[0].split("_")[0]
    return short if short in LANGUAGES else "en"


def tr(language: str, message: str, **params: Any) -> str:
    """Translate a message id into a language and fill in its parameters."""
    text = catalog(language).get(message, message)
    return text.format(**params) if params else text
