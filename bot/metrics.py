"""Prometheus metrics: one registry per running bot, counters the faces increment, GET /metrics."""

from __future__ import annotations

from typing import Any

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    ProcessCollector,
    generate_latest,
)
from telegram import Update
from telegram.ext import Application, CallbackContext, TypeHandler

from bot.logs import log_context

# Before the gate (bot/chat/handlers/fallback.py, group -100), so every update is counted.
OBSERVE_GROUP = -1000


class Metrics:
    """The counters and gauges of one application, in a registry of its own (tests stay apart)."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        ProcessCollector(registry=self.registry)
        self.updates = self._counter("updates", "Telegram updates handled, by type.", "type")
        self.deliveries_sent = self._counter(
            "deliveries_sent", "Outbox messages Telegram accepted.", "kind"
        )
        self.deliveries_retried = self._counter(
            "deliveries_retried",
            "Outbox messages put back to try again (429, 5xx, timeouts).",
            "kind",
        )
        self.deliveries_failed = self._counter(
            "deliveries_failed",
            "Outbox messages given up (reason: error, or blocked by the recipient).",
            "kind",
            "reason",
        )
        self.feed_requests = self._counter("feed_requests", "Calendar feed requests.")
        self.feed_not_modified = self._counter(
            "feed_not_modified", "Calendar feed requests answered 304 Not Modified."
        )
        self.scheduler_runs = self._counter(
            "scheduler_runs", "Scheduled sweeps run by this process (the leader).", "job"
        )
        self.outbox_lag = Gauge(
            "annexbot_outbox_lag_seconds",
            "Age of the oldest due outbox message (0 when none waits; NaN: database unavailable).",
            registry=self.registry,
        )
        self.outbox_due = Gauge(
            "annexbot_outbox_due", "Outbox messages due and not yet sent.", registry=self.registry
        )

    def _counter(self, name: str, documentation: str, *labels: str) -> Counter:
        """A counter annexbot_<name>_total in this registry."""
        return Counter(f"annexbot_{name}", documentation, labels, registry=self.registry)

    def exposition(self) -> tuple[bytes, str]:
        """The Prometheus text format of every metric, and its content type."""
        return generate_latest(self.registry), CONTENT_TYPE_LATEST


def update_type(update: object) -> str:
    """What an update carries: message, callback_query, my_chat_member …"""
    if isinstance(update, Update):
        for name in Update.ALL_TYPES:
            if getattr(update, name, None) is not None:
                return name
    return "other"


def observe(application: Application[Any, Any, Any, Any, Any, Any], metrics: Metrics) -> None:
    """Register, ahead of every other handler, one that counts each update and tags its logs."""

    async def count(update: Update, _context: CallbackContext[Any, Any, Any, Any]) -> None:
        log_context(update_id=update.update_id, task_id=None, delivery_id=None)
        metrics.updates.labels(update_type(update)).inc()

    application.add_handler(TypeHandler(Update, count), group=OBSERVE_GROUP)
