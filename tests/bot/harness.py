"""An end-to-end harness: the real bot, polling the sandbox Bot API server, on a real database."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from telegram.ext import Application

from bot.delivery import Sender
from bot.runtime import Runtime
from bot.sandbox import ChatMessage, InjectedUpdate, SandboxServer
from db.enums import MemberRole
from db.models import Member
from workflows.agencies import find_agency
from workflows.importing.service import bundled_annex, import_annex

START = dt.datetime(2016, 3, 1, 2, 0, tzinfo=dt.UTC)  # 10:00 in Beijing, a Tuesday


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, start: dt.datetime = START) -> None:
        self.current = start

    def __call__(self) -> dt.datetime:
        return self.current

    def advance(self, **delta: float) -> None:
        """Move time forward."""
        self.current += dt.timedelta(**delta)


@dataclass
class BotHarness:
    """The running bot and the sandbox it talks to, with helpers that wait for it to finish."""

    sandbox: SandboxServer
    application: Application[Any, Any, Any, Any, Any, Any]
    runtime: Runtime
    clock: Clock
    sender: Sender
    job_names: tuple[str, ...] = ()  # jobs the application scheduled (removed: the test keeps time)

    async def import_bundled(self) -> None:
        """Import the 国发〔2015〕5号 annex as plan gf-2015-5."""
        async with self.runtime.session() as session:
            await import_annex(
                session=session,
                data=bundled_annex("gf-2015-5"),
                now=self.clock(),
                timezone="Asia/Shanghai",
                plan_code="gf-2015-5",
            )

    async def add_member(
        self,
        user_id: int,
        name: str,
        *,
        role: MemberRole = MemberRole.LIAISON,
        agency: str | None = None,
        language: str = "zh",
    ) -> int:
        """Register a member directly (a builder for tests), and a sandbox user for them."""
        self.sandbox.add_user(user_id, name, language_code="zh-hans" if language == "zh" else "en")
        async with self.runtime.session() as session:
            agency_id = None
            if agency is not None:
                found = await find_agency(session, agency)
                assert found is not None, f"no agency {agency}"
                agency_id = found.id
            member = Member(
                telegram_id=user_id,
                display_name=name,
                agency_id=agency_id,
                role=role,
                language=language,
                created_at=self.clock(),
            )
            session.add(member)
            await session.commit()
            return member.id

    async def member(self, user_id: int) -> Member | None:
        """The member row of a Telegram user, fresh from the database."""
        async with self.runtime.session() as session:
            return await session.scalar(select(Member).where(Member.telegram_id == user_id))

    async def settle(self, injected: InjectedUpdate) -> None:
        """Wait until the bot has fetched and handled an update, then send what it queued."""
        update_id = injected.update_id

        def fetched() -> bool:
            return any(
                int(call.params.get("offset") or 0) > update_id
                for call in self.sandbox.calls("getUpdates")
            )

        await self.sandbox.wait_until(fetched, timeout=10)
        await self.application.update_queue.join()
        await self.sender.drain()

    async def send(self, user_id: int, text: str) -> list[ChatMessage]:
        """Send a message as a user; returns the bot's new messages in that chat."""
        before = len(self.sandbox.messages(user_id))
        await self.settle(self.sandbox.send_text(user_id, text))
        return self.sandbox.messages(user_id)[before:]

    async def reply(self, user_id: int, message_id: int, text: str) -> list[ChatMessage]:
        """Reply to a bot message as a user; returns the bot's new messages in that chat."""
        before = len(self.sandbox.messages(user_id))
        await self.settle(self.sandbox.reply_to(user_id, message_id, text))
        return self.sandbox.messages(user_id)[before:]

    async def press(self, user_id: int, message_id: int, data: str) -> list[ChatMessage]:
        """Press a button as a user; returns the bot's new messages in that chat."""
        before = len(self.sandbox.messages(user_id))
        await self.settle(self.sandbox.press(user_id, message_id, data))
        return self.sandbox.messages(user_id)[before:]

    def last(self, chat_id: int) -> ChatMessage:
        """The newest message in a chat (edits included)."""
        return self.sandbox.last_message(chat_id)
