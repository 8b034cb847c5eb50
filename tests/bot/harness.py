"""An end-to-end harness: the real bot, polling the sandbox Bot API server, on a real database."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select

from bot.sandbox.driver import BotDriver
from bot.sandbox.driver import Clock as DriverClock
from db.enums import MemberRole
from db.models import Member
from tests.kit.cast import BUNDLED, Person, Plan, cast, import_plan

START = dt.datetime(2016, 3, 1, 2, 0, tzinfo=dt.UTC)  # 10:00 in Beijing, a Tuesday


class Clock(DriverClock):
    """A clock the test moves by hand, starting on a Tuesday morning in Beijing."""

    def __init__(self, start: dt.datetime = START) -> None:
        super().__init__(start)


@dataclass
class BotHarness(BotDriver):
    """The running bot and the sandbox it talks to, with builders for tests."""

    async def import_bundled(self) -> None:
        """Import the 国发〔2015〕5号 annex as plan gf-2015-5."""
        async with self.runtime.session() as session:
            await import_plan(session, now=self.clock())

    async def cast(
        self, *people: Person, plan: Plan | None = BUNDLED, only_task: int | None = None
    ) -> dict[int, int]:
        """Import the plan (None: none) now, seat the people as members and sandbox users."""
        for person in people:
            language = "zh-hans" if person.language == "zh" else person.language
            self.sandbox.add_user(person.telegram_id, person.display_name, language_code=language)
        return await cast(
            self.runtime.sessions, *people, now=self.clock(), plan=plan, only_task=only_task
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
        person = Person(user_id, agency, role, name, language)
        return (await self.cast(person, plan=None))[user_id]

    async def member(self, user_id: int) -> Member | None:
        """The member row of a Telegram user, fresh from the database."""
        async with self.runtime.session() as session:
            return await session.scalar(select(Member).where(Member.telegram_id == user_id))
