"""Writing and reading the audit log."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import Agency, AuditEvent, Member
from workflows.access import Actor

# The audited steps of a review: reported done, then closed or returned (workflows/review.py).
RETURNED = "review.return"
REVIEW_STEPS = ("task.done", "review.close", RETURNED)


def record(
    session: AsyncSession,
    *,
    at: dt.datetime,
    actor: Actor | None,
    action: str,
    entity: str,
    entity_id: int | None = None,
    plan_id: int | None = None,
    task_id: int | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> None:
    """Add one audit event to the session (the caller's transaction commits it)."""
    session.add(
        AuditEvent(
            at=at,
            actor=f"member:{actor.member_id}" if actor else "system",
            actor_member_id=actor.member_id if actor else None,
            action=action,
            entity=entity,
            entity_id=entity_id,
            plan_id=plan_id,
            task_id=task_id,
            before=before,
            after=after,
        )
    )


@dataclass(frozen=True)
class AuditView:
    """One audit event as people read it."""

    at: dt.datetime
    actor: str
    action: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    actor_agency: str | None = None
    actor_agency_en: str | None = None


async def task_history(session: AsyncSession, task_id: int, *, limit: int = 20) -> list[AuditView]:
    """The newest audit events of a task, newest first, with the actor's name and agency."""
    rows = await session.execute(
        select(AuditEvent, Member.display_name, Agency.name, Agency.name_en)
        .outerjoin(Member, Member.id == AuditEvent.actor_member_id)
        .outerjoin(Agency, Agency.id == Member.agency_id)
        .where(AuditEvent.task_id == task_id)
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
        .limit(limit)
    )
    return [
        AuditView(
            event.at, name or event.actor, event.action, event.before, event.after, agency, english
        )
        for event, name, agency, english in rows
    ]


async def returned_tasks(session: AsyncSession, task_ids: Sequence[int]) -> set[int]:
    """Tasks whose latest review step was a return (退办): reworked since, not yet done again."""
    if not task_ids:
        return set()
    rows = await session.execute(
        select(AuditEvent.task_id, AuditEvent.action)
        .where(AuditEvent.task_id.in_(task_ids), AuditEvent.action.in_(REVIEW_STEPS))
        .order_by(AuditEvent.at, AuditEvent.id)
    )
    latest = {task_id: action for task_id, action in rows if task_id is not None}
    return {task_id for task_id, action in latest.items() if action == RETURNED}
