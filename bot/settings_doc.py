"""The README's settings table, generated from the Settings class (`python -m bot.settings_doc`)."""

from __future__ import annotations

import datetime as dt
import json

from pydantic.fields import FieldInfo

from bot.settings import Settings

HEADER = "| variable | default | meaning |\n|---|---|---|"
# Defaults computed at run time, described in words instead of one machine's value.
SHOWN_DEFAULTS = {
    "data_dir": "`$XDG_DATA_HOME/annexbot` (`~/.local/share/annexbot`)",
    "database_url": "SQLite file `annexbot.sqlite3` in the data directory",
    "webhook_secret": "derived from the token (HMAC)",
}


def _default(name: str, field: FieldInfo) -> str:
    """How a field's default reads in the table."""
    if name in SHOWN_DEFAULTS:
        return SHOWN_DEFAULTS[name]
    value = field.default
    if value is None:
        return "—"
    if isinstance(value, dt.time):
        return f"`{value:%H:%M}`"
    if isinstance(value, list):
        return f"`{json.dumps(value)}`"
    return f"`{value}`"


def settings_table() -> str:
    """Every setting as a Markdown table row: variable, default and the field's description."""
    rows = [
        f"| `ANNEXBOT_{name.upper()}` | {_default(name, field)} | {field.description} |"
        for name, field in Settings.model_fields.items()
    ]
    return "\n".join([HEADER, *rows])


if __name__ == "__main__":
    print(settings_table())
