"""Text as the databases take it: control characters (NUL above all) are dropped on the way in.

PostgreSQL refuses NUL in text and JSON, and no control character but tab, newline and carriage
return belongs in anything a person typed; SQLite would store them silently. Cleaning every
string the ORM flushes (and the outbox's payloads) makes both databases agree.
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import String, event, inspect
from sqlalchemy.orm import Session, UOWTransaction
from sqlalchemy.types import JSON

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean(value: Any) -> Any:
    """The value with control characters removed from every string in it (dicts, lists too)."""
    if isinstance(value, str):
        return _CONTROL.sub("", value) if _CONTROL.search(value) else value
    if isinstance(value, dict):
        return {clean(k): clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(clean(v) for v in value)
    return value


class CleanSession(Session):
    """A session that cleans text and JSON attributes before they are written."""


@event.listens_for(CleanSession, "before_flush")
def _clean_before_flush(session: Session, _flush: UOWTransaction, _instances: Any) -> None:
    """Clean the string and JSON columns of every new or changed object."""
    for instance in (*session.new, *session.dirty):
        mapper = inspect(instance).mapper
        for column in mapper.columns:
            if not isinstance(column.type, String | JSON):
                continue
            key = mapper.get_property_by_column(column).key
            value = getattr(instance, key, None)
            cleaned = clean(value)
            if cleaned is not value and cleaned != value:
                setattr(instance, key, cleaned)
