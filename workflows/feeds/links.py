"""Members' feed links: which calendars one may ask for, asking, listing, revoking, rotating."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import FeedScope
from db.models import Agency, Assignment, FeedToken, Task
from workflows.access import Actor, find_task, identify, require_coordinator
from workflows.agencies import find_agency
from workflows.errors import ForbiddenError, InvalidInputError, NotFoundError
from workflows.feeds.tokens import (
    FeedLinkView,
    IssuedLink,
    issue,
    link_view,
    no_plan_error,
    only_plan_id,
    record_link,
    revoke_row,
)
from workflows.live import live_task
from workflows.plans import choose_plan


@dataclass(frozen=True)
class CalendarChoices:
    """What /calendar offers a member: their default scope and, for coordinators, agencies."""

    language: str
    is_coordinator: bool
    plan_id: int | None
    agency_id: int | None
    agencies: tuple[tuple[int, str], ...]


async def calendar_choices(
    *, session: AsyncSession, telegram_id: int, plan_code: str | None = None
) -> CalendarChoices:
    """What /calendar offers: the plan (coordinators, with its agencies) or the own agency.

    A coordinator's choice is of one plan: with several and none named, PlanNeededError.
    """
    actor = await identify(session, telegram_id)
    plan_id = await only_plan_id(session)
    agencies: tuple[tuple[int, str], ...] = ()
    if actor.is_coordinator:
        plan = await choose_plan(session, plan_code, actor)
        plan_id = None if plan is None else plan.id
        live = select(Assignment.agency_id).join(Task).where(live_task())
        if plan_id is not None:
            live = live.where(Task.plan_id == plan_id)
        rows = await session.execute(
            select(Agency.id, Agency.name).where(Agency.id.in_(live)).order_by(Agency.name)
        )
        agencies = tuple((agency_id, name) for agency_id, name in rows)
    elif actor.agency_id is None:
        raise ForbiddenError("You are not a member of an agency.")
    await session.commit()
    return CalendarChoices(actor.language, actor.is_coordinator, plan_id, actor.agency_id, agencies)


async def _held(
    session: AsyncSession, actor: Actor, scope: FeedScope, **ids: int | None
) -> FeedToken | None:
    """The member's own active link to exactly this scope, if any."""
    query = select(FeedToken).where(
        FeedToken.created_by_id == actor.member_id,
        FeedToken.revoked_at.is_(None),
        FeedToken.scope == scope,
    )
    for name, value in ids.items():
        column = getattr(FeedToken, name)
        query = query.where(column.is_(None) if value is None else column == value)
    return await session.scalar(query.order_by(FeedToken.id.desc()).limit(1))


async def _scope_ids(
    session: AsyncSession,
    actor: Actor,
    scope: FeedScope,
    *,
    agency: str | None,
    agency_id: int | None,
    task_number: int | None,
    plan_code: str | None,
) -> dict[str, int | None]:
    """Check what a member may subscribe to and pin the scope's ids."""
    plan_id = await only_plan_id(session)
    if scope is FeedScope.PLAN:
        require_coordinator(actor)
        plan = await choose_plan(session, plan_code, actor)
        plan_id = None if plan is None else plan.id
        if plan_id is None:
            raise await no_plan_error(session)
        return {"plan_id": plan_id, "agency_id": None, "task_id": None, "member_id": None}
    if scope is FeedScope.AGENCY:
        if agency is not None:
            found = await find_agency(session, agency)
            if found is None:
                raise NotFoundError(
                    "There is no agency called “{name}”; /agencies lists them.", name=agency
                )
            agency_id = found.id
        agency_id = agency_id if agency_id is not None else actor.agency_id
        if agency_id is None or await session.get(Agency, agency_id) is None:
            raise NotFoundError(
                "There is no agency called “{name}”; /agencies lists them.", name=agency or ""
            )
        if not actor.is_coordinator and agency_id != actor.agency_id:
            raise ForbiddenError("You can only subscribe to your own agency's tasks.")
        if actor.is_limited:  # an agency's feed over every plan would show the others'
            plan = await choose_plan(session, plan_code, actor)
            plan_id = None if plan is None else plan.id
        return {"plan_id": plan_id, "agency_id": agency_id, "task_id": None, "member_id": None}
    if scope is FeedScope.TASK:
        if task_number is None:
            raise InvalidInputError("Name a task number.")
        task = await find_task(session, number=task_number, plan_code=plan_code, actor=actor)
        if not actor.is_coordinator and all(
            a.agency_id != actor.agency_id for a in task.assignments
        ):
            raise ForbiddenError(
                "Task {number} is not assigned to your agency.", number=task.number
            )
        return {"plan_id": task.plan_id, "agency_id": None, "task_id": task.id, "member_id": None}
    return {"plan_id": plan_id, "agency_id": None, "task_id": None, "member_id": actor.member_id}


async def request_link(
    *,
    session: AsyncSession,
    telegram_id: int,
    scope: FeedScope,
    now: dt.datetime,
    agency: str | None = None,
    agency_id: int | None = None,
    task_number: int | None = None,
    plan_code: str | None = None,
    renew: bool = False,
) -> IssuedLink:
    """A member's link to a scope: a new one, or (unless renewing) word of the one they hold."""
    actor = await identify(session, telegram_id)
    ids = await _scope_ids(
        session,
        actor,
        scope,
        agency=agency,
        agency_id=agency_id,
        task_number=task_number,
        plan_code=plan_code,
    )
    held = await _held(session, actor, scope, **ids)
    if held is not None and not renew:
        view = await link_view(session, held)
        await session.commit()
        return IssuedLink(view, None, existing=True)
    if held is not None:
        revoke_row(session, held, actor, now, action="feed.rotate")
    token, row = await issue(session, scope=scope, now=now, created_by_id=actor.member_id, **ids)
    record_link(session, row, actor, now, action="feed.issue")
    view = await link_view(session, row)
    await session.commit()
    return IssuedLink(view, token, existing=False)


def _may_manage(actor: Actor, row: FeedToken) -> bool:
    """Coordinators manage every link; others only those they made."""
    return actor.is_coordinator or row.created_by_id == actor.member_id


async def list_links(*, session: AsyncSession, telegram_id: int) -> tuple[str, list[FeedLinkView]]:
    """The member's language and the active links they may manage, oldest first."""
    actor = await identify(session, telegram_id)
    query = select(FeedToken).where(FeedToken.revoked_at.is_(None)).order_by(FeedToken.id)
    if not actor.is_coordinator:
        query = query.where(FeedToken.created_by_id == actor.member_id)
    views = [await link_view(session, row) for row in await session.scalars(query)]
    await session.commit()
    return actor.language, views


async def _managed(session: AsyncSession, actor: Actor, token_id: int) -> FeedToken:
    """An active link the member may manage; anything else is not found."""
    row = await session.get(FeedToken, token_id)
    if row is None or row.revoked_at is not None or not _may_manage(actor, row):
        raise NotFoundError("There is no active feed link {id}.", id=token_id)
    return row


async def revoke_link(
    *, session: AsyncSession, telegram_id: int, token_id: int, now: dt.datetime
) -> FeedLinkView:
    """Revoke a link; its calendar stops updating (the feed answers 404)."""
    actor = await identify(session, telegram_id)
    row = await _managed(session, actor, token_id)
    revoke_row(session, row, actor, now, action="feed.revoke")
    view = await link_view(session, row)
    await session.commit()
    return view


async def rotate_link(
    *, session: AsyncSession, telegram_id: int, token_id: int, now: dt.datetime
) -> IssuedLink:
    """Replace a link by a new one of the same scope; the old one stops working."""
    actor = await identify(session, telegram_id)
    row = await _managed(session, actor, token_id)
    revoke_row(session, row, actor, now, action="feed.rotate")
    token, new = await issue(
        session,
        scope=row.scope,
        now=now,
        plan_id=row.plan_id,
        agency_id=row.agency_id,
        task_id=row.task_id,
        member_id=row.member_id,
        created_by_id=row.created_by_id or actor.member_id,
    )
    record_link(session, new, actor, now, action="feed.issue")
    view = await link_view(session, new)
    await session.commit()
    return IssuedLink(view, token, existing=False)
