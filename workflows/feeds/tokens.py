"""Feed links: unguessable tokens kept as hashes, issued, resolved and revoked."""

from __future__ import annotations

import datetime as dt
import enum
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import Any, NamedTuple

from sqlalchemy import Row, Select, bindparam, or_, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession
from sqlalchemy.orm import aliased

from db.enums import FeedScope, MemberRole
from db.models import Agency, Assignment, FeedToken, Member, Plan, Task
from workflows import audit
from workflows.access import Actor
from workflows.agencies import find_agency
from workflows.errors import NotFoundError
from workflows.feeds.model import FeedSource, Reader
from workflows.feeds.selection import data_version
from workflows.live import two_live_plans
from workflows.plans import plan_label

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
    return plan_label(plan) if plan is not None else str(scope)


async def link_view(session: AsyncSession, row: FeedToken) -> FeedLinkView:
    """A token row as a view."""
    plan = await session.get(Plan, row.plan_id) if row.plan_id else None
    agency = await session.get(Agency, row.agency_id) if row.agency_id else None
    task = await session.get(Task, row.task_id) if row.task_id else None
    creator = await session.get(Member, row.created_by_id) if row.created_by_id else None
    return FeedLinkView(
        token_id=row.id,
        scope=row.scope,
        # A plan's link by its document number, links made when it showed the code too.
        label=plan_label(plan) if plan and row.scope is FeedScope.PLAN else row.label,
        plan=plan.code if plan else None,
        agency=agency.name if agency else None,
        task_number=task.number if task else None,
        created_at=row.created_at,
        created_by=creator.display_name if creator else None,
    )


async def no_plan_error(session: AsyncSession) -> NotFoundError:
    """The error for a plan that was not named: none exists, or several do."""
    if await session.scalar(select(Plan.id).limit(1)) is None:
        return NotFoundError("There is no plan yet.")
    return NotFoundError("There are several plans; name one.")


async def only_plan_id(session: AsyncSession) -> int | None:
    """The id of the one plan, or None when there are none or several."""
    plans = await two_live_plans(session)
    return plans[0].id if len(plans) == 1 else None


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


class TokenState(enum.Enum):
    """A presented token: a live link, a dead one (revoked, or its holder gone), or none."""

    LIVE = "live"
    DEAD = "dead"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class TokenLookup:
    """A presented token's state, what it opens, when it was revoked, the data's version."""

    state: TokenState
    source: FeedSource | None = None
    dead_since: dt.datetime | None = None
    version: int | None = None


def _with_holders() -> Select[FeedToken, Member, Member, bool]:
    """Token rows with their maker, their member and whether the maker's agency is on the task."""
    creator, owner = aliased(Member), aliased(Member)
    assigned = (
        select(Assignment.id)
        .where(Assignment.task_id == FeedToken.task_id, Assignment.agency_id == creator.agency_id)
        .exists()
    )
    return (
        select(FeedToken, creator, owner, assigned)
        .outerjoin(creator, creator.id == FeedToken.created_by_id)
        .outerjoin(owner, owner.id == FeedToken.member_id)
    )


class _Holder(NamedTuple):
    """What a link's validity reads of a member: whether they left, their role and agency."""

    left_at: dt.datetime | None
    role: MemberRole
    agency_id: int | None


def _holder(member: Member | None) -> _Holder | None:
    """A member row as a link's validity reads it."""
    return None if member is None else _Holder(member.left_at, member.role, member.agency_id)


def _reader(
    row: FeedToken | Row[Any], creator: _Holder | None, owner: _Holder | None, assigned: bool
) -> Reader | None:
    """Whose eyes the link's feed is for, or None when its holder could no longer ask for it."""
    # A link lives while its holder could still ask for it in the chat: the member who made it
    # has not left, a plan link's maker is still a coordinator, a liaison's agency link is still
    # their agency, a liaison's task link is on a task their agency is still assigned to. Links
    # made on the command line (no member) are the operator's: plan and agency links only.
    if row.created_by_id is not None and (creator is None or creator.left_at is not None):
        return None
    coordinator = creator is None or creator.role is MemberRole.COORDINATOR
    if row.scope is FeedScope.PLAN:
        return Reader(coordinator=True) if coordinator else None
    if row.scope is FeedScope.AGENCY:
        if creator is not None and not coordinator and creator.agency_id != row.agency_id:
            return None
        return Reader(agency_id=row.agency_id)
    if row.scope is FeedScope.TASK:
        if creator is None:
            return None
        if coordinator:
            return Reader(coordinator=True)
        return Reader(agency_id=creator.agency_id) if assigned else None
    if owner is None or owner.left_at is not None:
        return None
    if owner.role is MemberRole.COORDINATOR:
        return Reader(coordinator=True)
    return Reader(agency_id=owner.agency_id) if owner.agency_id is not None else None


def _lookup_query() -> Select[*tuple[Any, ...]]:
    """A token's row, its holders and the data version, as plain columns (no ORM objects)."""
    creator, owner = aliased(Member), aliased(Member)
    assigned = (
        select(Assignment.id)
        .where(Assignment.task_id == FeedToken.task_id, Assignment.agency_id == creator.agency_id)
        .exists()
    )
    return (
        select(
            FeedToken.token_hash,
            FeedToken.scope,
            FeedToken.plan_id,
            FeedToken.agency_id,
            FeedToken.task_id,
            FeedToken.member_id,
            FeedToken.created_by_id,
            FeedToken.revoked_at,
            creator.id.label("creator_id"),
            creator.left_at.label("creator_left_at"),
            creator.role.label("creator_role"),
            creator.agency_id.label("creator_agency_id"),
            owner.id.label("owner_id"),
            owner.left_at.label("owner_left_at"),
            owner.role.label("owner_role"),
            owner.agency_id.label("owner_agency_id"),
            assigned.label("assigned"),
            data_version().label("version"),
        )
        .outerjoin(creator, creator.id == FeedToken.created_by_id)
        .outerjoin(owner, owner.id == FeedToken.member_id)
        .where(FeedToken.token_hash == bindparam("token_hash"))
    )


# Built once: building it (aliases, subqueries) costs more than running it.
# One statement a request, read through the connection: a 304 should cost that read alone.
_LOOKUP = _lookup_query()


async def lookup(session: AsyncSession | AsyncConnection, token: str) -> TokenLookup:
    """A presented token: live (with what it opens and for whom), dead, or unknown.

    It reads one row; a connection will do, so a feed's 304 needs no session.
    """
    if len(token) != TOKEN_LENGTH:
        return TokenLookup(TokenState.UNKNOWN)
    wanted = hash_token(token)
    if isinstance(session, AsyncSession):
        if session.new or session.deleted or session.dirty:
            await session.flush()  # the connection does not autoflush as the session would
        connection = await session.connection()
    else:
        connection = session
    row = (await connection.execute(_LOOKUP, {"token_hash": wanted})).first()
    # The lookup is by hash, so timing tells nothing of the token; compare anyway.
    if row is None or not hmac.compare_digest(row.token_hash, wanted):
        return TokenLookup(TokenState.UNKNOWN)
    if row.revoked_at is not None:
        return TokenLookup(TokenState.DEAD, dead_since=row.revoked_at)
    creator = (
        None
        if row.creator_id is None
        else _Holder(row.creator_left_at, row.creator_role, row.creator_agency_id)
    )
    owner = (
        None
        if row.owner_id is None
        else _Holder(row.owner_left_at, row.owner_role, row.owner_agency_id)
    )
    reader = _reader(row, creator, owner, bool(row.assigned))
    if reader is None:
        return TokenLookup(TokenState.DEAD)
    source = FeedSource(
        scope=row.scope,
        plan_id=row.plan_id,
        agency_id=row.agency_id,
        task_id=row.task_id,
        member_id=row.member_id,
        reader=reader,
    )
    return TokenLookup(TokenState.LIVE, source, version=row.version)


async def resolve(session: AsyncSession, token: str) -> FeedSource | None:
    """What a live token opens, or None for anything unknown, malformed, revoked or orphaned."""
    return (await lookup(session, token)).source


async def revoke_links_depending_on(
    session: AsyncSession,
    *,
    member_id: int | None = None,
    agency_id: int | None = None,
    task_id: int | None = None,
    now: dt.datetime,
    actor: Actor | None = None,
) -> list[FeedLinkView]:
    """Revoke the active links touching these ids whose holder could no longer ask for them."""
    # Call it after the change (a member left or moved, an agency unassigned or removed):
    # member_id looks at links the member made or that are theirs, agency_id at the agency's
    # links and those its members made, task_id at the task's links. A link still rightfully
    # held stays. It flushes first, so the change is seen; it adds and flushes; the caller
    # commits.
    touching = []
    if member_id is not None:
        touching.append(or_(FeedToken.created_by_id == member_id, FeedToken.member_id == member_id))
    if agency_id is not None:
        members = select(Member.id).where(Member.agency_id == agency_id)
        touching.append(or_(FeedToken.agency_id == agency_id, FeedToken.created_by_id.in_(members)))
    if task_id is not None:
        touching.append(FeedToken.task_id == task_id)
    if not touching:
        return []
    await session.flush()
    rows = await session.execute(
        _with_holders().where(FeedToken.revoked_at.is_(None), or_(*touching)).order_by(FeedToken.id)
    )
    revoked: list[FeedLinkView] = []
    for row, creator, owner, assigned in rows.all():
        if _reader(row, _holder(creator), _holder(owner), assigned) is None:
            revoke_row(session, row, actor, now, action="feed.revoke_orphan")
            revoked.append(await link_view(session, row))
    await session.flush()
    return revoked


def record_link(
    session: AsyncSession, row: FeedToken, actor: Actor | None, now: dt.datetime, *, action: str
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


def revoke_row(
    session: AsyncSession, row: FeedToken, actor: Actor | None, now: dt.datetime, *, action: str
) -> None:
    """Mark a link revoked, audited."""
    row.revoked_at = now
    record_link(session, row, actor, now, action=action)


async def create_link(
    *,
    session: AsyncSession,
    scope: FeedScope,
    now: dt.datetime,
    plan_code: str | None = None,
    agency: str | None = None,
) -> tuple[str, FeedLinkView]:
    """A link made from the command line (no member): the plan's, or an agency's."""
    plan_id = await only_plan_id(session)
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
        raise await no_plan_error(session)
    token, row = await issue(session, scope=scope, now=now, plan_id=plan_id, agency_id=agency_id)
    view = await link_view(session, row)
    await session.commit()
    return token, view
