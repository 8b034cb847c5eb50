"""Structured logs: every record carries the update, task and delivery it is about, where known."""

from __future__ import annotations

import json
import logging
import sys
from contextvars import ContextVar
from typing import Any, Literal

LogFormat = Literal["text", "json"]
CONTEXT_FIELDS = ("update_id", "task_id", "delivery_id")

# Each asyncio task has its own copy, so ids set while one update or delivery is handled
# never show up on the records of another running beside it.
_context: dict[str, ContextVar[int | None]] = {
    name: ContextVar(name, default=None) for name in CONTEXT_FIELDS
}


def log_context(**ids: int | None) -> None:
    """Set the ids the current task's log records carry (update_id, task_id, delivery_id)."""
    for name, value in ids.items():
        _context[name].set(value)


def current_context() -> dict[str, int]:
    """The ids set in the current task, leaving out those not known."""
    values = {name: var.get() for name, var in _context.items()}
    return {name: value for name, value in values.items() if value is not None}


class ContextFilter(logging.Filter):
    """Adds update_id, task_id and delivery_id (None when unknown) to each record."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Stamp the record; never drops one."""
        for name, var in _context.items():
            if getattr(record, name, None) is None:
                setattr(record, name, var.get())
        return True


class TextFormatter(logging.Formatter):
    """One line per record, the known ids in brackets at the end."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")

    def formatMessage(self, record: logging.LogRecord) -> str:
        """The standard line plus e.g. ` [update_id=7 delivery_id=12]`."""
        line = super().formatMessage(record)
        ids = [f"{name}={getattr(record, name)}" for name in CONTEXT_FIELDS if _known(record, name)]
        return f"{line} [{' '.join(ids)}]" if ids else line


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, the known ids, any traceback."""

    def format(self, record: logging.LogRecord) -> str:
        """The record as a JSON line."""
        entry: dict[str, Any] = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry.update(
            {name: getattr(record, name) for name in CONTEXT_FIELDS if _known(record, name)}
        )
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        elif record.exc_text:
            entry["exception"] = record.exc_text
        return json.dumps(entry, ensure_ascii=False)


def _known(record: logging.LogRecord, name: str) -> bool:
    """Whether the record carries this id."""
    return getattr(record, name, None) is not None


def configure_logging(log_format: LogFormat = "text", *, level: int = logging.INFO) -> None:
    """Log to standard error in the chosen format; PTB's per-request HTTP lines stay out."""
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(ContextFilter())
    handler.setFormatter(JsonFormatter() if log_format == "json" else TextFormatter())
    logging.basicConfig(level=level, handlers=[handler])
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    logging.getLogger("alembic").setLevel(logging.WARNING)  # two INFO lines on every start
