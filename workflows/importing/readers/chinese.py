"""Traditional characters (繁體) read as simplified, through OpenCC."""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from opencc_purepy import OpenCC

# Converting simplified text changes almost nothing; a traditional page changes by the dozen.
_MIN_CHANGED = 8
_MIN_SHARE = 0.03


@lru_cache(maxsize=1)
def _converter() -> OpenCC:
    from opencc_purepy import OpenCC  # imported on use: its tables are big, and few texts need it

    return OpenCC("t2s")


def to_simplified(text: str) -> str:
    """The text in simplified characters when it is printed in traditional ones, else unchanged."""
    if not any("\u4e00" <= ch <= "\u9fff" for ch in text):
        return text
    converted: str = _converter().convert(text)
    if len(converted) != len(text):
        return text  # a phrase conversion changed lengths; keep line numbers true
    changed = sum(a != b for a, b in zip(text, converted, strict=True))
    cjk = sum("\u4e00" <= ch <= "\u9fff" for ch in text)
    return converted if changed >= _MIN_CHANGED and changed >= _MIN_SHARE * cjk else text


def is_traditional(text: str) -> bool:
    """Tell whether text reads as traditional characters."""
    return to_simplified(text) != text
