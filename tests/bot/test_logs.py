"""Structured logs: records carry the update, task and delivery ids; text and JSON formats."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Message, Update
from telegram.ext import CallbackContext, TypeHandler

from bot.delivery.sender import RENDERERS, Rendered
from bot.logs import CONTEXT_FIELDS, ContextFilter, JsonFormatter, TextFormatter, log_context
from bot.metrics import OBSERVE_GROUP
from db.enums import MemberRole
from db.models import Task
from tests.bot.harness import BotHarness
from workflows.outbox.queue import enqueue
from workflows.outbox.sending import OutgoingMessage

USER = 1001
log = logging.getLogger("tests.bot.test_logs")


class Collect(logging.Handler):
    """Keeps every record, stamped by the ContextFilter as the real handler is."""

    def __init__(self) -> None:
        super().__init__()
        self.addFilter(ContextFilter())
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture
def collected() -> Iterator[list[logging.LogRecord]]:
    handler = Collect()
    root = logging.getLogger()
    root.addHandler(handler)
    log.setLevel(logging.INFO)
    try:
        yield handler.records
    finally:
        root.removeHandler(handler)


async def _task_note(message: OutgoingMessage, session: AsyncSession) -> Rendered:
    log.info("rendering")
    return Rendered("note", task_id=await session.scalar(select(func.min(Task.id))))


async def test_a_handler_and_a_delivery_log_their_ids(
    harness: BotHarness, collected: list[logging.LogRecord]
) -> None:
    """Logged while handling an update: its id; while sending: the delivery's, then the task's."""

    async def shout(update: Update, _context: CallbackContext[Any, Any, Any, Any]) -> None:
        log.info("handling")

    harness.application.add_handler(TypeHandler(Update, shout), group=OBSERVE_GROUP + 1)
    await harness.add_member(USER, "Li", role=MemberRole.COORDINATOR)
    injected = harness.sandbox.send_text(USER, "/help")
    await harness.settle(injected)
    [handling] = [r for r in collected if r.getMessage() == "handling"]
    assert _ids(handling) == (injected.update_id, None, None)

    RENDERERS["test-task-note"] = _task_note
    await harness.import_bundled()
    async with harness.runtime.session() as session:
        await enqueue(
            session, key="n", kind="test-task-note", chat_id=USER, payload={}, now=harness.clock()
        )
        await session.commit()
    deliver = harness.sender._deliver

    async def delivering(chat_id: int, rendered: Rendered) -> Message:
        log.info("delivering")
        return await deliver(chat_id, rendered)

    harness.sender._deliver = delivering  # type: ignore[method-assign]
    await harness.sender.drain()
    [rendering] = [r for r in collected if r.getMessage() == "rendering"]
    [sending] = [r for r in collected if r.getMessage() == "delivering"]
    delivery_id = getattr(rendering, "delivery_id", None)
    assert delivery_id is not None
    assert _ids(rendering)[1:] == (None, delivery_id)
    assert _ids(sending)[1:] == (await _first_task(harness), delivery_id)


async def _first_task(harness: BotHarness) -> int | None:
    async with harness.runtime.session() as session:
        return await session.scalar(select(func.min(Task.id)))


def _ids(record: logging.LogRecord) -> tuple[Any, ...]:
    """The update, task and delivery ids a record carries."""
    return tuple(getattr(record, name) for name in CONTEXT_FIELDS)


def _record(message: str, **extra: Any) -> logging.LogRecord:
    record = logging.LogRecord("bot.x", logging.WARNING, __file__, 1, message, (), None)
    record.__dict__.update(extra)
    ContextFilter().filter(record)
    return record


def test_formats() -> None:
    """Text appends the known ids in brackets; JSON puts them beside time, level and message."""
    log_context(update_id=None, task_id=None, delivery_id=None)
    plain = _record("plain")
    assert TextFormatter().format(plain).endswith("WARNING bot.x: plain")
    tagged = _record("sent", delivery_id=12, task_id=3)
    assert TextFormatter().format(tagged).endswith("bot.x: sent [task_id=3 delivery_id=12]")
    entry = json.loads(JsonFormatter().format(tagged))
    assert entry["message"] == "sent"
    assert (entry["level"], entry["logger"], entry["delivery_id"], entry["task_id"]) == (
        "WARNING",
        "bot.x",
        12,
        3,
    )
    assert "update_id" not in entry
    log_context(update_id=7)
    assert json.loads(JsonFormatter().format(_record("in an update")))["update_id"] == 7
    log_context(update_id=None)
