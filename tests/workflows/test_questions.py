"""The chat's questions: the newest is open for an hour, replies find their own, answers forget."""

from __future__ import annotations

import datetime as dt

from tests.kit.cast import Sessions
from workflows.questions import (
    KEEP_FOR,
    OPEN_FOR,
    Question,
    answered,
    ask,
    close_open,
    question_for,
)

CHAT, OTHER_CHAT = 7001, 7002
NOW = dt.datetime(2016, 3, 1, 2, 0, tzinfo=dt.UTC)


async def _typed(sessions: Sessions, chat: int = CHAT, now: dt.datetime = NOW) -> Question | None:
    """The question text typed now (no reply) answers."""
    async with sessions() as session:
        return await question_for(session, chat_id=chat, reply_to=None, now=now)


async def _replied(sessions: Sessions, message_id: int) -> Question | None:
    """The question a reply to a message answers."""
    async with sessions() as session:
        return await question_for(session, chat_id=CHAT, reply_to=message_id, now=NOW)


async def _ask(sessions: Sessions, message_id: int, kind: str, *subject: int | str) -> None:
    """Ask a question in the chat."""
    async with sessions() as session:
        await ask(session, chat_id=CHAT, message_id=message_id, kind=kind, subject=subject, now=NOW)


async def test_the_next_question_replaces_the_open_one(session_factory: Sessions) -> None:
    """Typing answers the newest question; a reply to the older one still answers it."""
    await _ask(session_factory, 10, "myp", 3, "on_track", 0)
    assert await _typed(session_factory) == Question("myp", ("3", "on_track", "0"), 10)
    await _ask(session_factory, 11, "exq", 4)
    assert await _typed(session_factory) == Question("exq", ("4",), 11)
    assert await _replied(session_factory, 10) == Question("myp", ("3", "on_track", "0"), 10)
    assert await _typed(session_factory, OTHER_CHAT) is None


async def test_answered_questions_are_forgotten_and_commands_close(
    session_factory: Sessions,
) -> None:
    """An answered question answers nothing more; after a command typing answers nothing."""
    await _ask(session_factory, 10, "rvk", 3, 9)
    async with session_factory() as session:
        await answered(session, chat_id=CHAT, message_id=10)
    assert await _typed(session_factory) is None
    assert await _replied(session_factory, 10) is None
    await _ask(session_factory, 12, "exn", 5)
    async with session_factory() as session:
        await close_open(session, chat_id=CHAT)
    assert await _typed(session_factory) is None
    assert await _replied(session_factory, 12) == Question("exn", ("5",), 12)


async def test_open_for_an_hour_kept_for_replies_a_month(session_factory: Sessions) -> None:
    """After an hour typing no longer answers; a month on, asking again clears the old rows."""
    await _ask(session_factory, 10, "myn", 3)
    assert await _typed(session_factory, now=NOW + OPEN_FOR - dt.timedelta(minutes=1))
    assert await _typed(session_factory, now=NOW + OPEN_FOR) is None
    async with session_factory() as session:
        await ask(
            session,
            chat_id=CHAT,
            message_id=20,
            kind="myn",
            subject=(4,),
            now=NOW + KEEP_FOR + dt.timedelta(days=1),
        )
    assert await _replied(session_factory, 10) is None
