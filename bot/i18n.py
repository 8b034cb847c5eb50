"""Translations: English message ids, Chinese catalogs in bot/locale/zh/LC_MESSAGES/*.po.

Each feature keeps its own .po file; they are merged into one catalog per language. The
catalogs are read with Babel at start-up, so no compiled .mo files live in the repository.
Messages that depend on a number go through trn(), Babel's ngettext with the language's
plural rules ("1 day", "7 days"; Chinese has one form).
"""

from __future__ import annotations

import gettext
import io
from collections.abc import Iterator
from functools import cache
from importlib import resources
from importlib.resources.abc import Traversable
from typing import Any

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

LANGUAGES = ("zh", "en")
DEFAULT_LANGUAGE = "zh"


def N_(message: str) -> str:
    """Mark a string for translation where it is defined; translate it where it is shown."""
    return message


def _po_files(language: str) -> Iterator[Traversable]:
    """The .po files of a language, in name order (none for English)."""
    folder = resources.files("bot").joinpath("locale", language, "LC_MESSAGES")
    if language == "en" or not folder.is_dir():
        return
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".po"):
            yield entry


@cache
def catalog(language: str) -> dict[str, str]:
    """Message id → translation for one language (English is the message ids themselves)."""
    messages: dict[str, str] = {}
    for entry in _po_files(language):
        for message in read_po(io.BytesIO(entry.read_bytes()), locale=language):
            if message.id and isinstance(message.id, str) and message.string:
                messages[message.id] = str(message.string)
    return messages


@cache
def translations(language: str) -> gettext.NullTranslations:
    """Babel's translations of a language's .po files, compiled in memory, for ngettext."""
    merged: Translations | None = None
    for entry in _po_files(language):
        buffer = io.BytesIO()
        write_mo(buffer, read_po(io.BytesIO(entry.read_bytes()), locale=language))
        buffer.seek(0)
        found = Translations(buffer)
        merged = found if merged is None else merged.merge(found)
    return merged if merged is not None else NullTranslations()


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


def trn(language: str, singular: str, plural: str, n: int, /, **params: Any) -> str:
    """Translate a message whose wording depends on a number n, and fill in its parameters."""
    return translations(language).ngettext(singular, plural, n).format(**params)
