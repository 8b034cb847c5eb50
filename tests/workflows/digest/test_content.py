"""The digest's content for a fixed plan and week: coordinators', an agency's, and the period."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import MemberRole
from db.models import Delivery, Member, Plan
from tests.kit.beijing import TZ, beijing
from tests.kit.cast import Sessions, agency_id, cast, liaison, task_id
from tests.kit.digest_week import ANNEX, BOSS, IMPORTED, MOMENT, MOST, NDRC, build_plan
from workflows.digest.content import agency_digest, coordinator_digest
from workflows.digest.items import period_moment
from workflows.digest.model import (
    WEEK,
    ChangeItem,
    CoordinatorDigest,
    DatedItem,
    Digest,
    DigestPart,
    ExtensionItem,
    FinishedItem,
    SilentUnit,
    Totals,
    WaitingItem,
)
from workflows.digest.schedule import plan_digest_key, plan_weekly_digests
from workflows.importing.model import DocumentInfo
from workflows.importing.service import bundled_annex, import_annex
from workflows.lights import Light
from workflows.outbox.queue import enqueue
from workflows.plans import archive_plan

MOF = 103  # a liaison of 财政部


def select_plan_id() -> Select[tuple[int]]:
    """The demo plan's id."""
    return select(Plan.id).where(Plan.code == "demo")


async def test_the_coordinators_digest_of_a_week(session_factory: Sessions) -> None:
    """Totals, finished, overdue, coming up, silent, decisions and changes of the week."""
    await build_plan(session_factory)
    async with session_factory() as session:
        ids = {n: await task_id(session, n) for n in range(1, 6)}
        plan_id = await session.scalar(select_plan_id())
        assert plan_id is not None
        digest = await coordinator_digest(
            session,
            plan_id=plan_id,
            period=dt.date(2016, 3, 7),
            since=MOMENT - WEEK,
            until=MOMENT,
            now=MOMENT,
        )
    assert digest.plan_code == "demo"
    assert digest.totals == Totals(red=1, yellow=0, green=2, done=1, closed=1)
    assert digest.finished == (
        FinishedItem(
            ids[4], 4, "持续推进工作。", "closed", "科技部", "Ministry of Science and Technology"
        ),
        FinishedItem(
            ids[5],
            5,
            "编制指南。",
            "done",
            "发展改革委",
            "National Development and Reform Commission",
        ),
    )
    assert digest.overdue == (
        DatedItem(
            ids[3],
            3,
            "开展试点。",
            "due",
            "",
            dt.date(2015, 12, 31),
            67,
            ("财政部", "工业和信息化部"),
            units_en=("Ministry of Finance", "Ministry of Industry and Information Technology"),
        ),
    )
    assert digest.upcoming == (
        DatedItem(
            ids[1],
            1,
            "建设<b>云</b>&平台。",
            "custom",
            "中期评估",
            dt.date(2016, 3, 15),
            8,
            ("科技部", "发展改革委"),
            units_en=(
                "Ministry of Science and Technology",
                "National Development and Reform Commission",
            ),
        ),
    )
    assert digest.silent == (
        SilentUnit("发展改革委", (1,), 35, "National Development and Reform Commission"),
        SilentUnit("科技部", (2,), 35, "Ministry of Science and Technology"),
        SilentUnit("财政部", (3,), 35, "Ministry of Finance"),
    )
    assert digest.extensions == (
        ExtensionItem(
            ids[1],
            1,
            "科技部",
            dt.date(2016, 3, 31),
            dt.date(2016, 4, 30),
            "Ministry of Science and Technology",
        ),
    )
    assert digest.reviews == (
        FinishedItem(
            ids[5],
            5,
            "编制指南。",
            "done",
            "发展改革委",
            "National Development and Reform Commission",
        ),
    )
    assert [(c.number, c.kind, c.before, c.after) for c in digest.changes] == [
        (2, "date_moved", "2016-06-30", "2016-07-31"),
        (3, "unit_added", "工业和信息化部", "co"),
        (2, "returned", None, "缺少<附件>&说明"),
    ]
    assert digest.changes[0] == ChangeItem(
        ids[2], 2, "date_moved", "2016-06-30", "2016-07-31", beijing(2016, 3, 1, 10)
    )


async def test_changes_after_the_moment_belong_to_the_next_period(
    session_factory: Sessions,
) -> None:
    """The milestone added on Monday 10:00 shows in the next week's digest, not this one."""
    await build_plan(session_factory)
    async with session_factory() as session:
        plan_id = await session.scalar(select_plan_id())
        assert plan_id is not None
        later = await coordinator_digest(
            session,
            plan_id=plan_id,
            period=dt.date(2016, 3, 14),
            since=MOMENT,
            until=MOMENT + WEEK,
            now=MOMENT + WEEK,
        )
    assert [(c.number, c.kind, c.before, c.after) for c in later.changes] == [
        (2, "milestone_added", "草案", "2016-05-01")
    ]
    assert later.finished == ()


async def test_an_agency_digest_shows_only_its_own_tasks(session_factory: Sessions) -> None:
    """科技部: tasks it leads and co-handles, what is due, unreported, and waited for."""
    await build_plan(session_factory)
    async with session_factory() as session:
        ids = {n: await task_id(session, n) for n in range(1, 6)}
        plan_id = await session.scalar(select_plan_id())
        assert plan_id is not None
        most = await agency_digest(
            session,
            plan_id=plan_id,
            agency_id=await agency_id(session, "科技部"),
            period=dt.date(2016, 3, 7),
            now=MOMENT,
        )
        ndrc = await agency_digest(
            session,
            plan_id=plan_id,
            agency_id=await agency_id(session, "发展改革委"),
            period=dt.date(2016, 3, 7),
            now=MOMENT,
        )
    assert most.agency == "科技部"
    assert [(t.number, t.light, t.next_date, t.state) for t in most.lead] == [
        (1, Light.GREEN, dt.date(2016, 3, 15), "open"),
        (4, Light.GREEN, None, "closed"),
    ]
    assert [(t.number, t.lead, t.next_date) for t in most.co] == [
        (2, "发展改革委", dt.date(2016, 5, 1))
    ]
    assert most.overdue == ()
    assert [(i.number, i.label, i.days) for i in most.upcoming] == [(1, "中期评估", 8)]
    assert most.unreported == (
        SilentUnit("科技部", (2,), 35, "Ministry of Science and Technology"),
    )
    assert most.waiting == (WaitingItem(ids[2], 2, "制定标准。", "unsigned", None),)
    assert {t.number for t in ndrc.lead + ndrc.co} == {1, 2, 5}
    assert ndrc.waiting == (
        WaitingItem(ids[1], 1, "建设<b>云</b>&平台。", "unsigned", None),
        WaitingItem(ids[2], 2, "制定标准。", "returned", "缺少<附件>&说明"),
        WaitingItem(ids[2], 2, "制定标准。", "unsigned", None),
    )
    assert ndrc.unreported == (
        SilentUnit("发展改革委", (1,), 35, "National Development and Reform Commission"),
    )


def test_the_period_is_the_latest_scheduled_moment() -> None:
    """Monday 09:00 Beijing: before it the period is last week's, from it on this week's."""
    monday = dt.time(9, 0)
    assert period_moment(MOMENT, weekday=0, at=monday, timezone=TZ) == MOMENT
    just_before = MOMENT - dt.timedelta(minutes=1)
    assert period_moment(just_before, weekday=0, at=monday, timezone=TZ) == MOMENT - WEEK
    sunday = beijing(2016, 3, 13, 23, 59)
    assert period_moment(sunday, weekday=0, at=monday, timezone=TZ) == MOMENT
    friday = period_moment(sunday, weekday=4, at=dt.time(17, 30), timezone=TZ)
    assert friday == beijing(2016, 3, 11, 17, 30)


def three_parts(digests: Sequence[Digest], language: str, late: bool) -> list[DigestPart]:
    """A stand-in renderer: every digest is three messages."""
    [digest] = digests
    kind = "c" if isinstance(digest, CoordinatorDigest) else digest.agency
    return [DigestPart(f"{kind} {language} {late} {n}", ((1, n),)) for n in (1, 2, 3)]


async def test_each_part_of_a_period_is_queued_once(session_factory: Sessions) -> None:
    """One delivery per part (keys …:part-N) and a chart for coordinators; a second sweep and
    a later one in the same period queue nothing; a member who joined after the moment waits."""
    await build_plan(session_factory)
    async with session_factory() as session:
        session.add(
            Member(
                telegram_id=777,
                display_name="late joiner",
                role=MemberRole.COORDINATOR,
                created_at=MOMENT + dt.timedelta(hours=2),
            )
        )
        await session.commit()
    monday = dt.time(9, 0)
    later = MOMENT + dt.timedelta(hours=3)
    async with session_factory() as session:
        queued = await plan_weekly_digests(
            session, now=later, weekday=0, at=monday, render=three_parts
        )
        again = await plan_weekly_digests(
            session, now=later + dt.timedelta(days=2), weekday=0, at=monday, render=three_parts
        )
        rows = list(
            await session.scalars(
                select(Delivery).where(Delivery.kind.startswith("digest")).order_by(Delivery.id)
            )
        )
    assert (queued, again) == (9, 0)
    boss = next(r.member_id for r in rows if r.payload.get("text", "").startswith("c "))
    keys = [r.idempotency_key for r in rows if r.member_id == boss and r.kind.startswith("digest")]
    assert keys == [
        f"digest:2016-03-07:{boss}:part-1",
        f"digest:2016-03-07:{boss}:part-2",
        f"digest:2016-03-07:{boss}:part-3",
        f"digest:2016-03-07:{boss}:chart",
    ]
    texts = sorted(r.payload["text"] for r in rows if r.kind == "digest")
    assert texts[:3] == ["c en True 1", "c en True 2", "c en True 3"]
    assert {t.rsplit(" ", 1)[0] for t in texts} == {
        "c en True",
        "发展改革委 en True",
        "科技部 zh True",
    }
    assert all(r.late for r in rows)
    assert all(r.next_attempt_at == later for r in rows)


# Two more documents with the demo annex's tasks and units: three plans sharing agencies.
MORE_PLANS = (("gf-2019-3", "国发〔2019〕3号"), ("gbf-2020-1", "国办发〔2020〕1号"))


async def build_three_plans(sessions: Sessions) -> None:
    """The demo plan and the week before 7 March 2016, and two more plans of the same units."""
    await build_plan(sessions)
    async with sessions() as session:
        for code, number in MORE_PLANS:
            await import_annex(
                session=session,
                data=ANNEX,
                now=IMPORTED,
                timezone=TZ,
                plan_code=code,
                filename="annex.csv",
                document=DocumentInfo(number=number, title=None),
            )


class Recorded:
    """A stand-in renderer that remembers what each call was given: one part per call."""

    def __init__(self) -> None:
        self.calls: list[tuple[tuple[str, ...], str]] = []

    def __call__(self, digests: Sequence[Digest], language: str, late: bool) -> list[DigestPart]:
        codes = tuple(d.plan_code for d in digests)
        self.calls.append((codes, language))
        whose = "c" if isinstance(digests[0], CoordinatorDigest) else digests[0].agency
        return [DigestPart(f"{whose} {'+'.join(codes)}", ((1, 1),), ("x",))]


async def digest_rows(session: AsyncSession) -> list[Delivery]:
    """The digest deliveries (text and chart), oldest first."""
    return list(
        await session.scalars(
            select(Delivery).where(Delivery.kind.startswith("digest")).order_by(Delivery.id)
        )
    )


async def test_a_member_on_three_plans_gets_one_digest_a_week(session_factory: Sessions) -> None:
    """Three plans sharing agencies: each member's digest of the week is one set of parts with
    every plan of theirs inside, composed once per audience and language; no chart across plans,
    and the next week is one set again."""
    await build_three_plans(session_factory)
    render = Recorded()
    monday = dt.time(9, 0)
    async with session_factory() as session:
        queued = await plan_weekly_digests(session, now=MOMENT, weekday=0, at=monday, render=render)
        rows = await digest_rows(session)
        members = {m.telegram_id: m.id for m in await session.scalars(select(Member))}
    everything = ("demo", "gbf-2020-1", "gf-2019-3")
    assert queued == 3
    assert sorted(render.calls) == [(everything, "en"), (everything, "en"), (everything, "zh")]
    assert [(r.idempotency_key, r.payload["text"]) for r in rows] == [
        (f"digest:2016-03-07:{members[MOST]}:part-1", "科技部 demo+gbf-2020-1+gf-2019-3"),
        (f"digest:2016-03-07:{members[NDRC]}:part-1", "发展改革委 demo+gbf-2020-1+gf-2019-3"),
        (f"digest:2016-03-07:{members[BOSS]}:part-1", "c demo+gbf-2020-1+gf-2019-3"),
    ]
    assert rows[0].payload["plans"] == ["x"]
    assert len(rows[0].payload["plan_ids"]) == 3
    async with session_factory() as session:
        again = await plan_weekly_digests(
            session, now=MOMENT + dt.timedelta(days=1), weekday=0, at=monday, render=render
        )
        following = await plan_weekly_digests(
            session, now=MOMENT + WEEK, weekday=0, at=monday, render=render
        )
    assert (again, following) == (0, 3)


async def test_an_agency_gets_only_its_plans_and_archived_plans_are_left_out(
    session_factory: Sessions,
) -> None:
    """财政部 is on a fourth plan too, of its own; an archived plan is in no one's digest."""
    await build_three_plans(session_factory)
    async with session_factory() as session:
        await import_annex(
            session=session,
            data="序号,工作任务,负责单位,时间进度\n1,审计资金。,财政部,2016年6月底前\n".encode(),
            now=IMPORTED,
            timezone=TZ,
            plan_code="mof",
            filename="annex.csv",
        )
    await cast(session_factory, liaison(MOF, "财政部"), now=IMPORTED, plan=None)
    async with session_factory() as session:
        await archive_plan(
            session, telegram_id=None, typed="gf-2019-3", now=IMPORTED, carry_over=True
        )
    render = Recorded()
    async with session_factory() as session:
        await plan_weekly_digests(session, now=MOMENT, weekday=0, at=dt.time(9, 0), render=render)
        rows = await digest_rows(session)
    texts = sorted(r.payload["text"] for r in rows if r.kind == "digest")
    assert texts == [
        "c demo+gbf-2020-1+mof",
        "发展改革委 demo+gbf-2020-1",
        "科技部 demo+gbf-2020-1",
        "财政部 demo+gbf-2020-1+mof",
    ]
    assert not [r for r in rows if r.kind == "digest-chart"]


async def test_a_digest_queued_per_plan_before_the_upgrade_is_not_sent_again(
    session_factory: Sessions,
) -> None:
    """A digest part queued under the old per-plan key this week blocks the new one for that
    member (no second digest this week); others get theirs, and next week goes as usual."""
    await build_three_plans(session_factory)
    async with session_factory() as session:
        boss = await session.scalar(select(Member).where(Member.telegram_id == BOSS))
        plan_id = await session.scalar(select(Plan.id).where(Plan.code == "gf-2019-3"))
        assert boss is not None
        assert plan_id is not None
        await enqueue(
            session,
            key=plan_digest_key(plan_id, dt.date(2016, 3, 7), boss.id, "part-1"),
            kind="digest",
            chat_id=BOSS,
            member_id=boss.id,
            payload={"plan_id": plan_id, "period": "2016-03-07", "text": "old", "tasks": []},
            now=MOMENT,
        )
        await session.commit()
    render = Recorded()
    monday = dt.time(9, 0)
    async with session_factory() as session:
        queued = await plan_weekly_digests(session, now=MOMENT, weekday=0, at=monday, render=render)
        rows = await digest_rows(session)
        following = await plan_weekly_digests(
            session, now=MOMENT + WEEK, weekday=0, at=monday, render=render
        )
        later = await digest_rows(session)
    assert queued == 2
    assert [r.payload["text"] for r in rows if r.chat_id == BOSS] == ["old"]
    assert following == 3
    assert [r.payload["text"] for r in later if r.chat_id == BOSS] == [
        "old",
        "c demo+gbf-2020-1+gf-2019-3",
    ]


async def test_a_passed_checkpoint_is_not_overdue(session_factory: Sessions) -> None:
    """Overdue is a passed due or custom date, as for lights and escalations; not a checkpoint."""
    async with session_factory() as session:
        await import_annex(
            session=session,
            data=bundled_annex("gf-2015-5"),
            now=beijing(2016, 3, 1),
            timezone=TZ,
            plan_code="gf-2015-5",
        )
    async with session_factory() as session:
        plan_id = await session.scalar(select(Plan.id).where(Plan.code == "gf-2015-5"))
        assert plan_id is not None
        digest = await coordinator_digest(
            session,
            plan_id=plan_id,
            period=dt.date(2016, 3, 7),
            since=MOMENT - WEEK,
            until=MOMENT,
            now=MOMENT,
        )
    assert [(item.number, item.kind) for item in digest.overdue] == [(12, "due")]
    assert digest.totals.red == 1


async def test_plans_in_different_timezones_share_the_bots_moment(
    session_factory: Sessions,
) -> None:
    """A plan kept in London time beside Beijing ones: the week's one digest goes at the bot's
    moment (Monday 09:00 Beijing), not once per timezone."""
    await build_plan(session_factory)
    async with session_factory() as session:
        await import_annex(
            session=session,
            data=ANNEX,
            now=IMPORTED,
            timezone="Europe/London",
            plan_code="a-uk",  # first by code: its timezone is not the one taken
            filename="annex.csv",
        )
    render = Recorded()
    monday = dt.time(9, 0)
    async with session_factory() as session:
        early = await plan_weekly_digests(
            session,
            now=MOMENT - dt.timedelta(minutes=1),
            weekday=0,
            at=monday,
            render=render,
            timezone=TZ,
        )
        on_time = await plan_weekly_digests(
            session, now=MOMENT, weekday=0, at=monday, render=render, timezone=TZ
        )
        rows = await digest_rows(session)
    assert early == 3  # last week's, which nobody had yet
    assert on_time == 3
    assert [r.idempotency_key.split(":")[1] for r in rows] == ["2016-02-29"] * 3 + [
        "2016-03-07"
    ] * 3
    assert {r.payload["text"].split(" ")[1] for r in rows} == {"a-uk+demo"}
