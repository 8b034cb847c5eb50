"""GET /metrics: counters move when the real bot handles updates, sends, retries and sweeps."""

from __future__ import annotations

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy.ext.asyncio import AsyncSession
from telegram.ext import CallbackContext

from bot.chat.handlers import reminders
from bot.delivery.sender import RENDERERS, Rendered
from bot.metrics import Metrics
from bot.web.app import build_web_app
from db.enums import MemberRole
from tests.bot.harness import BotHarness
from workflows.outbox.queue import enqueue
from workflows.outbox.sending import OutgoingMessage

LIAISON = 1001
OTHER = 1002
BLOCKED = 1003

Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


async def _note(message: OutgoingMessage, _session: AsyncSession) -> Rendered:
    return Rendered(f"note {message.payload['n']}")


@pytest.fixture(autouse=True)
def _note_renderer() -> None:
    RENDERERS["test-note"] = _note


async def _scrape(harness: BotHarness) -> tuple[httpx.Response, Samples]:
    """GET /metrics from the harness's own web app; every sample by name and labels."""
    app = build_web_app(harness.runtime)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://annexbot") as client:
        response = await client.get("/metrics")
    samples: Samples = {}
    for family in text_string_to_metric_families(response.text):
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return response, samples


async def _queue(harness: BotHarness, *chats: int) -> None:
    async with harness.runtime.session() as session:
        for n, chat_id in enumerate(chats):
            await enqueue(
                session,
                key=f"note:{n}:{chat_id}",
                kind="test-note",
                chat_id=chat_id,
                payload={"n": n},
                now=harness.clock(),
            )
        await session.commit()


async def test_metrics_count_updates_deliveries_and_lag(harness: BotHarness) -> None:
    """An update, a sent, a retried and a blocked delivery, a waiting one: each shows."""
    await harness.import_bundled()
    await harness.add_member(LIAISON, "Li", role=MemberRole.COORDINATOR)
    harness.sandbox.add_user(OTHER, "Wang")
    harness.sandbox.add_user(BLOCKED, "Bai")
    response, before = await _scrape(harness)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    assert before[("annexbot_outbox_lag_seconds", ())] == 0
    assert ("annexbot_updates_total", (("type", "message"),)) not in before

    await harness.send(LIAISON, "/tasks")
    harness.sandbox.faults.server_error(500, times=1, chat_id=OTHER)
    harness.sandbox.faults.block(BLOCKED)
    await _queue(harness, LIAISON, OTHER, BLOCKED)
    await harness.sender.drain()
    harness.clock.advance(minutes=3)  # the retried note waits at most 5 s: now overdue
    _, after = await _scrape(harness)

    assert after[("annexbot_updates_total", (("type", "message"),))] == 1
    assert after[("annexbot_deliveries_sent_total", (("kind", "test-note"),))] == 1
    assert after[("annexbot_deliveries_retried_total", (("kind", "test-note"),))] == 1
    blocked = (("kind", "test-note"), ("reason", "blocked"))
    assert after[("annexbot_deliveries_failed_total", blocked)] == 1
    assert after[("annexbot_outbox_due", ())] == 1
    assert 175 <= after[("annexbot_outbox_lag_seconds", ())] <= 180
    assert after[("annexbot_feed_requests_total", ())] == 0

    await harness.sender.drain()
    _, drained = await _scrape(harness)
    assert drained[("annexbot_deliveries_sent_total", (("kind", "test-note"),))] == 2
    assert drained[("annexbot_outbox_lag_seconds", ())] == 0


async def test_a_sweep_counts_as_a_scheduler_run(harness: BotHarness) -> None:
    """The reminders job, run once by its own function, shows under its job name."""
    await harness.import_bundled()
    await reminders.on_sweep(CallbackContext(harness.application))
    _, samples = await _scrape(harness)
    assert samples[("annexbot_scheduler_runs_total", (("job", reminders.JOB_NAME),))] == 1


def test_each_runtime_has_its_own_registry() -> None:
    """Two Metrics never share counters (tests and several bots in one process stay apart)."""
    first, second = Metrics(), Metrics()
    first.feed_requests.inc()
    assert first.registry.get_sample_value("annexbot_feed_requests_total") == 1
    assert second.registry.get_sample_value("annexbot_feed_requests_total") == 0
