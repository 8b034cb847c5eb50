"""The weekly digest's schedule: a member's digest of a period, all their plans, queued once."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import MemberRole
from db.models import Member, Plan
from workflows.access import plan_limits, supervises
from workflows.checkins import DEFAULT_EVERY_DAYS
from workflows.digest.content import agency_digest, coordinator_digest
from workflows.digest.items import Loaded, period_date, period_moment
from workflows.digest.model import AGENCY_ROLES, WEEK, Digest, DigestPart
from workflows.digest.requests import plans_by_code, plans_of_agencies
from workflows.holiday_calendar import load_calendar
from workflows.outbox.marks import Mark, bearings, save_mark
from workflows.outbox.queue import enqueue, existing_keys
from workflows.workdays import QUIET_END, QUIET_START

DIGEST_KIND = "digest"
CHART_KIND = "digest-chart"
# A digest decided this long after its moment (downtime) is marked late.
LATE_AFTER = dt.timedelta(hours=1)

# Turns a member's digests (one per plan) into messages in a language, marked late or not.
PartsRenderer = Callable[[Sequence[Digest], str, bool], Sequence[DigestPart]]


Reading = tuple[int | None, str, tuple[int, ...]]  # audience (None: coordinators), language, plans


def digest_key(period: dt.date, member_id: int, part: str) -> str:
    """The idempotency key of one part ("part-1" …, "chart") of a member's digest of a period."""
    return f"{DIGEST_KIND}:{period.isoformat()}:{member_id}:{part}"


def plan_digest_key(plan_id: int, period: dt.date, member_id: int, part: str) -> str:
    """A part's key from when digests went one per plan; one queued blocks the new digest."""
    return f"{DIGEST_KIND}:{plan_id}:{period.isoformat()}:{member_id}:{part}"


async def _members(session: AsyncSession, *, joined_by: dt.datetime) -> list[Member]:
    """Active, reachable members who were registered by a moment."""
    return list(
        await session.scalars(
            select(Member)
            .where(
                Member.left_at.is_(None),
                Member.reachable.is_(True),
                Member.created_at <= joined_by,
            )
            .order_by(Member.id)
        )
    )


def _zone(plans: Sequence[Plan], fallback: str | None) -> str:
    """The timezone the week's moment is in: the plans' own when they share one."""
    zones = {p.timezone for p in plans}
    if len(zones) == 1:
        return zones.pop()
    return fallback or plans[0].timezone


async def plan_weekly_digests(
    session: AsyncSession,
    *,
    now: dt.datetime,
    weekday: int,
    at: dt.time,
    render: PartsRenderer,
    checkin_days: int = DEFAULT_EVERY_DAYS,
    quiet_start: dt.time = QUIET_START,
    quiet_end: dt.time = QUIET_END,
    timezone: str | None = None,
) -> int:
    """One sweep: queue each member's digest of the latest period once; returns parts queued.

    A member gets one digest a week with a section per plan they are on (coordinators: every
    plan in use; liaisons: their agency's), split only at Telegram's limits. The week's moment
    is in the plans' timezone, or in `timezone` (the bot's) when plans differ. Only the newest
    period is ever caught up (after downtime: once, late). A digest is composed and rendered
    when decided, so its parts never shift between sends; a coordinator of one plan also gets
    its chart, drawn when it is sent. Members who joined after the moment wait for the next
    period.
    """
    found = await bearings(session, DIGEST_KIND)
    since = found.mark.through if found.mark is not None else None
    zones = {*found.timezones, *([timezone] if timezone else [])}
    if (
        since is not None
        and since <= now
        and not found.changed
        and all(period_moment(now, weekday=weekday, at=at, timezone=z) <= since for z in zones)
    ):
        # No period began since the last sweep and nothing changed: nothing new to decide.
        await session.commit()
        return 0
    plans = await plans_by_code(session, None)
    if not plans:
        return 0
    zone = _zone(plans, timezone)
    moment = period_moment(now, weekday=weekday, at=at, timezone=zone)
    period = period_date(moment, zone)
    plans = [p for p in plans if p.created_at <= moment]
    members = await _members(session, joined_by=moment)
    agencies = {m.agency_id for m in members if m.role in AGENCY_ROLES and m.agency_id is not None}
    of_agency = await plans_of_agencies(session, agencies)
    limits = await plan_limits(session)
    wanted: list[tuple[Member, list[Plan]]] = []
    for m in members:
        if m.role is MemberRole.COORDINATOR:
            mine = [p for p in plans if supervises(limits, m.id, p.id)]
        elif m.role in AGENCY_ROLES and m.agency_id is not None:
            mine = [p for p in plans if p.id in of_agency.get(m.agency_id, set())]
        else:
            mine = []
        if mine:
            wanted.append((m, mine))
    existing = await existing_keys(session, [digest_key(period, m.id, "part-1") for m, _ in wanted])
    # Old per-plan keys matter only for members without this week's digest yet.
    existing |= await existing_keys(
        session,
        [
            plan_digest_key(p.id, period, m.id, "part-1")
            for m, mine in wanted
            if digest_key(period, m.id, "part-1") not in existing
            for p in mine
        ],
    )
    late = moment < now - LATE_AFTER
    hours = {"quiet_start": quiet_start, "quiet_end": quiet_end}
    calendar = await load_calendar(session)
    not_before = max(
        calendar.next_send_time(moment, timezone=zone, **hours),
        calendar.next_send_time(now, timezone=zone, **hours),
    )
    composed: dict[tuple[int | None, int], Digest] = {}
    loaded = Loaded()  # each plan's tasks and the silences, read once for every digest
    # The digest last rendered, and for whom (the plans count: limited coordinators differ).
    shown: Reading | None = None
    parts: Sequence[DigestPart] = ()
    queued = 0
    todo: list[tuple[Member, list[int]]] = []
    needed: dict[int, set[int | None]] = {}  # plan id → the audiences that read it
    for person, mine in wanted:
        keys = [digest_key(period, person.id, "part-1")]
        keys += [plan_digest_key(p.id, period, person.id, "part-1") for p in mine]
        if any(key in existing for key in keys):
            continue  # this week's digest is queued already (maybe one per plan, before)
        audience = None if person.role is MemberRole.COORDINATOR else person.agency_id
        for plan in mine:
            needed.setdefault(plan.id, set()).add(audience)
        todo.append((person, [p.id for p in mine]))
    # Plan by plan, every audience's digest of it; then its task graph is let go of.
    for plan_id, audiences in needed.items():
        for audience in audiences:
            composed[audience, plan_id] = await _compose(
                session,
                plan_id=plan_id,
                agency_id=audience,
                period=period,
                moment=moment,
                now=now,
                checkin_days=checkin_days,
                loaded=loaded,
            )
        loaded.forget(plan_id)  # the session keeps loaded rows weakly: they can go now
    # Members who read the same digest one after another: each rendering, and each audience's
    # composed digests, can go as soon as the last of them has been queued.
    todo.sort(key=lambda item: _order(_reading(*item)))
    for index, (member, plan_ids) in enumerate(todo):
        seen = _reading(member, plan_ids)
        audience = seen[0]
        if seen != shown:
            digests = [composed[audience, plan_id] for plan_id in plan_ids]
            shown, parts = seen, render(digests, member.language, late)
        following = todo[index + 1] if index + 1 < len(todo) else None
        if following is None or _reading(*following)[0] != audience:
            for done in [key for key in composed if key[0] == audience]:
                del composed[done]
        base: dict[str, Any] = {"period": period.isoformat(), "plan_ids": plan_ids}
        for index, part in enumerate(parts, start=1):
            payload = {
                **base,
                "part": index,
                "parts": len(parts),
                "text": part.text,
                "tasks": [list(t) for t in part.tasks],
            }
            if part.plans:
                payload["plans"] = list(part.plans)
            queued += await enqueue(
                session,
                key=digest_key(period, member.id, f"part-{index}"),
                kind=DIGEST_KIND,
                chat_id=member.telegram_id,
                member_id=member.id,
                payload=payload,
                now=now,
                not_before=not_before,
                late=late,
            )
        # One plan's chart; across several plans, none (the digest says /chart PLAN draws one).
        if audience is None and len(plan_ids) == 1:
            await enqueue(
                session,
                key=digest_key(period, member.id, "chart"),
                kind=CHART_KIND,
                chat_id=member.telegram_id,
                member_id=member.id,
                payload={**base, "plan_id": plan_ids[0]},
                now=now,
                not_before=not_before,
                late=late,
            )
    await save_mark(session, DIGEST_KIND, Mark(now, -1 if found.version is None else found.version))
    await session.commit()
    return queued


def _reading(member: Member, plan_ids: list[int]) -> Reading:
    """What a member's digest is made of: its audience (None: coordinators), language, plans."""
    audience = None if member.role is MemberRole.COORDINATOR else member.agency_id
    return audience, member.language, tuple(plan_ids)


def _order(reading: Reading) -> tuple[bool, int, str, tuple[int, ...]]:
    """A reading as something to sort by (coordinators, whose audience is None, last)."""
    audience, language, plan_ids = reading
    return audience is None, audience or 0, language, plan_ids


async def _compose(
    session: AsyncSession,
    *,
    plan_id: int,
    agency_id: int | None,
    period: dt.date,
    moment: dt.datetime,
    now: dt.datetime,
    checkin_days: int,
    loaded: Loaded,
) -> Digest:
    """The coordinators' digest of a plan (agency None), or an agency's."""
    if agency_id is None:
        return await coordinator_digest(
            session,
            plan_id=plan_id,
            period=period,
            since=moment - WEEK,
            until=moment,
            now=now,
            checkin_days=checkin_days,
            loaded=loaded,
        )
    return await agency_digest(
        session,
        plan_id=plan_id,
        agency_id=agency_id,
        period=period,
        now=now,
        checkin_days=checkin_days,
        loaded=loaded,
    )
