"""Imports a coordinator asks for from the chat: a preview that writes nothing, then the import."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.ext.asyncio import AsyncSession

from workflows.access import identify, require_coordinator
from workflows.importing.service import ImportResult, import_annex
from workflows.plan_grants import grant_imported, require_importable


async def preview_import(
    *,
    session: AsyncSession,
    telegram_id: int,
    data: bytes,
    filename: str | None,
    plan_code: str | None,
    now: dt.datetime,
    timezone: str,
) -> ImportResult:
    """What importing a file would do for a coordinator; nothing is written.

    A coordinator limited to some plans may import a new plan (it becomes theirs) or revise
    one of theirs, never another's.
    """
    actor = await identify(session, telegram_id)
    require_coordinator(actor)
    result = await import_annex(
        session=session,
        data=data,
        now=now,
        timezone=timezone,
        plan_code=plan_code,
        filename=filename,
        dry_run=True,
    )
    await require_importable(session, actor=actor, plan_code=result.plan_code)
    return result


async def import_confirmed(
    *,
    session: AsyncSession,
    telegram_id: int,
    data: bytes,
    filename: str | None,
    plan_code: str,
    now: dt.datetime,
    timezone: str,
) -> ImportResult:
    """Import a file a coordinator confirmed: a new plan, or a revised one's changes applied."""
    actor = await identify(session, telegram_id)
    require_coordinator(actor)
    await require_importable(session, actor=actor, plan_code=plan_code)
    result = await import_annex(
        session=session,
        data=data,
        now=now,
        timezone=timezone,
        plan_code=plan_code,
        filename=filename,
        apply=True,
        actor=f"member:{actor.member_id}",
    )
    if result.applied:
        await grant_imported(session, actor=actor, plan_code=result.plan_code, now=now)
    return result
