"""Questions the bot asks in a chat (a percent, a note, a reason, a date), kept for typed answers.

Each question is a bot message with a kind and the subject its answer is about. The chat's newest
question is open: text typed without replying answers it until it expires or the next question
replaces it. A reply to any question message answers that one, open or replaced, until it is
answered; rows older than KEEP_FOR go when the chat is next asked something.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import ChatQuestion

OPEN_FOR = dt.timedelta(hours=1)
KEEP_FOR = dt.timedelta(days=30)
SEPARATOR = ":"


@dataclass(frozen=True)
class Question:
    """What a bot message asked: its kind, the subject's parts and the message itself."""

    kind: str
    subject: tuple[str, ...]
    message_id: int


def _question(row: ChatQuestion) -> Question:
    """A question row as a plain value."""
    subject = tuple(row.subject.split(SEPARATOR)) if row.subject else ()
    return Question(kind=row.kind, subject=subject, message_id=row.message_id)


async def ask(
    session: AsyncSession,
    *,
    chat_id: int,
    message_id: int,
    kind: str,
    subject: Sequence[str | int],
    now: dt.datetime,
) -> None:
    """Make a bot message the chat's open question, replacing the one before; commits."""
    await session.execute(
        update(ChatQuestion)
        .where(ChatQuestion.chat_id == chat_id, ChatQuestion.open.is_(True))
        .values(open=False)
    )
    await session.execute(
        delete(ChatQuestion).where(
            ChatQuestion.chat_id == chat_id,
            (ChatQuestion.asked_at < now - KEEP_FOR) | (ChatQuestion.message_id == message_id),
        )
    )
    text = SEPARATOR.join(str(part) for part in subject)
    session.add(
        ChatQuestion(
            chat_id=chat_id, message_id=message_id, kind=kind, subject=text, asked_at=now, open=True
        )
    )
    await session.commit()


async def question_for(
    session: AsyncSession, *, chat_id: int, reply_to: int | None, now: dt.datetime
) -> Question | None:
    """The question a text answers: the replied-to message's, else the chat's open one."""
    if reply_to is not None:
        row = await session.scalar(
            select(ChatQuestion).where(
                ChatQuestion.chat_id == chat_id, ChatQuestion.message_id == reply_to
            )
        )
        return None if row is None else _question(row)
    row = await session.scalar(
        select(ChatQuestion).where(
            ChatQuestion.chat_id == chat_id,
            ChatQuestion.open.is_(True),
            ChatQuestion.asked_at > now - OPEN_FOR,
        )
    )
    return None if row is None else _question(row)


async def forget(session: AsyncSession, *, chat_id: int, message_id: int) -> None:
    """Forget a question, as part of the answer's own transaction (caller commits)."""
    await session.execute(
        delete(ChatQuestion).where(
            ChatQuestion.chat_id == chat_id, ChatQuestion.message_id == message_id
        )
    )


async def answered(session: AsyncSession, *, chat_id: int, message_id: int) -> None:
    """Forget a question once it is answered (or declined with its button); commits."""
    await forget(session, chat_id=chat_id, message_id=message_id)
    await session.commit()


async def close_open(session: AsyncSession, *, chat_id: int) -> None:
    """Stop taking typed text as an answer in a chat (the member moved on); commits."""
    await session.execute(
        update(ChatQuestion)
        .where(ChatQuestion.chat_id == chat_id, ChatQuestion.open.is_(True))
        .values(open=False)
    )
    await session.commit()
