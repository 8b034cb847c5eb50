"""Updates handled concurrently across chats, in order within one; expensive commands rationed.

Charts, exports, digests and file imports cost seconds of CPU each: a member may start a few
at once, then one every `interval`; one more is answered "please wait N s" (once per wait, so
a flood of them costs the bot one message), and the rest are dropped until the wait is over.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import math
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any

from telegram import Message, Update
from telegram.ext import (
    Application,
    ApplicationHandlerStop,
    BaseUpdateProcessor,
    CallbackContext,
    TypeHandler,
)

from bot.chat.errors import language_of
from bot.chat.menus import command_name
from bot.i18n import tr
from bot.runtime import runtime_of

EXPENSIVE_COMMANDS = frozenset({"chart", "export", "digest"})
RATE_LIMIT_GROUP = -50  # after the gate (-100), before the notes (-2) and every handler
RATE_LIMIT_KEY = "rate_limit"
# PTB's own bound on updates in flight; the processor bounds those actually running.
MAX_QUEUED_UPDATES = 1024
MAX_RUNNING_UPDATES = 16


class ChatOrderedProcessor(BaseUpdateProcessor):
    """Runs updates of different chats at once, each chat's one after another, in order."""

    def __init__(self, running: int = MAX_RUNNING_UPDATES) -> None:
        super().__init__(MAX_QUEUED_UPDATES)
        self._running = asyncio.Semaphore(running)
        self._chats: dict[int, tuple[asyncio.Lock, int]] = {}

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        """Wait for the chat's earlier updates, then for a running slot, then run it."""
        chat = _chat_of(update)
        if chat is None:
            async with self._running:
                await coroutine
            return
        lock, users = self._chats.get(chat, (asyncio.Lock(), 0))
        self._chats[chat] = (lock, users + 1)
        try:
            async with lock, self._running:
                await coroutine
        finally:
            lock, users = self._chats[chat]
            if users == 1:
                del self._chats[chat]
            else:
                self._chats[chat] = (lock, users - 1)

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to free."""


def _chat_of(update: object) -> int | None:
    """The chat an update belongs to (its user's, for updates without a chat)."""
    if not isinstance(update, Update):
        return None
    if update.effective_chat is not None:
        return update.effective_chat.id
    return update.effective_user.id if update.effective_user is not None else None


@dataclass
class _Allowance:
    """A member's ration: when their bucket is full again, and until when told to wait."""

    full_at: dt.datetime
    told_until: dt.datetime | None = None


@dataclass
class ExpensiveActions:
    """Per member: `burst` expensive actions at once, then one per `interval` (GCRA)."""

    burst: int = 3
    interval: dt.timedelta = dt.timedelta(seconds=20)
    max_members: int = 10_000
    _members: dict[int, _Allowance] = field(default_factory=dict)

    def wait(self, user_id: int, now: dt.datetime) -> dt.timedelta:
        """Take one action for the member now; how long to wait instead when none is left."""
        allowance = self._members.get(user_id)
        if allowance is None:
            self._forget_idle(now)
            allowance = self._members[user_id] = _Allowance(full_at=now)
        full_at = max(allowance.full_at, now)
        over = full_at - now - self.interval * (self.burst - 1)
        if over > dt.timedelta(0):
            return over
        allowance.full_at = full_at + self.interval
        return dt.timedelta(0)

    def first_refusal(self, user_id: int, now: dt.datetime, wait: dt.timedelta) -> bool:
        """True once per wait: the member hears "please wait" once, not once per command."""
        allowance = self._members[user_id]
        if allowance.told_until is not None and allowance.told_until > now:
            return False
        allowance.told_until = now + wait
        return True

    def _forget_idle(self, now: dt.datetime) -> None:
        """Keep memory bounded: drop members whose bucket is full again."""
        if len(self._members) < self.max_members:
            return
        self._members = {u: a for u, a in self._members.items() if a.full_at > now}
        while len(self._members) >= self.max_members:
            del self._members[next(iter(self._members))]


def is_expensive(update: Update, bot_username: str) -> bool:
    """A chart, export or digest command; a file sent to be imported, or a reply to one's file."""
    message = update.message
    if message is None:
        return False
    if message.document is not None or _own_file(message):
        return True
    return command_name(message.text or "", bot_username) in EXPENSIVE_COMMANDS


Context = CallbackContext[Any, Any, Any, Any]


def _own_file(message: Message) -> bool:
    """A reply to a file the same user sent (it names the plan and reads the file again)."""
    replied = message.reply_to_message
    if replied is None or replied.document is None or replied.from_user is None:
        return False
    return message.from_user is not None and replied.from_user.id == message.from_user.id


def _gate(actions: ExpensiveActions) -> Callable[[Update, Context], Coroutine[Any, Any, None]]:
    async def ration(update: Update, context: Context) -> None:
        """Let an expensive action through, or answer "please wait" and stop the update."""
        user = update.effective_user
        if user is None or not is_expensive(update, context.bot.username):
            return
        now = runtime_of(context).now()
        wait = actions.wait(user.id, now)
        if not wait:
            return
        if actions.first_refusal(user.id, now, wait):
            language = await language_of(update, context)
            seconds = math.ceil(wait.total_seconds())
            assert update.message is not None
            await update.message.reply_text(
                tr(
                    language,
                    "Please wait {seconds} s before asking for that again.",
                    seconds=seconds,
                )
            )
        raise ApplicationHandlerStop

    return ration


def register(application: Application[Any, Any, Any, Any, Any, Any]) -> ExpensiveActions:
    """Ration expensive actions ahead of every handler; the allowance is kept in bot_data."""
    actions = ExpensiveActions()
    application.bot_data[RATE_LIMIT_KEY] = actions
    application.add_handler(TypeHandler(Update, _gate(actions)), group=RATE_LIMIT_GROUP)
    return actions
