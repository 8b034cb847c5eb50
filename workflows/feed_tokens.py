"""Feed links: unguessable, scoped, revocable tokens of which the database keeps only a hash.

A link can be shown only once, when it is made. Asking again for a scope one already holds
a link to does not pile up links: the member is told and may renew it (the old one stops).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import FeedScope
from db.models import Agency, Assignment, FeedToken, Member, Plan, Task
from workflows import audit
from workflows.access import Actor, find_task, identify, require_coordinator
from workflows.agencies import find_agency
from workflows.errors import ForbiddenError, InvalidInputError, NotFoundError
from workflows.feeds import FeedSource

TOKEN_BYTES = 24  # 192 random bits
TOKEN_LENGTH = 32  # what token_urlsafe(24) gives; anything else is refused before hashing


@dataclass(frozen=True)
class FeedLinkView:
    """An active feed link, without its secret."""

    token_id: int
    scope: FeedScope
    label: str
    plan: str | None
    agency: str | None
    task_number: int | None
    created_at: dt.datetime
    created_by: str | None


@dataclass(frozen=True)
class IssuedLink:
    """A link just made (token set, shown once), or the one the member already holds."""

    view: FeedLinkView
    token: str | None
    existing: bool


@dataclass(frozen=True)
class CalendarChoices:
    """What /calendar offers a member: their default scope and, for coordinators, agencies."""

    language: str
    is_coordinator: bool
    plan_id: int | None
    agency_id: int | None
    agencies: tuple[tuple[int, str], ...]


def new_token() -> str:
    """A fresh token: 192 random bits, URL-safe."""
    return secrets.token_urlsafe(TOKEN_BYTES)


def hash_token(token: str) -> str:
    """The stored form of a token."""
    return hashlib.sha256(token.encode()).hexdigest()


def _label(scope: FeedScope, plan: Plan | None, agency: Agency | None, task: Task | None) -> str:
    """A short name for a link: what it covers."""
    if scope is FeedScope.TASK and task is not None:
        return f"{task.plan.code}/{task.number}"
    if scope is FeedScope.AGENCY and agency is not None:
        return agency.name
    return plan.code if plan is not None else str(scope)


async def _view(session: AsyncSession, row: FeedToken) -> FeedLinkView:
    """A token row as a view."""
    plan = await session.get(Plan, row.plan_id) if row.plan_id else None
    agency = await session.get(Agency, row.agency_id) if row.agency_id else None
    task = await session.get(Task, row.task_id) if row.task_id else None
    creator = await session.get(Member, row.created_by_id) if row.created_by_id else None
    return FeedLinkView(
        token_id=row.id,
        scope=row.scope,
        label=row.label,
        plan=plan.code if plan else None,
        agency=agency.name if agency else None,
        task_number=task.number if task else None,
        created_at=row.created_at,
        created_by=creator.display_name if creator else None,
    )


async def _no_plan(session: AsyncSession) -> NotFoundError:
    """The error for a plan that was not named: none exists, or several do."""
    if await session.scalar(select(Plan.id).limit(1)) is None:
        return NotFoundError("There is no plan yet.")
    return NotFoundError("There are several plans; name one.")


async def _only_plan_id(session: AsyncSession) -> int | None:
    """The id of the one plan, or None when there are none or several."""
    ids = (await session.scalars(select(Plan.id).limit(2))).all()
    return ids[0] if len(ids) == 1 else None


async def issue(
    session: AsyncSession,
    *,
    scope: FeedScope,
    now: dt.datetime,
    plan_id: int | None = None,
    agency_id: int | None = None,
    task_id: int | None = None,
    member_id: int | None = None,
    created_by_id: int | None = None,
) -> tuple[str, FeedToken]:
    """Add a token row for a scope (flushed, not committed) and return the token with it."""
    plan = await session.get(Plan, plan_id) if plan_id else None
    agency = await session.get(Agency, agency_id) if agency_id else None
    task = await session.get(Task, task_id) if task_id else None
    if task is not None:
        await session.refresh(task, ["plan"])
    token = new_token()
    row = FeedToken(
        token_hash=hash_token(token),
        scope=scope,
        plan_id=plan_id,
        agency_id=agency_id,
        task_id=task_id,
        member_id=member_id,
        label=_label(scope, plan, agency, task),
        created_by_id=created_by_id,
        created_at=now,
        revoked_at=None,
    )
    session.add(row)
    await session.flush()
    return token, row


async def resolve(session: AsyncSession, token: str) -> FeedSource | None:
    """What an active token opens, or None for anything unknown, malformed or revoked."""
    if len(token) != TOKEN_LENGTH:
        return None
    wanted = hash_token(token)
    row = await session.scalar(select(FeedToken).where(FeedToken.token_hash == wanted))
    # The lookup is by hash, so timing tells nothing of the token; compare anyway.
    if row is None or not hmac.compare_digest(row.token_hash, wanted) or row.revoked_at:
        return None
    return FeedSource(
        scope=row.scope,
        plan_id=row.plan_id,
        agency_id=row.agency_id,
        task_id=row.task_id,
        member_id=row.member_id,
    )


async def calendar_choices(*, session: AsyncSession, telegram_id: int) -> CalendarChoices:
    """What /calendar offers: the plan (coordinators, with its agencies) or the own agency."""
    actor = await identify(session, telegram_id)
    plan_id = await _only_plan_id(session)
    agencies: tuple[tuple[int, str], ...] = ()
    if actor.is_coordinator:
        live = select(Assignment.agency_id).join(Task).where(Task.removed_at.is_(None))
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
    plan_id = await _only_plan_id(session)
    if scope is FeedScope.PLAN:
        require_coordinator(actor)
        if plan_code is not None:
            plan = await session.scalar(select(Plan).where(Plan.code == plan_code))
            if plan is None:
                raise NotFoundError("There is no plan called “{code}”.", code=plan_code)
            plan_id = plan.id
        if plan_id is None:
            raise await _no_plan(session)
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
        return {"plan_id": plan_id, "agency_id": agency_id, "task_id": None, "member_id": None}
    if scope is FeedScope.TASK:
        if task_number is None:
            raise InvalidInputError("Name a task number.")
        task = await find_task(session, number=task_number, plan_code=plan_code)
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
        view = await _view(session, held)
        await session.commit()
        return IssuedLink(view, None, existing=True)
    if held is not None:
        _revoke(session, held, actor, now, action="feed.rotate")
    token, row = await issue(session, scope=scope, now=now, created_by_id=actor.member_id, **ids)
    _record(session, row, actor, now, action="feed.issue")
    view = await _view(session, row)
    await session.commit()
    return IssuedLink(view, token, existing=False)


def _record(
    session: AsyncSession, row: FeedToken, actor: Actor, now: dt.datetime, *, action: str
) -> None:
    """An audit event for a link (never its token)."""
    audit.record(
        session,
        at=now,
        actor=actor,
        action=action,
        entity="feed_token",
        entity_id=row.id,
        plan_id=row.plan_id,
        before=None,
        after={"scope": str(row.scope), "label": row.label},
    )


def _revoke(
    session: AsyncSession, row: FeedToken, actor: Actor, now: dt.datetime, *, action: str
) -> None:
    """Mark a link revoked, audited."""
    row.revoked_at = now
    _record(session, row, actor, now, action=action)


def _may_manage(actor: Actor, row: FeedToken) -> bool:
    """Coordinators manage every link; others only those they made."""
    return actor.is_coordinator or row.created_by_id == actor.member_id


async def list_links(*, session: AsyncSession, telegram_id: int) -> tuple[str, list[FeedLinkView]]:
    """The member's language and the active links they may manage, oldest first."""
    actor = await identify(session, telegram_id)
    query = select(FeedToken).where(FeedToken.revoked_at.is_(None)).order_by(FeedToken.id)
    if not actor.is_coordinator:
        query = query.where(FeedToken.created_by_id == actor.member_id)
    views = [await _view(session, row) for row in await session.scalars(query)]
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
    _revoke(session, row, actor, now, action="feed.revoke")
    view = await _view(session, row)
    await session.commit()
    return view


async def rotate_link(
    *, session: AsyncSession, telegram_id: int, token_id: int, now: dt.datetime
) -> IssuedLink:
    """Replace a link by a new one of the same scope; the old one stops working."""
    actor = await identify(session, telegram_id)
    row = await _managed(session, actor, token_id)
    _revoke(session, row, actor, now, action="feed.rotate")
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
    _record(session, new, actor, now, action="feed.issue")
    view = await _view(session, new)
    await session.commit()
    return IssuedLink(view, token, existing=False)


async def create_link(
    *,
    session: AsyncSession,
    scope: FeedScope,
    now: dt.datetime,
    plan_code: str | None = None,
    agency: str | None = None,
) -> tuple[str, FeedLinkView]:
    """A link made from the command line (no member): the plan's, or an agency's."""
    plan_id = await _only_plan_id(session)
    if plan_code is not None:
        plan = await session.scalar(select(Plan).where(Plan.code == plan_code))
        if plan is None:
            raise NotFoundError("There is no plan called “{code}”.", code=plan_code)
        plan_id = plan.id
    agency_id = None
    if agency is not None:
        found = await find_agency(session, agency)
        if found is None:
            raise NotFoundError(
                "There is no agency called “{name}”; /agencies lists them.", name=agency
            )
        agency_id = found.id
    if scope is FeedScope.PLAN and plan_id is None:
        raise await _no_plan(session)
    token, row = await issue(session, scope=scope, now=now, plan_id=plan_id, agency_id=agency_id)
    view = await _view(session, row)
    await session.commit()
    return token, view
