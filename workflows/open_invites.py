"""Invites not yet used: listing them, and revoking one before anyone redeems it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import ColumnElement, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from db.models import Agency, Invite, Member
from workflows.access import Actor, identify, require_coordinator
from workflows.audit import record
from workflows.errors import ConflictError


@dataclass(frozen=True)
class OpenInvite:
    """An invite that can still be redeemed: its number, for whom, by whom, until when."""

    invite_id: int
    role: str
    agency_name: str | None
    created_by: str | None
    created_at: dt.datetime
    expires_at: dt.datetime


def _is_open(now: dt.datetime) -> list[ColumnElement[bool]]:
    """The conditions of an invite that can still be redeemed."""
    return [Invite.used_at.is_(None), Invite.revoked_at.is_(None), Invite.expires_at > now]


async def _coordinator_or_shell(session: AsyncSession, telegram_id: int | None) -> Actor | None:
    """The acting coordinator, or None for the command line."""
    if telegram_id is None:
        return None
    actor = await identify(session, telegram_id)
    require_coordinator(actor)
    return actor


async def list_open_invites(
    *, session: AsyncSession, by_telegram_id: int | None, now: dt.datetime
) -> list[OpenInvite]:
    """Every invite that can still be redeemed, oldest first (coordinators, or the shell)."""
    await _coordinator_or_shell(session, by_telegram_id)
    creator = aliased(Member)
    rows = await session.execute(
        select(Invite, Agency.name, creator.display_name)
        .outerjoin(Agency, Agency.id == Invite.agency_id)
        .outerjoin(creator, creator.id == Invite.created_by_id)
        .where(*_is_open(now))
        .order_by(Invite.id)
    )
    return [
        OpenInvite(
            invite.id, str(invite.role), agency, made_by, invite.created_at, invite.expires_at
        )
        for invite, agency, made_by in rows
    ]


async def revoke_invite(
    *, session: AsyncSession, by_telegram_id: int | None, invite_id: int, now: dt.datetime
) -> OpenInvite:
    """Revoke an open invite, whoever made it; any coordinator may, audited."""
    actor = await _coordinator_or_shell(session, by_telegram_id)
    found = next(
        (
            view
            for view in await list_open_invites(session=session, by_telegram_id=None, now=now)
            if view.invite_id == invite_id
        ),
        None,
    )
    revoked = await session.execute(
        update(Invite)
        .where(Invite.id == invite_id, *_is_open(now))
        .values(revoked_at=now)
        .execution_options(synchronize_session=False)
    )
    if found is None or not getattr(revoked, "rowcount", 0):
        raise ConflictError(
            "Invite {number} cannot be revoked: it was used, revoked or has expired, "
            "or there is none.",
            number=invite_id,
        )
    record(
        session,
        at=now,
        actor=actor,
        action="invite.revoked",
        entity="invite",
        entity_id=invite_id,
        before={"role": found.role, "expires_at": found.expires_at.isoformat()},
        after={"revoked_at": now.isoformat()},
    )
    await session.commit()
    return found


async def revoke_invites_made_by(
    session: AsyncSession, *, member_id: int, actor: Actor | None, now: dt.datetime
) -> list[int]:
    """Revoke the open invites a departing member made (they could redeem them themselves)."""
    ids = list(
        await session.scalars(
            select(Invite.id).where(Invite.created_by_id == member_id, *_is_open(now))
        )
    )
    if not ids:
        return []
    await session.execute(
        update(Invite)
        .where(Invite.id.in_(ids), *_is_open(now))
        .values(revoked_at=now)
        .execution_options(synchronize_session=False)
    )
    for invite_id in ids:
        record(
            session,
            at=now,
            actor=actor,
            action="invite.revoked",
            entity="invite",
            entity_id=invite_id,
            after={"revoked_at": now.isoformat(), "because": "its maker's access ended"},
        )
    return ids
