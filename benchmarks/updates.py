"""Benchmark 1: updates through the webhook, PTB and the database, against a bare echo bot.

Each liaison opens a task card (/mytasks, then the task's button; not timed), then reports:
a status button, a percent button and a note (a text reply to the card). The sandbox POSTs each
update to the webhook over loopback HTTP, like Telegram; a step's latency runs from the update's
injection until the bot's answer (the edited card, or the new message) reached the sandbox.
The echo bot answers the same three kinds of update with the same calls (answer + edit, reply)
on the same webhook path, through the same HTTP app and sandbox, with the same update processor
and rate limiter as annexbot.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from collections.abc import Awaitable, Callable
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from typing import Any

from rich.console import Console
from sqlalchemy import select
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from benchmarks.common import Database, Figure, Report, median, percentile, sessions_on
from benchmarks.data import Shape, generate
from benchmarks.sandboxed import Running, running_bot
from bot.chat.rate_limit import ChatOrderedProcessor
from bot.delivery.pacing import PacingRateLimiter
from bot.run import webhook_secret
from bot.sandbox import ChatMessage, SandboxServer
from bot.web.app import Webhook, build_web_app, serve
from db.models import Member

NOW = dt.datetime(2026, 3, 3, 2, 0, tzinfo=dt.UTC)
PATH = "/telegram"
GOAL_RATIO = 0.8
P50_RATIO = 1.5  # latency goals, against the echo bot's
P99_RATIO = 2.0
STEP_TIMEOUT = 60.0
# Telegram allows one message a second per chat: the note's answer must not wait for the card's.
PER_CHAT_PAUSE = 1.1


@dataclass
class Pass:
    """One timed pass: how long it took and each step's latency."""

    elapsed: float
    latencies: list[float] = field(default_factory=list)
    cpu: float = 0.0  # this process's CPU seconds in the pass (bot, sandbox and HTTP alike)

    @property
    def rate(self) -> float:
        """Updates per second."""
        return len(self.latencies) / self.elapsed


def _bot_messages(sandbox: SandboxServer, chat_id: int) -> int:
    return sum(1 for m in sandbox.state.history.get(chat_id, []) if m.from_bot)


async def _new_message(sandbox: SandboxServer, chat_id: int, before: int) -> ChatMessage:
    """Wait until the bot sent one more message to the chat; returns the newest."""
    await sandbox.wait_until(lambda: _bot_messages(sandbox, chat_id) > before, STEP_TIMEOUT)
    return sandbox.last_message(chat_id)


async def _edited(sandbox: SandboxServer, chat_id: int, message: ChatMessage) -> ChatMessage:
    """Wait until the bot edited a message; returns the edited one."""

    def changed() -> bool:
        return sandbox.state.get_message(chat_id, message.message_id) is not message

    await sandbox.wait_until(changed, STEP_TIMEOUT)
    found = sandbox.state.get_message(chat_id, message.message_id)
    assert found is not None
    return found


def _button(message: ChatMessage, prefix: str) -> str:
    return next(data for data in message.callback_data if data.startswith(prefix))


async def _step(latencies: list[float], action: Callable[[], Awaitable[Any]]) -> Any:
    started = time.perf_counter()
    result = await action()
    latencies.append(time.perf_counter() - started)
    return result


async def _in_parallel(
    users: list[int], concurrency: int, work: Callable[[int], Awaitable[None]]
) -> float:
    """Run work(user) for every user, `concurrency` at a time; seconds it took."""
    gate = asyncio.Semaphore(concurrency)

    async def one(user: int) -> None:
        async with gate:
            await work(user)

    started = time.perf_counter()
    await asyncio.gather(*(one(user) for user in users))
    return time.perf_counter() - started


async def _annexbot_pass(bot: Running, users: list[int], concurrency: int) -> Pass:
    """Open a card for every liaison, then time status, percent and note for each."""
    sandbox = bot.sandbox
    cards: dict[int, ChatMessage] = {}

    listings: dict[int, ChatMessage] = {}

    async def list_tasks(user: int) -> None:
        before = _bot_messages(sandbox, user)
        sandbox.send_text(user, "/mytasks")
        listings[user] = await _new_message(sandbox, user, before)

    async def open_card(user: int) -> None:
        before = _bot_messages(sandbox, user)
        sandbox.press(user, listings[user].message_id, _button(listings[user], "myt:"))
        cards[user] = await _new_message(sandbox, user, before)

    # A pause after each round of messages: a second message to a chat within a second would
    # wait for Telegram's per-chat limit, and with it every update behind it.
    await _in_parallel(users, concurrency, list_tasks)
    await asyncio.sleep(PER_CHAT_PAUSE)
    await _in_parallel(users, concurrency, open_card)
    await asyncio.sleep(PER_CHAT_PAUSE)
    result = Pass(0.0)

    async def report(user: int) -> None:
        card = cards[user]
        sandbox.press(user, card.message_id, _button(card, "mys:"))
        prompt = await _step(result.latencies, lambda: _edited(sandbox, user, card))
        sandbox.press(user, card.message_id, _button(prompt, "myp:"))
        await _step(result.latencies, lambda: _edited(sandbox, user, prompt))
        before = _bot_messages(sandbox, user)
        sandbox.reply_to(user, card.message_id, "按计划推进，资金已落实。")
        await _step(result.latencies, lambda: _new_message(sandbox, user, before))

    cpu = time.process_time()
    result.elapsed = await _in_parallel(users, concurrency, report)
    result.cpu = time.process_time() - cpu
    return result


def build_echo_bot(sandbox: SandboxServer) -> Application[Any, Any, Any, Any, Any, Any]:
    """A bare PTB bot: a button press is answered and edited, a text is echoed.

    It is configured as annexbot is (bot/chat/application.py): chats served side by side,
    each chat's updates in order, and every message paced to Telegram's limits; otherwise
    it would queue every update behind the one before and its latency would measure that.
    """
    application = (
        ApplicationBuilder()
        .token(sandbox.token)
        .base_url(sandbox.base_url)
        .base_file_url(sandbox.base_file_url)
        .rate_limiter(PacingRateLimiter())
        .concurrent_updates(ChatOrderedProcessor())
        .updater(None)
        .build()
    )

    async def on_press(update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        assert query is not None
        await query.answer()
        button = InlineKeyboardButton("next", callback_data=query.data)
        await query.edit_message_text(
            f"echo {query.data} {query.id}", reply_markup=InlineKeyboardMarkup([[button]])
        )

    async def on_text(update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        assert message is not None
        assert message.text is not None
        await message.reply_text(message.text)

    application.add_handler(CallbackQueryHandler(on_press))
    application.add_handler(MessageHandler(filters.TEXT, on_text))
    return application


async def _echo_pass(
    sandbox: SandboxServer,
    application: Application[Any, Any, Any, Any, Any, Any],
    users: list[int],
    concurrency: int,
) -> Pass:
    """Send every user a card with a button, then time press, press and a reply for each."""
    cards: dict[int, ChatMessage] = {}

    async def send_card(user: int) -> None:
        button = InlineKeyboardButton("status", callback_data="s")
        sent = await application.bot.send_message(
            user, "card", reply_markup=InlineKeyboardMarkup([[button]])
        )
        found = sandbox.state.get_message(user, sent.message_id)
        assert found is not None
        cards[user] = found

    await _in_parallel(users, concurrency, send_card)
    await asyncio.sleep(PER_CHAT_PAUSE)
    result = Pass(0.0)

    async def converse(user: int) -> None:
        card = cards[user]
        sandbox.press(user, card.message_id, "s")
        edited = await _step(result.latencies, lambda: _edited(sandbox, user, card))
        sandbox.press(user, card.message_id, "s")
        await _step(result.latencies, lambda: _edited(sandbox, user, edited))
        before = _bot_messages(sandbox, user)
        sandbox.reply_to(user, card.message_id, "按计划推进，资金已落实。")
        await _step(result.latencies, lambda: _new_message(sandbox, user, before))

    cpu = time.process_time()
    result.elapsed = await _in_parallel(users, concurrency, converse)
    result.cpu = time.process_time() - cpu
    return result


async def _webhook_url(
    application: Application[Any, Any, Any, Any, Any, Any], bot: Running, stack: AsyncExitStack
) -> str:
    """Start the application if needed and serve its webhook through annexbot's HTTP app."""
    if not application.running:
        await application.initialize()
        await application.start()
        stack.push_async_callback(application.shutdown)
        stack.push_async_callback(application.stop)
    secret = webhook_secret(bot.runtime.settings)
    app = build_web_app(bot.runtime, webhook=Webhook(PATH, secret, application))
    port = await stack.enter_async_context(serve(app, host="127.0.0.1", port=0))
    return f"http://127.0.0.1:{port}{PATH}"


async def run(
    report: Report,
    database: Database,
    *,
    liaisons: int,
    concurrency: int,
    runs: int,
    console: Console,
) -> None:
    """Time `runs` passes of every liaison's report, for annexbot and for the echo bot."""
    if liaisons % 31 == 0:
        liaisons += 1  # task i's lead is agency 31·i mod n: every liaison gets a task
    shape = Shape(
        tasks=liaisons,
        agencies=liaisons,
        members_per_agency=1,
        first_day=NOW.date() - dt.timedelta(days=100),
        span_days=365,
        co_agencies=False,
    )
    async with sessions_on(database) as sessions:
        async with sessions() as session:
            await generate(session, shape)
            users = list(await session.scalars(select(Member.telegram_id).order_by(Member.id)))
        annexbot: list[Pass] = []
        echo: list[Pass] = []
        async with running_bot(sessions, now=NOW, polling=False) as bot, AsyncExitStack() as stack:
            for user in users:
                bot.sandbox.add_user(user, f"Liaison {user}")
            for job in bot.application.job_queue.jobs() if bot.application.job_queue else ():
                job.schedule_removal()  # the sweeps would compete with the updates
            await bot.application.start()
            stack.push_async_callback(bot.application.stop)
            echo_app = build_echo_bot(bot.sandbox)
            secret = webhook_secret(bot.runtime.settings)
            annexbot_url = await _webhook_url(bot.application, bot, stack)
            echo_url = await _webhook_url(echo_app, bot, stack)
            for index in range(runs):
                # Alternate, so drift on a shared machine hits both alike.
                await bot.application.bot.set_webhook(annexbot_url, secret_token=secret)
                annexbot.append(await _annexbot_pass(bot, users, concurrency))
                await echo_app.bot.set_webhook(echo_url, secret_token=secret)
                echo.append(await _echo_pass(bot.sandbox, echo_app, users, concurrency))
                console.log(
                    f"updates: pass {index + 1}: annexbot {annexbot[-1].rate:.0f}/s, "
                    f"echo {echo[-1].rate:.0f}/s"
                )
    _record(report, database, annexbot, echo, len(users), concurrency)


def _record(
    report: Report,
    database: Database,
    annexbot: list[Pass],
    echo: list[Pass],
    liaisons: int,
    concurrency: int,
) -> None:
    rate, echo_rate = median([p.rate for p in annexbot]), median([p.rate for p in echo])
    p50 = median([percentile(p.latencies, 0.5) for p in annexbot]) * 1000
    p99 = median([percentile(p.latencies, 0.99) for p in annexbot]) * 1000
    echo_p50 = median([percentile(p.latencies, 0.5) for p in echo]) * 1000
    echo_p99 = median([percentile(p.latencies, 0.99) for p in echo]) * 1000
    where = f"{liaisons} liaisons, {concurrency} at a time"
    # CPU per update tells this process's own work apart from waiting on a busy machine.
    cpu = median([p.cpu / len(p.latencies) for p in annexbot]) * 1000
    echo_cpu = median([p.cpu / len(p.latencies) for p in echo]) * 1000
    report.add(
        Figure(
            "1 update handling",
            f"status reports via webhook ({where})",
            rate,
            "updates/s",
            database.label,
            echo_rate,
            "PTB echo bot",
            f">= {GOAL_RATIO:g} x echo",
            rate >= GOAL_RATIO * echo_rate,
            f"CPU {cpu:.1f} ms an update (echo {echo_cpu:.1f} ms), this process",
        )
    )
    report.add(
        Figure(
            "1 update handling",
            "latency p50",
            p50,
            "ms",
            database.label,
            echo_p50,
            "PTB echo bot",
            f"<= {P50_RATIO:g} x echo",
            p50 <= P50_RATIO * echo_p50,
        )
    )
    report.add(
        Figure(
            "1 update handling",
            "latency p99",
            p99,
            "ms",
            database.label,
            echo_p99,
            "PTB echo bot",
            f"<= {P99_RATIO:g} x echo",
            p99 <= P99_RATIO * echo_p99,
        )
    )
