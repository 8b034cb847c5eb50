"""Who is at the board: single-use sign-in links from /web, and the sessions they open.

Only sha256 hashes of tokens are stored. A session lasts while it is neither expired nor
revoked and its member has not left; a member who leaves or is removed loses every session
at the next request, whatever the cookie says.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import Member, WebSession, WebSignIn
from workflows import audit
from workflows.access import Actor, find_actor, identify
from workflows.errors import ForbiddenError

SIGN_IN_VALID = dt.timedelta(minutes=10)
SESSION_VALID = dt.timedelta(hours=12)
LINK_DOOR, MINIAPP_DOOR = "link", "miniapp"


@dataclass(frozen=True)
class SignInLink:
    """A new sign-in token (shown once) and when it stops working."""

    language: str
    token: str
    expires_at: dt.datetime


@dataclass(frozen=True)
class OpenedSession:
    """A new session's cookie token and when it ends."""

    token: str
    expires_at: dt.datetime
    actor: Actor


@dataclass(frozen=True)
class RevokedSessions:
    """How many sessions a member just ended, and their language."""

    language: str
    count: int


def token_hash(token: str) -> str:
    """The sha256 kept in place of a token."""
    return hashlib.sha256(token.encode()).hexdigest()


def csrf_token(session_token: str) -> str:
    """The form token of a session, derived from its cookie so nothing more is stored."""
    return hashlib.sha256(b"csrf:" + session_token.encode()).hexdigest()[:32]


async def issue_sign_in(*, session: AsyncSession, telegram_id: int, now: dt.datetime) -> SignInLink:
    """A single-use sign-in token for a registered member, valid SIGN_IN_VALID."""
    actor = await identify(session, telegram_id)
    token = secrets.token_urlsafe(24)
    expires = now + SIGN_IN_VALID
    link = WebSignIn(
        token_hash=token_hash(token), member_id=actor.member_id, created_at=now, expires_at=expires
    )
    session.add(link)
    await session.flush()
    audit.record(
        session, at=now, actor=actor, action="web.link", entity="web_sign_in", entity_id=link.id
    )
    await session.commit()
    return SignInLink(actor.language, token, expires)


async def _open(
    session: AsyncSession, member: Member, door: str, now: dt.datetime
) -> OpenedSession:
    """A new session row for an active member (the caller commits)."""
    actor = await find_actor(session, member.telegram_id)
    if actor is None:
        raise ForbiddenError(
            "This sign-in link is no longer valid. Ask the bot for a new one with /web."
        )
    token = secrets.token_urlsafe(32)
    expires = now + SESSION_VALID
    row = WebSession(
        token_hash=token_hash(token),
        member_id=member.id,
        door=door,
        created_at=now,
        expires_at=expires,
    )
    session.add(row)
    await session.flush()
    audit.record(
        session,
        at=now,
        actor=actor,
        action="web.sign_in",
        entity="web_session",
        entity_id=row.id,
        after={"door": door},
    )
    return OpenedSession(token, expires, actor)


async def redeem_sign_in(*, session: AsyncSession, token: str, now: dt.datetime) -> OpenedSession:
    """Use a sign-in link once: a session for its member, or ForbiddenError."""
    # One conditional UPDATE claims the link, so two browsers racing on it cannot both win.
    claimed = await session.execute(
        update(WebSignIn)
        .where(
            WebSignIn.token_hash == token_hash(token),
            WebSignIn.used_at.is_(None),
            WebSignIn.expires_at > now,
        )
        .values(used_at=now)
        .returning(WebSignIn.member_id)
    )
    member_id = claimed.scalar()
    member = None if member_id is None else await session.get(Member, member_id)
    if member is None:
        await session.rollback()
        raise ForbiddenError(
            "This sign-in link is no longer valid. Ask the bot for a new one with /web."
        )
    opened = await _open(session, member, LINK_DOOR, now)
    await session.commit()
    return opened


async def open_miniapp_session(
    *, session: AsyncSession, telegram_id: int, now: dt.datetime
) -> OpenedSession:
    """A session for the member Telegram vouched for (initData already checked)."""
    await identify(session, telegram_id)
    member = await session.scalar(
        select(Member).where(Member.telegram_id == telegram_id, Member.left_at.is_(None))
    )
    assert member is not None
    opened = await _open(session, member, MINIAPP_DOOR, now)
    await session.commit()
    return opened


async def session_actor(*, session: AsyncSession, token: str, now: dt.datetime) -> Actor | None:
    """The member behind a live session cookie, or None (expired, revoked, left, unknown)."""
    row = (
        await session.execute(
            select(WebSession, Member.telegram_id)
            .join(Member, Member.id == WebSession.member_id)
            .where(
                WebSession.token_hash == token_hash(token),
                WebSession.revoked_at.is_(None),
                WebSession.expires_at > now,
                Member.left_at.is_(None),
            )
        )
    ).first()
    actor = None if row is None else await find_actor(session, row[1])
    await session.commit()
    return actor


async def sign_out(*, session: AsyncSession, token: str, now: dt.datetime) -> None:
    """End one session (nothing happens for an unknown one)."""
    await session.execute(
        update(WebSession)
        .where(WebSession.token_hash == token_hash(token), WebSession.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    await session.commit()


async def end_sessions(session: AsyncSession, *, member_id: int, now: dt.datetime) -> int:
    """Revoke a member's open sessions in the caller's transaction; how many were open."""
    result = await session.execute(
        update(WebSession)
        .where(WebSession.member_id == member_id, WebSession.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    return int(getattr(result, "rowcount", 0) or 0)


async def revoke_sessions(
    *, session: AsyncSession, telegram_id: int, now: dt.datetime
) -> RevokedSessions:
    """End every open session of a member (/web off)."""
    actor = await identify(session, telegram_id)
    count = await end_sessions(session, member_id=actor.member_id, now=now)
    audit.record(
        session,
        at=now,
        actor=actor,
        action="web.revoke",
        entity="web_session",
        after={"sessions": count},
    )
    await session.commit()
    return RevokedSessions(actor.language, count)
