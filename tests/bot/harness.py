"""An end-to-end harness: the real bot, polling the sandbox Bot API server, on a real database."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select

from bot.sandbox.driver import BotDriver
from bot.sandbox.driver import Clock as DriverClock
from db.enums import MemberRole
from db.models import Member
from workflows.agencies import find_agency
from workflows.importing.service import bundled_annex, import_annex

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
