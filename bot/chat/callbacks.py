"""Button payloads: short `action:arg:arg` strings, always checked again on the server."""

from __future__ import annotations

MAX_BYTES = 64
SEPARATOR = ":"
# Row ids are 32-bit integers on PostgreSQL: anything beyond is a forged or mistyped id.
MAX_ID = 2**31 - 1


def pack(action: str, *args: int | str) -> str:
    """Encode a button payload; refuses anything over Telegram's 64 bytes."""
    data = SEPARATOR.join([action, *(str(a) for a in args)])
    if len(data.encode()) > MAX_BYTES:
        raise ValueError(f"callback data over {MAX_BYTES} bytes: {data!r}")
    return data


def unpack(data: str | None) -> tuple[str, list[str]]:
    """Split a payload into its action and arguments ('' for none)."""
    if not data:
        return "", []
    action, *args = data.split(SEPARATOR)
    return action, args


def pattern(action: str) -> str:
    """The regex a CallbackQueryHandler uses to take one action's buttons."""
    return rf"^{action}(:|$)"


def int_arg(args: list[str], index: int) -> int | None:
    """An integer argument, or None when it is missing, not a number or out of range (forged)."""
    return id_number(args[index]) if index < len(args) else None


def id_number(text: str) -> int | None:
    """A row id typed or carried in a button: ASCII digits within range, else None."""
    if not text.isascii() or not text.lstrip("-").isdigit():
        return None
    value = int(text)
    return value if -MAX_ID <= value <= MAX_ID else None
