"""Coordinators limited to some plans: who may set the limits, and what a limited one is sent."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from db.enums import FeedScope
from db.models import AuditEvent, Delivery, Member, Plan
from tests.kit.cast import cast, coordinator
from tests.kit.reports import BOSS, BOSS2, LEAD, NOW, Sessions, setup
from tests.workflows import test_acknowledgements as acks
from tests.workflows import test_escalations as escalations
from workflows.access import identify
from workflows.errors import ConflictError, ForbiddenError, NotFoundError
from workflows.exports import build_export, member_export_target
from workflows.extensions import EXTENSION_REQUEST, request_extension
from workflows.feeds.calendar import build_feed
from workflows.feeds.links import request_link
from workflows.feeds.model import FeedOptions
from workflows.feeds.tokens import resolve
from workflows.importing.by_member import import_confirmed, preview_import
from workflows.importing.model import DocumentInfo
from workflows.importing.service import bundled_annex, import_annex
from workflows.plan_grants import limit_coordinator, unlimit_coordinator
from workflows.plans import archive_plan
from workflows.reports import save_report
from workflows.review import REVIEW_REQUEST

B = "gf-2019-3"


async def _two_plans(sessions: Sessions) -> None:
    """The report tests' cast on the bundled plan, and plan B: the same annex, another number."""
    await setup(sessions)
    async with sessions() as session:
        await import_annex(
            session=session,
            data=bundled_annex("gf-2015-5"),
            now=NOW,
            timezone="Asia/Shanghai",
            plan_code=B,
            document=DocumentInfo(number="国发〔2019〕3号", title="国务院关于优化营商环境的意见"),
        )


async def _limit_boss2_to_b(sessions: Sessions) -> None:
    """BOSS2 supervises plan B only, as BOSS decides."""
    async with sessions() as session:
        await limit_coordinator(
            session=session, by_telegram_id=BOSS, who=str(BOSS2), plans=[B], now=NOW
        )


async def _task(sessions: Sessions, code: str, number: int) -> int:
    """A task's id in a plan."""
    async with sessions() as session:
        plan = await session.scalar(select(Plan).where(Plan.code == code))
        assert plan is not None
        await session.refresh(plan, ["tasks"])
        return next(task.id for task in plan.tasks if task.number == number)


async def test_limits_are_set_and_lifted_by_an_unlimited_coordinator_audited(
    session_factory: Sessions,
) -> None:
    """BOSS limits BOSS2 to plan B by its document number and lifts it; each change audited."""
    await _two_plans(session_factory)
    async with session_factory() as session:
        done = await limit_coordinator(
            session=session, by_telegram_id=BOSS, who=str(BOSS2), plans=["国发〔2019〕3号"], now=NOW
        )
    assert (done.plans, done.changed, done.language) == (
        ("国发〔2019〕3号 (gf-2019-3)",),
        True,
        "zh",
    )
    async with session_factory() as session:
        limited = await identify(session, BOSS2)
        plan_b = await session.scalar(select(Plan.id).where(Plan.code == B))
        assert limited.plan_ids == frozenset({plan_b})
        assert (await identify(session, BOSS)).plan_ids is None
    async with session_factory() as session:
        lifted = await unlimit_coordinator(
            session=session, by_telegram_id=BOSS, who=str(BOSS2), now=NOW
        )
    assert (lifted.plans, lifted.changed) == ((), True)
    async with session_factory() as session:
        assert (await identify(session, BOSS2)).plan_ids is None
        events = (
            await session.execute(
                select(AuditEvent.action, AuditEvent.actor, AuditEvent.before, AuditEvent.after)
                .where(AuditEvent.action.like("member.%limit"))
                .order_by(AuditEvent.id)
            )
        ).all()
        boss = await session.scalar(select(Member.id).where(Member.telegram_id == BOSS))
    plans = ["国发〔2019〕3号 (gf-2019-3)"]
    assert [tuple(event) for event in events] == [
        ("member.limit", f"member:{boss}", {"plans": []}, {"plans": plans}),
        ("member.unlimit", f"member:{boss}", {"plans": plans}, {"plans": []}),
    ]


async def test_only_an_unlimited_coordinator_limits_another_coordinator(
    session_factory: Sessions,
) -> None:
    """A limited coordinator cannot widen anyone's reach; nobody limits themself or a liaison."""
    await _two_plans(session_factory)
    await _limit_boss2_to_b(session_factory)
    async with session_factory() as session:
        with pytest.raises(ForbiddenError, match="supervises every plan"):
            await unlimit_coordinator(
                session=session, by_telegram_id=BOSS2, who=str(BOSS2), now=NOW
            )
    async with session_factory() as session:
        with pytest.raises(ConflictError, match="your own limits"):
            await limit_coordinator(
                session=session, by_telegram_id=BOSS, who=str(BOSS), plans=[B], now=NOW
            )
    async with session_factory() as session:
        with pytest.raises(ConflictError, match="not a coordinator"):
            await limit_coordinator(
                session=session, by_telegram_id=BOSS, who=str(LEAD), plans=[B], now=NOW
            )
    async with session_factory() as session:
        with pytest.raises(NotFoundError, match="No plan matches"):
            await limit_coordinator(
                session=session, by_telegram_id=BOSS, who=str(BOSS2), plans=["gf-1999-1"], now=NOW
            )


async def test_review_and_extension_requests_go_to_the_plans_coordinators(
    session_factory: Sessions,
) -> None:
    """Task 3 of gf-2015-5 done, and an extension asked: BOSS is asked, BOSS2 (plan B) is not."""
    await _two_plans(session_factory)
    await _limit_boss2_to_b(session_factory)
    task_a = await _task(session_factory, "gf-2015-5", 3)
    async with session_factory() as session:
        await request_extension(
            session,
            telegram_id=LEAD,
            task_id=task_a,
            date_text="2018-06-30",
            reason="调研",
            now=NOW,
        )
    async with session_factory() as session:
        await save_report(
            session, telegram_id=LEAD, task_id=task_a, status="done", percent=100, token=0, now=NOW
        )
    async with session_factory() as session:
        sent = (
            await session.execute(
                select(Delivery.kind, Delivery.chat_id).where(
                    Delivery.kind.in_([EXTENSION_REQUEST, REVIEW_REQUEST])
                )
            )
        ).all()
    assert sorted(sent) == [(EXTENSION_REQUEST, BOSS), (REVIEW_REQUEST, BOSS)]


async def test_a_limited_coordinators_feed_and_export_hold_only_their_plans(
    session_factory: Sessions,
) -> None:
    """BOSS2's own calendar and an agency's export over every plan: plan B's tasks only."""
    await _two_plans(session_factory)
    await _limit_boss2_to_b(session_factory)
    async with session_factory() as session:
        issued = await request_link(
            session=session, telegram_id=BOSS2, scope=FeedScope.MEMBER, now=NOW
        )
    assert issued.token is not None
    async with session_factory() as session:
        source = await resolve(session, issued.token)
        assert source is not None
        feed = await build_feed(
            session, source, options=FeedOptions(uid_domain="example.org"), now=NOW
        )
    body = feed.body.decode()
    assert "gf-2019-3" in body
    assert "gf-2015-5" not in body
    async with session_factory() as session:
        target = await member_export_target(session=session, telegram_id=BOSS2, agency="科技部")
        data = await build_export(session=session, target=target, now=NOW)
    assert {row.plan for row in data.matrix} == {B}
    assert {row.plan for row in data.history} <= {B}
    async with session_factory() as session:
        target = await member_export_target(session=session, telegram_id=BOSS, agency="科技部")
        data = await build_export(session=session, target=target, now=NOW)
    assert {row.plan for row in data.matrix} == {B, "gf-2015-5"}


async def test_a_limited_coordinator_imports_a_new_plan_as_theirs_but_revises_none_other(
    session_factory: Sessions,
) -> None:
    """A new plan becomes one of BOSS2's (audited); revising gf-2015-5 is refused."""
    await _two_plans(session_factory)
    await _limit_boss2_to_b(session_factory)
    annex = bundled_annex("gf-2015-5")
    async with session_factory() as session:
        with pytest.raises(ForbiddenError, match="do not supervise"):
            await preview_import(
                session=session,
                telegram_id=BOSS2,
                data=annex,
                filename=None,
                plan_code=None,  # read from the document: 国发〔2015〕5号 is gf-2015-5
                now=NOW,
                timezone="Asia/Shanghai",
            )
    async with session_factory() as session:
        with pytest.raises(ForbiddenError, match="do not supervise"):
            await import_confirmed(
                session=session,
                telegram_id=BOSS2,
                data=annex,
                filename=None,
                plan_code="gf-2015-5",
                now=NOW,
                timezone="Asia/Shanghai",
            )
    async with session_factory() as session:
        imported = await import_confirmed(
            session=session,
            telegram_id=BOSS2,
            data=annex,
            filename=None,
            plan_code="zj-2020-1",
            now=NOW,
            timezone="Asia/Shanghai",
        )
    assert imported.applied
    async with session_factory() as session:
        codes = await session.scalars(
            select(Plan.code)
            .where(Plan.id.in_((await identify(session, BOSS2)).plan_ids or ()))
            .order_by(Plan.code)
        )
        assert list(codes) == [B, "zj-2020-1"]
        granted = await session.scalar(
            select(AuditEvent.after)
            .where(AuditEvent.action == "member.limit")
            .order_by(AuditEvent.id.desc())
        )
    assert granted == {"imported": "zj-2020-1"}


async def test_a_coordinator_limited_to_another_plan_hears_of_no_overdue_task_here(
    session_factory: Sessions,
) -> None:
    """Task 12 overdue: BOSS_1 is told on the third working day; BOSS_2, limited to B, is not."""
    await escalations.setup(session_factory, dt.date(2016, 3, 8), deputy=False)
    async with session_factory() as session:
        await import_annex(
            session=session,
            data=bundled_annex("gf-2015-5"),
            now=escalations.IMPORTED,
            timezone="Asia/Shanghai",
            plan_code=B,
        )
    async with session_factory() as session:
        await limit_coordinator(
            session=session,
            by_telegram_id=None,
            who=str(escalations.BOSS_2),
            plans=[B],
            now=escalations.IMPORTED,
        )
    async with session_factory() as session:  # archived, so plan B itself sends nothing
        await archive_plan(
            session, telegram_id=None, typed=B, now=escalations.IMPORTED, carry_over=True
        )
    await escalations.walk(session_factory, dt.date(2016, 3, 7), dt.date(2016, 3, 18))
    told = [
        (who, day)
        for kind, who, day, _, _ in await escalations.sent(session_factory)
        if kind == escalations.ESCALATION_KIND
    ]
    assert told == [(escalations.BOSS_1, dt.date(2016, 3, 11))]


async def test_a_coordinator_limited_to_another_plan_hears_of_no_unsigned_task_here(
    session_factory: Sessions,
) -> None:
    """Task 12 unsigned: BOSS is told on 8 Mar; a coordinator limited to plan B is not."""
    await acks.setup(session_factory)
    async with session_factory() as session:
        await import_annex(
            session=session,
            data=bundled_annex("gf-2015-5"),
            now=acks.IMPORTED,
            timezone="Asia/Shanghai",
            plan_code=B,
        )
    limited = 901
    await cast(session_factory, coordinator(limited), now=acks.IMPORTED, plan=None)
    async with session_factory() as session:  # archived, so plan B itself sends nothing
        await archive_plan(session, telegram_id=None, typed=B, now=acks.IMPORTED, carry_over=True)
    async with session_factory() as session:  # an archived plan can be granted too
        await limit_coordinator(
            session=session, by_telegram_id=None, who=str(limited), plans=[B], now=acks.IMPORTED
        )
    await acks.walk(session_factory, dt.date(2016, 3, 1), dt.date(2016, 3, 10))
    told = [
        (who, day)
        for kind, who, day, _, _ in await acks.sent(session_factory)
        if kind == acks.ACK_ESCALATION_KIND
    ]
    assert told == [(acks.BOSS, dt.date(2016, 3, 8))] * 2  # the lead's and the co-unit's
