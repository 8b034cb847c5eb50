"""Coordinators limited to some plans: set, clear and show the limits, audited.

A coordinator without grants supervises every plan (the default). Only an unlimited coordinator
(or the shell) may limit or unlimit one, so that nobody widens their own reach.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import delete, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import FeedScope, MemberRole
from db.models import FeedToken, Member, Plan, PlanGrant
from workflows import audit
from workflows.access import Actor, identify, require_coordinator
from workflows.errors import ConflictError, ForbiddenError, InvalidInputError, NotFoundError
from workflows.feeds.tokens import link_view, revoke_row
from workflows.offboarding import find_member
from workflows.plans import find_plan, matching_plans, plan_label

MAX_PLANS = 50


@dataclass(frozen=True)
class PlanLimit:
    """A coordinator's limits after a change: the plans' labels, none for every plan."""

    language: str
    member: str
    plans: tuple[str, ...]
    changed: bool
    revoked_links: tuple[str, ...] = ()


async def _unlimited(session: AsyncSession, telegram_id: int | None) -> Actor | None:
    """The acting coordinator, who must supervise every plan; None for the shell."""
    if telegram_id is None:
        return None
    actor = await identify(session, telegram_id)
    require_coordinator(actor)
    if actor.is_limited:
        raise ForbiddenError("Only a coordinator who supervises every plan can change limits.")
    return actor


async def _coordinator(session: AsyncSession, who: str, actor: Actor | None) -> Member:
    """The coordinator a command names, not the actor themself."""
    if not who.strip():
        raise InvalidInputError(
            "Usage: /members limit MEMBER PLAN… to limit a coordinator to some plans, "
            "/members unlimit MEMBER to lift it."
        )
    found = await find_member(session, who)
    if found.role != MemberRole.COORDINATOR:
        raise ConflictError(
            "{member} is not a coordinator; liaisons see their agency's tasks only.",
            member=found.display_name,
        )
    if actor is not None and found.member_id == actor.member_id:
        raise ConflictError("You cannot change your own limits; ask another coordinator.")
    member = await session.get(Member, found.member_id)
    assert member is not None
    return member


async def _plan(session: AsyncSession, typed: str) -> Plan:
    """A plan in use by any of its names, else an archived one (a limit outlives an archive)."""
    try:
        return await find_plan(session, typed)
    except NotFoundError:
        archived = await session.scalars(select(Plan).where(Plan.archived_at.is_not(None)))
        found = matching_plans(list(archived), " ".join(typed.split()))
        if len(found) == 1:
            return found[0]
        raise


async def _labels(session: AsyncSession, member_id: int) -> list[str]:
    """The labels of the plans a coordinator is limited to, by code."""
    plans = await session.scalars(
        select(Plan)
        .join(PlanGrant, PlanGrant.plan_id == Plan.id)
        .where(PlanGrant.member_id == member_id)
        .order_by(Plan.code)
    )
    return [_named(plan) for plan in plans]


def _named(plan: Plan) -> str:
    """A plan's label with its code, as two plans may share a document number."""
    label = plan_label(plan)
    return label if label == plan.code else f"{label} ({plan.code})"


async def _grants(session: AsyncSession, member_id: int) -> set[int]:
    """The plan ids a coordinator is limited to (empty: every plan)."""
    rows = await session.scalars(select(PlanGrant.plan_id).where(PlanGrant.member_id == member_id))
    return set(rows)


async def limit_coordinator(
    *,
    session: AsyncSession,
    by_telegram_id: int | None,
    who: str,
    plans: list[str],
    now: dt.datetime,
) -> PlanLimit:
    """Limit a coordinator to exactly the plans named (each in any of its forms), audited."""
    actor = await _unlimited(session, by_telegram_id)
    member = await _coordinator(session, who, actor)
    if not plans:
        raise InvalidInputError("Name at least one plan; /plans lists them.")
    if len(plans) > MAX_PLANS:
        raise InvalidInputError("At most {limit} plans at once.", limit=MAX_PLANS)
    wanted = {(await _plan(session, typed)).id for typed in plans}
    before = await _labels(session, member.id)
    held = await _grants(session, member.id)
    for plan_id in held - wanted:
        await session.execute(
            delete(PlanGrant).where(PlanGrant.member_id == member.id, PlanGrant.plan_id == plan_id)
        )
    for plan_id in sorted(wanted - held):
        session.add(PlanGrant(member_id=member.id, plan_id=plan_id, created_at=now))
    await session.flush()
    after = await _labels(session, member.id)
    changed = held != wanted
    revoked = await _revoke_links_beyond(session, member.id, wanted, actor, now)
    if changed:
        audit.record(
            session,
            at=now,
            actor=actor,
            action="member.limit",
            entity="member",
            entity_id=member.id,
            before={"plans": before},
            after={"plans": after},
        )
    await session.commit()
    return PlanLimit(_language(actor), member.display_name, tuple(after), changed, revoked)


async def _revoke_links_beyond(
    session: AsyncSession, member_id: int, plan_ids: set[int], actor: Actor | None, now: dt.datetime
) -> tuple[str, ...]:
    """Revoke the calendar links a coordinator made of other plans (or of every plan), audited."""
    # Their own "my tasks" link follows the limits as they change, so it stays.
    rows = await session.scalars(
        select(FeedToken)
        .where(
            FeedToken.created_by_id == member_id,
            FeedToken.revoked_at.is_(None),
            FeedToken.scope != FeedScope.MEMBER,
            or_(FeedToken.plan_id.is_(None), FeedToken.plan_id.not_in(sorted(plan_ids))),
        )
        .order_by(FeedToken.id)
    )
    labels = []
    for row in rows.all():
        revoke_row(session, row, actor, now, action="feed.revoke_orphan")
        labels.append((await link_view(session, row)).label)
    await session.flush()
    return tuple(labels)


async def unlimit_coordinator(
    *, session: AsyncSession, by_telegram_id: int | None, who: str, now: dt.datetime
) -> PlanLimit:
    """Let a coordinator supervise every plan again, audited."""
    actor = await _unlimited(session, by_telegram_id)
    member = await _coordinator(session, who, actor)
    before = await _labels(session, member.id)
    if before:
        await session.execute(delete(PlanGrant).where(PlanGrant.member_id == member.id))
        audit.record(
            session,
            at=now,
            actor=actor,
            action="member.unlimit",
            entity="member",
            entity_id=member.id,
            before={"plans": before},
            after={"plans": []},
        )
    await session.commit()
    return PlanLimit(_language(actor), member.display_name, (), bool(before))


async def grant_imported(
    session: AsyncSession, *, actor: Actor, plan_code: str, now: dt.datetime
) -> None:
    """A limited coordinator's newly imported plan becomes one of theirs, audited."""
    if not actor.is_limited:
        return
    plan_id = await session.scalar(select(Plan.id).where(Plan.code == plan_code))
    if plan_id is None or actor.sees_plan(plan_id):
        return
    session.add(PlanGrant(member_id=actor.member_id, plan_id=plan_id, created_at=now))
    audit.record(
        session,
        at=now,
        actor=actor,
        action="member.limit",
        entity="member",
        entity_id=actor.member_id,
        plan_id=plan_id,
        after={"imported": plan_code},
    )
    await session.commit()


async def require_importable(session: AsyncSession, *, actor: Actor, plan_code: str) -> None:
    """Refuse a limited coordinator a revision of a plan they do not supervise."""
    plan_id = await session.scalar(select(Plan.id).where(Plan.code == plan_code))
    if plan_id is not None and not actor.sees_plan(plan_id):
        raise ForbiddenError("You do not supervise this plan.")


def _language(actor: Actor | None) -> str:
    """The actor's language; the shell's is English."""
    return actor.language if actor else "en"
