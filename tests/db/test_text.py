"""Control characters never reach the database, whichever one it is."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.enums import MemberRole
from db.models import AuditEvent, Member
from db.text import clean

NOW = dt.datetime(2016, 3, 1, 2, 0, tzinfo=dt.UTC)


@given(st.text())
def test_clean_keeps_everything_but_control_characters(text: str) -> None:
    cleaned = clean(text)
    assert all(ch in "\t\n\r" or (ord(ch) >= 0x20 and ord(ch) != 0x7F) for ch in cleaned)
    assert cleaned == "".join(
        ch for ch in text if ch in "\t\n\r" or not (ord(ch) < 0x20 or ord(ch) == 0x7F)
    )


async def test_nul_in_text_and_json_is_dropped_on_every_database(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    async with session_factory() as session:
        session.add(
            Member(
                telegram_id=1,
                display_name="王\x00主任\x07",
                role=MemberRole.COORDINATOR,
                language="zh",
                created_at=NOW,
            )
        )
        session.add(
            AuditEvent(
                at=NOW,
                actor="system",
                action="test",
                entity="member",
                after={"note": "a\x00b", "list": ["c\x1bd"]},
            )
        )
        await session.commit()
    async with session_factory() as session:
        assert await session.scalar(select(Member.display_name)) == "王主任"
        assert await session.scalar(select(AuditEvent.after)) == {"note": "ab", "list": ["cd"]}
