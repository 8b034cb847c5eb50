"""Remembering which bot message is about which task, to route replies to it."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import ChatMessage


async def remember_message(
    session: AsyncSession, *, chat_id: int, message_id: int, task_id: int, now: dt.datetime
) -> None:
    """Record that a bot message is about a task (once; the caller commits)."""
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    await session.execute(
        insert(ChatMessage)
        .values(chat_id=chat_id, message_id=message_id, task_id=task_id, created_at=now)
        .on_conflict_do_nothing(index_elements=["chat_id", "message_id"])
    )


async def task_of_message(session: AsyncSession, *, chat_id: int, message_id: int) -> int | None:
    """The task a bot message is about, if it was about one."""
    return await session.scalar(
        select(ChatMessage.task_id).where(
            ChatMessage.chat_id == chat_id, ChatMessage.message_id == message_id
        )
    )
