"""The sender: drains the outbox, rendering each delivery in its recipient's language."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import random
from contextlib import nullcontext

from telegram import Bot, Message
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError, TimedOut
from telegram.ext import Application

from bot.delivery.budget import outbox_turn
from bot.delivery.grouped import (
    ENTRY_RENDERERS,
    Entry,
    compose,
    grouped_kinds,
    held_back,
    in_units,
)
from bot.delivery.pacing import Pacer, PacingRateLimiter
from bot.delivery.pictures import send_pictures
from bot.delivery.rendered import RENDERERS as RENDERERS  # handlers register through here
from bot.delivery.rendered import Rendered as Rendered
from bot.delivery.rendered import Renderer as Renderer
from bot.delivery.rendered import Timer, TimerHandle, loop_timer
from bot.delivery.rendered import renderer as renderer
from bot.logs import log_context
from bot.runtime import Runtime
from workflows.outbox.failures import record_blocked, record_failure
from workflows.outbox.sending import (
    OutgoingMessage,
    claim_due,
    next_due,
    record_cancelled,
    record_retry,
    record_sent_together,
    release,
)

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 6
BASE_BACKOFF_SECONDS = 5
MAX_BACKOFF_SECONDS = 600
LEASE = dt.timedelta(seconds=60)
# Claimed at once: about a second of the budget, so that processes sharing it each get some
# (a claim waits for the budget behind the others' claims, and for a crashed claimant's lease).
BATCH = 40
# Sends in flight at once. The pacer, not this, keeps within Telegram's limits; this bounds
# how many messages one crash can send twice (those answered but not yet recorded), while
# 8 still reach 30/s with round trips up to ~250 ms.
CONCURRENCY = 8
MIN_WAKE_SECONDS = 0.05


class Sender:
    """Drains the outbox: claims due rows, sends them paced and in parallel, records outcomes.

    What a crash does (tests/bot/delivery/test_crash_exactly_once.py kills a sender 20 times):
    - nothing is lost: a claim is committed (the row SENDING, with a lease) before its message
      goes out, and a dead sender's claims are sent when their leases run out (the sender
      wakes itself then, as it does for retries);
    - a message claimed but not yet sent goes once: nothing of it reached Telegram;
    - a message Telegram accepted whose outcome was not yet committed goes again. Telegram has
      no idempotency key and a bot cannot read its chats back, so whether it arrived cannot
      be known; sending it again trades a possible loss for a possible duplicate. That window
      is the answer's way back plus one commit, and at most CONCURRENCY messages are in it
      at once, so one crash sends at most that many messages twice.
    A grouped message (bot/delivery/grouped.py) is one message in all of this: its rows are
    claimed under one lease and recorded sent in one commit, so it goes whole, once or twice.
    """

    def __init__(
        self,
        application: Application,  # type: ignore[type-arg]
        runtime: Runtime,
        *,
        pacer: Pacer | None = None,
        rng: random.Random | None = None,
        concurrency: int = CONCURRENCY,
        read_timeout: float | None = None,
        timer: Timer = loop_timer,
    ) -> None:
        self._application = application
        self._runtime = runtime
        limiter = application.bot.rate_limiter
        # Sends are paced in one place: the bot's PacingRateLimiter when it has one (it sees
        # handlers' replies too), else this sender's own pacer.
        self._bot_paces = pacer is None and isinstance(limiter, PacingRateLimiter)
        if isinstance(limiter, PacingRateLimiter) and pacer is None:
            pacer = limiter.pacer
        self.pacer = pacer or Pacer()
        self.random = rng or random.Random()
        self.concurrency = concurrency
        self.read_timeout = read_timeout
        self._lock = asyncio.Lock()
        self._again = False
        self.lease = LEASE
        self.next_wake: dt.datetime | None = None  # when the sender wakes itself next
        self.timer = timer  # how the sender wakes itself; a test's clock can stand in
        self._timer: TimerHandle | None = None
        self.turn = outbox_turn(runtime.sessions)  # on an SQLite file, one process sends

    def wake(self) -> None:
        """Start draining soon (from a handler that just enqueued something, or a timer)."""
        if self._application.running:  # a timer may outlive the application
            self._application.create_task(self.drain(), name="outbox-drain")

    async def drain(self) -> int:
        """Send everything that is due now; returns how many this call sent."""
        if not self.turn.mine():
            return 0
        if self._lock.locked():
            # The running drain passes once more before it returns; wait for it.
            self._again = True
            async with self._lock:
                return 0
        sent = 0
        async with self._lock:
            while True:
                self._again = False
                async with self._runtime.session() as session:
                    batch = await claim_due(
                        session,
                        now=self._runtime.now(),
                        lease=self.lease,
                        limit=BATCH,
                        together=grouped_kinds(),
                    )
                sent += await self._send_batch(batch)
                if not batch and not self._again:
                    await self._plan_wake()
                    return sent

    async def _plan_wake(self) -> None:
        """Wake (through the runtime) when the earliest waiting or leased delivery falls due."""
        async with self._runtime.session() as session:
            due = await next_due(session)
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        self.next_wake = due
        if due is not None:
            # Not less than a moment: a row another sender is claiming right now looks due.
            delay = max(MIN_WAKE_SECONDS, (due - self._runtime.now()).total_seconds())
            self._timer = self.timer(delay, lambda: self._runtime.wake_sender())

    async def _send_batch(self, batch: list[OutgoingMessage]) -> int:
        """Send a claimed batch: chats in parallel (bounded), each chat's messages in order."""
        chats: dict[int, list[OutgoingMessage]] = {}
        for message in batch:
            chats.setdefault(message.chat_id, []).append(message)
        gate = asyncio.Semaphore(self.concurrency)

        async def chat_worker(messages: list[OutgoingMessage]) -> int:
            async with gate:
                return await self._send_chat(messages)

        counts = await asyncio.gather(*(chat_worker(m) for m in chats.values()))
        return sum(counts)

    async def _send_chat(self, messages: list[OutgoingMessage]) -> int:
        """Send one chat's messages in order; after a retryable error the rest wait too.

        The deliveries of grouped kinds go together, as one message (or as few as fit),
        where the first of them stands.
        """
        units = in_units(messages)
        sent = 0
        for index, unit in enumerate(units):
            if await held_back(self._runtime, unit):
                continue
            count, retry_at = (
                await self._send_group(unit)
                if len(unit) > 1
                else _one(await self._send_one(unit[0]))
            )
            sent += count
            if retry_at is not None:
                rest = [m for later in units[index + 1 :] for m in later]
                async with self._runtime.session() as session:
                    await release(session, rest, retry_at=retry_at)
                break
        return sent

    async def _send_one(self, message: OutgoingMessage) -> dt.datetime | bool | None:
        """Send one delivery and record the outcome: None sent, a time to retry, False given up."""
        log_context(delivery_id=message.delivery_id, task_id=None)
        try:
            async with self._runtime.session() as session:
                rendered = await RENDERERS[message.kind](message, session)
        except Exception as error:  # a renderer's bug must not stop the outbox
            log.exception("delivery %s cannot be rendered", message.delivery_id)
            return await self._give_up(message, f"render: {error!r}")
        if rendered is None:
            async with self._runtime.session() as session:
                await record_cancelled(session, message, reason="nothing to send")
            return False
        return await self._transmit([message], rendered)

    async def _send_group(self, messages: list[OutgoingMessage]) -> tuple[int, dt.datetime | None]:
        """Send deliveries as one composed message (split at the limits): (sent, retry time)."""
        log_context(delivery_id=messages[0].delivery_id, task_id=None)
        entries: list[tuple[OutgoingMessage, Entry]] = []
        for message in messages:
            try:
                async with self._runtime.session() as session:
                    found = await ENTRY_RENDERERS[message.kind](message, session)
            except Exception as error:  # a renderer's bug must not stop the others
                log.exception("delivery %s cannot be rendered", message.delivery_id)
                await self._give_up(message, f"render: {error!r}")
                continue
            if not found:
                async with self._runtime.session() as session:
                    await record_cancelled(session, message, reason="nothing to send")
            else:
                entries += [(message, e) for e in (found if isinstance(found, list) else [found])]
        if len({message.delivery_id for message, _ in entries}) == 1:
            return _one(await self._send_one(entries[0][0]))
        by_id = {message.delivery_id: message for message, _ in entries}
        late = any(message.late for message, _ in entries)
        pairs = [(message.delivery_id, entry) for message, entry in entries]
        parts = compose(pairs, messages[0].language, late=late)
        sent = 0
        for index, part in enumerate(parts):
            carried = [by_id[i] for i in part.delivery_ids]
            # A part that completes no delivery is recorded with the part that does.
            outcome = await self._transmit(
                carried or [by_id[i] for i in part.continued],
                Rendered(part.text, part.buttons, part.task_id),
                record=bool(carried),
            )
            if outcome is None:
                sent += len(carried)
            elif isinstance(outcome, dt.datetime):
                rest = [by_id[i] for later in parts[index + 1 :] for i in later.delivery_ids]
                async with self._runtime.session() as session:
                    await release(session, rest, retry_at=outcome)
                return sent, outcome
        return sent, None

    async def _transmit(
        self, messages: list[OutgoingMessage], rendered: Rendered, *, record: bool = True
    ) -> dt.datetime | bool | None:
        """Send one message carrying deliveries and record the outcome for each of them."""
        first = messages[0]
        log_context(task_id=rendered.task_id)
        try:
            async with nullcontext() if self._bot_paces else self.pacer.slot(first.chat_id):
                sent = await self._deliver(first.chat_id, rendered)
        except RetryAfter as error:
            wait = error.retry_after
            seconds = wait.total_seconds() if isinstance(wait, dt.timedelta) else float(wait)
            self.pacer.hold(first.chat_id, seconds)
            return await self._retry(messages, seconds, "429", count_attempt=False)
        except Forbidden as error:
            for message in messages:
                async with self._runtime.session() as session:
                    await record_blocked(
                        session, message, error=f"forbidden: {error}", now=self._runtime.now()
                    )
                self._runtime.metrics.deliveries_failed.labels(message.kind, "blocked").inc()
            return False
        except BadRequest as error:  # a NetworkError subclass in PTB, but sending again cannot help
            log.error("delivery %s was refused: %s", first.delivery_id, error)
            return await self._give_up_all(messages, f"BadRequest: {error}")
        except (TimedOut, NetworkError) as error:  # TimedOut is a NetworkError; 5xx arrive as one
            attempts = max(message.attempts for message in messages)
            if attempts + 1 >= MAX_ATTEMPTS:
                return await self._give_up_all(messages, f"{type(error).__name__}: {error}")
            ceiling = min(MAX_BACKOFF_SECONDS, BASE_BACKOFF_SECONDS * 2**attempts)
            delay = self.random.uniform(0, ceiling)  # full jitter
            return await self._retry(messages, delay, f"{type(error).__name__}: {error}")
        except TelegramError as error:  # anything else Telegram refuses: sending again cannot help
            log.error("delivery %s cannot be sent: %s", first.delivery_id, error)
            return await self._give_up_all(messages, f"{type(error).__name__}: {error}")
        if not record:
            return None
        async with self._runtime.session() as session:
            await record_sent_together(
                session,
                messages,
                now=self._runtime.now(),
                message_id=sent.message_id,
                task_id=rendered.task_id,
            )
        for message in messages:
            self._runtime.metrics.deliveries_sent.labels(message.kind).inc()
        return None

    async def _deliver(self, chat_id: int, rendered: Rendered) -> Message:
        """A text message, or pictures (pages, albums and a file: a call for each)."""
        bot: Bot = self._application.bot
        if rendered.pictures is not None:
            return await send_pictures(
                bot,
                chat_id,
                rendered.pictures,
                read_timeout=self.read_timeout,
                write_timeout=self.read_timeout,
            )
        return await bot.send_message(
            chat_id,
            rendered.text,
            parse_mode=ParseMode.HTML,
            reply_markup=rendered.buttons,
            disable_web_page_preview=True,
            read_timeout=self.read_timeout,
        )

    async def _retry(
        self,
        messages: list[OutgoingMessage],
        seconds: float,
        error: str,
        *,
        count_attempt: bool = True,
    ) -> dt.datetime:
        """Put deliveries back for later; returns when they are due."""
        retry_at = self._runtime.now() + dt.timedelta(seconds=seconds)
        for message in messages:
            async with self._runtime.session() as session:
                await record_retry(
                    session, message, retry_at=retry_at, error=error, count_attempt=count_attempt
                )
            self._runtime.metrics.deliveries_retried.labels(message.kind).inc()
        return retry_at

    async def _give_up_all(self, messages: list[OutgoingMessage], error: str) -> bool:
        """Mark deliveries failed (one message carried them)."""
        for message in messages:
            await self._give_up(message, error)
        return False

    async def _give_up(self, message: OutgoingMessage, error: str) -> bool:
        """Mark a delivery failed; the coordinators are told (unless it was an alert)."""
        async with self._runtime.session() as session:
            await record_failure(session, message, error=error, now=self._runtime.now())
        self._runtime.metrics.deliveries_failed.labels(message.kind, "error").inc()
        return False


def _one(outcome: dt.datetime | bool | None) -> tuple[int, dt.datetime | None]:
    """One delivery's outcome as (sent, retry time)."""
    if outcome is None:
        return 1, None
    return 0, outcome if isinstance(outcome, dt.datetime) else None
