"""A plan of real size, built with bulk inserts: 300 tasks, an agency on 150, long notes.

What it holds, and why each figure: Telegram refuses a text over 4,096 UTF-16 units, over 100
buttons, a photo over width + height 10,000; a screen that lists an agency's tasks, a card that
shows every agency's note and a chart of the plan all cross those at this size.
- plan rs-2016-1: 300 tasks over 2015-2030 (a long span for the chart's years), every tenth
  ongoing, texts of 60-240 characters and one of 3,000, some due around the clock's today;
- 45 agencies with long Chinese and English names; 科技部 is on 150 tasks (lead on 75);
- task 1 has 15 agencies, each with a report whose note is 2,000 characters;
- every one of 科技部's tasks has its 2,000-character report; half its assignments are not
  signed for (签收 reminders and escalations), 20 extension requests wait with long reasons;
- 93 members (a liaison and a deputy per agency, the others unreachable so the sweeps write
  only to the people a test reads), 70 calendar links, 40 audit events on task 1;
- 30 more plans (a ministry answers to dozens of documents at once), each of 5 tasks with a
  50-character title, 科技部 lead on one task and co-responsible on another of each: plan
  choices, /plans and every list that spans plans are driven at that count.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
from dataclasses import dataclass
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import FeedScope, MemberRole, MilestoneKind, ReportStatus, Role, TaskState
from db.models import (
    Agency,
    Assignment,
    AuditEvent,
    ExtensionRequest,
    FeedToken,
    Member,
    Milestone,
    Plan,
    StatusReport,
    Task,
)
from tests.bot.harness import BotHarness

PLAN = "rs-2016-1"
EXTRA_PLANS = 30
EXTRA_TASKS = 5
EXTRA_TITLE = "政务数据共享与信息系统整合专项任务分工的通知（实测）"
TASKS = 300
AGENCIES = 45
MINE_TASKS = 150
CROWDED_AGENCIES = 15
NOTE_CHARS = 2000
BIG_AGENCY = "科技部"
BOSS, BOSS2, LIAISON, DEPUTY = 7001, 7002, 7003, 7004
FIRST_OTHER = 7100  # the other agencies' liaisons: 7100, 7101, ...
PHRASE = "推进云计算与大数据在政务服务中的深度应用，完善标准体系和安全保障，"
NOTE_PHRASE = "本季度已完成试点部署，正在协调地方财政配套资金与数据共享接口的对接工作；"


@dataclass(frozen=True)
class RealSize:
    """Who is who in the fixture: the people a test speaks as, and the big agency's tasks."""

    language: str
    boss: int = BOSS
    boss2: int = BOSS2
    liaison: int = LIAISON
    deputy: int = DEPUTY
    crowded_liaisons: tuple[int, ...] = ()


def _text(number: int) -> str:
    """A task's text: 60-240 characters, and task 2's 3,000 (a whole paragraph pasted in)."""
    if number == 2:
        return (PHRASE * 100)[:3000]
    length = 60 + (number * 37) % 181
    return f"第{number}项：" + (PHRASE * 8)[:length]


def _note(seed: int) -> str:
    """A note of exactly 2,000 characters, with HTML-looking text and an emoji in it."""
    head = f"<进展 {seed}> & 😀 "
    return (head + NOTE_PHRASE * 60)[:NOTE_CHARS]


def _dates(number: int) -> tuple[dt.date | None, dt.date | None, bool]:
    """Start, due and ongoing: spread over 2015-2030, some due in the weeks around 2016-03."""
    start = dt.date(2015, 1, 1) + dt.timedelta(days=(number * 53) % 1400)
    if number % 10 == 0:
        return start, None, True
    if number % 7 == 0:
        return start, dt.date(2016, 2, 1) + dt.timedelta(days=number % 60), False
    if number % 31 == 0:
        return None, None, False
    years = 1 + number % 15
    return start, min(start + dt.timedelta(days=365 * years), dt.date(2030, 12, 31)), False


def _agencies(language: str) -> list[dict[str, Any]]:
    """45 agencies: 科技部 first, then long names (the longest the directory knows are ~20)."""
    rows = [{"name": BIG_AGENCY, "full_name": "中华人民共和国科学技术部",
             "name_en": "Ministry of Science and Technology"}]  # fmt: skip
    for index in range(1, AGENCIES):
        rows.append(
            {
                "name": f"国家信息化发展与数据资源管理委员会第{index}司",
                "full_name": f"国家信息化发展与数据资源管理委员会第{index}司（局）",
                "name_en": f"National Commission for Informatisation and Data, Department {index}",
            }
        )
    return rows


async def build(harness: BotHarness, language: str) -> RealSize:
    """Insert the real-size plan and its people for members who speak a language."""
    now = harness.clock()
    async with harness.runtime.session() as session:
        ids = await _insert_all(session, language, now)
        await session.commit()
    for telegram_id, name in ids["users"]:
        harness.sandbox.add_user(
            telegram_id, name, language_code="zh-hans" if language == "zh" else "en"
        )
    return RealSize(language, crowded_liaisons=tuple(ids["crowded"]))


async def _insert_all(session: AsyncSession, language: str, now: dt.datetime) -> dict[str, Any]:
    """Every row of the fixture, a table at a time."""
    await session.execute(
        insert(Agency), [{**row, "created_at": now} for row in _agencies(language)]
    )
    agencies = list(await session.scalars(select(Agency.id).order_by(Agency.id)))
    big, others = agencies[0], agencies[1:]
    plan_id = await session.scalar(
        insert(Plan)
        .values(
            code=PLAN,
            document_number="国发〔2016〕1号",
            title="国务院关于推进政务信息化与数据资源共享的实施意见（实测规模）",
            issued_on=dt.date(2016, 1, 5),
            timezone="Asia/Shanghai",
            created_at=now,
            updated_at=now,
        )
        .returning(Plan.id)
    )
    task_rows = []
    for number in range(1, TASKS + 1):
        start, due, ongoing = _dates(number)
        task_rows.append(
            {
                "plan_id": plan_id,
                "number": number,
                "text": _text(number),
                "schedule_text": "长期坚持" if ongoing else f"{(due or start or now).year}年底前",
                "start_on": start,
                "due_on": due,
                "ongoing": ongoing,
                "state": TaskState.DONE if number % 23 == 0 else TaskState.OPEN,
                "created_at": now,
                "updated_at": now,
            }
        )
    await session.execute(insert(Task), task_rows)
    tasks = dict(
        (await session.execute(select(Task.number, Task.id).where(Task.plan_id == plan_id))).all()
    )
    await _milestones(session, tasks, now)
    crowded_agencies = others[: CROWDED_AGENCIES - 1]
    mine = set(range(1, TASKS + 1, 2))  # 科技部 is on every odd task: 150
    assignments = []
    for number, task_id in tasks.items():
        units: list[int] = []
        if number == 1:
            units = [big, *crowded_agencies]
        else:
            lead = others[number % len(others)]
            units = [big, lead] if number in mine and number % 4 == 3 else [lead]
            if number in mine and number % 4 == 1:
                units = [big, lead]
            units += [others[(number * 7 + k) % len(others)] for k in range(1, 1 + number % 3)]
        seen: list[int] = list(dict.fromkeys(units))
        for position, agency_id in enumerate(seen):
            assignments.append(
                {
                    "task_id": task_id,
                    "agency_id": agency_id,
                    "role": Role.LEAD if position == 0 else Role.CO,
                    "position": position,
                    "created_at": now,
                    "acknowledged_at": None if number % 4 == 1 else now,
                }
            )
    await session.execute(insert(Assignment), assignments)
    users, crowded = await _members(session, language, big, others, now)
    members = dict((await session.execute(select(Member.agency_id, Member.id))).all())
    reports = []
    reported = (a for a in assignments if a["agency_id"] == big or a["task_id"] == tasks[1])
    for index, row in enumerate(reported):
        reports.append(
            {
                "task_id": row["task_id"],
                "agency_id": row["agency_id"],
                "member_id": members.get(row["agency_id"]),
                "status": list(ReportStatus)[index % 3],
                "percent": (index * 13) % 100,
                "note": _note(index),
                "reported_at": now - dt.timedelta(days=1 + index % 20, minutes=index),
            }
        )  # fmt: skip
    await session.execute(insert(StatusReport), reports)
    await _requests(session, tasks, mine, big, members.get(big), now)
    await _links(session, plan_id, tasks, agencies, members, now)
    await _history(session, plan_id, tasks[1], now)
    await _more_plans(session, big, others, now)
    return {"users": users, "crowded": crowded}


async def _more_plans(session: AsyncSession, big: int, others: list[int], now: dt.datetime) -> None:
    """30 smaller plans sharing the agencies: 科技部 leads task 1 and helps on task 2 of each."""
    plan_ids = list(
        await session.scalars(
            insert(Plan).returning(Plan.id),
            [
                {"code": f"gbf-2017-{k}", "document_number": f"国办发〔2017〕{k}号",
                 "title": f"国务院办公厅关于第{k}批{EXTRA_TITLE}",
                 "issued_on": dt.date(2017, 1, k % 28 + 1), "timezone": "Asia/Shanghai",
                 "created_at": now, "updated_at": now}
                for k in range(1, EXTRA_PLANS + 1)
            ],
        )
    )  # fmt: skip
    tasks = list(
        await session.scalars(
            insert(Task).returning(Task.id),
            [
                {"plan_id": plan_id, "number": n, "text": _text(40 + n),
                 "schedule_text": "2016年底前", "start_on": dt.date(2016, 1, 1),
                 "due_on": dt.date(2016, 3, 1 + (k * 5 + n) % 28), "ongoing": False,
                 "state": TaskState.OPEN, "created_at": now, "updated_at": now}
                for k, plan_id in enumerate(plan_ids)
                for n in range(1, EXTRA_TASKS + 1)
            ],
        )
    )  # fmt: skip
    due = dict(
        (await session.execute(select(Task.id, Task.due_on).where(Task.id.in_(tasks)))).all()
    )
    await session.execute(
        insert(Milestone),
        [
            {"task_id": t, "key": "due", "kind": MilestoneKind.DUE, "on_date": due[t],
             "label": "", "sequence": 0, "created_at": now, "updated_at": now}
            for t in tasks
        ],
    )  # fmt: skip
    rows = []
    for index, task_id in enumerate(tasks):
        number = index % EXTRA_TASKS + 1
        units = {1: [big, others[index % len(others)]], 2: [others[index % len(others)], big]}
        for position, agency_id in enumerate(units.get(number, [others[index % len(others)]])):
            rows.append(
                {"task_id": task_id, "agency_id": agency_id,
                 "role": Role.LEAD if position == 0 else Role.CO, "position": position,
                 "created_at": now, "acknowledged_at": now}
            )  # fmt: skip
    await session.execute(insert(Assignment), rows)


async def _milestones(session: AsyncSession, tasks: dict[int, int], now: dt.datetime) -> None:
    """Start, yearly checkpoints and due milestones, as an import would place them."""
    rows = []
    for number, task_id in tasks.items():
        start, due, _ongoing = _dates(number)
        if start is not None:
            rows.append(("start", MilestoneKind.START, start, task_id))
        if start is not None and due is not None:
            for year in range(start.year, due.year):
                day = dt.date(year, 12, 31)
                key = f"checkpoint-{day.isoformat()}"
                rows.append((key, MilestoneKind.CHECKPOINT, day, task_id))
        if due is not None:
            rows.append(("due", MilestoneKind.DUE, due, task_id))
    await session.execute(
        insert(Milestone),
        [
            {"task_id": t, "key": k, "kind": kind, "on_date": day, "label": "",
             "sequence": 0, "created_at": now, "updated_at": now}
            for k, kind, day, t in rows
        ],
    )  # fmt: skip


async def _members(
    session: AsyncSession, language: str, big: int, others: list[int], now: dt.datetime
) -> tuple[list[tuple[int, str]], list[int]]:
    """Coordinators, 科技部's liaison and deputy, and a liaison and a deputy per other agency."""

    def row(
        telegram_id: int, name: str, role: MemberRole, agency: int | None, reachable: bool
    ) -> dict[str, Any]:
        return {"telegram_id": telegram_id, "display_name": name, "username": f"user_{telegram_id}",
                "agency_id": agency, "role": role, "language": language,
                "reachable": reachable, "created_at": now}  # fmt: skip

    rows = [
        row(BOSS, "督查室 王主任（负责政务信息化专项督办）", MemberRole.COORDINATOR, None, True),
        row(BOSS2, "督查室 李副主任", MemberRole.COORDINATOR, None, True),
        row(LIAISON, "科技部 高新司 联络员 张晓明", MemberRole.LIAISON, big, True),
        row(DEPUTY, "科技部 高新司 副联络员 陈静", MemberRole.DEPUTY, big, True),
    ]
    crowded: list[int] = []
    counter = itertools.count(FIRST_OTHER)
    for index, agency in enumerate(others):
        reachable = index < CROWDED_AGENCIES - 1
        liaison = next(counter)
        if reachable:
            crowded.append(liaison)
        rows.append(row(liaison, f"联络员 第{index + 1}司 欧阳文轩·Alexander", MemberRole.LIAISON,
                        agency, reachable))  # fmt: skip
        rows.append(row(next(counter), f"副联络员 第{index + 1}司 司马慧敏", MemberRole.DEPUTY,
                        agency, False))  # fmt: skip
    await session.execute(insert(Member), rows)
    return [(r["telegram_id"], r["display_name"]) for r in rows], crowded


async def _requests(
    session: AsyncSession,
    tasks: dict[int, int],
    mine: set[int],
    big: int,
    member_id: int | None,
    now: dt.datetime,
) -> None:
    """20 extension requests of 科技部, each with a reason of 500 characters."""
    numbers = [n for n in sorted(mine) if _dates(n)[1] is not None][:20]
    await session.execute(
        insert(ExtensionRequest),
        [
            {"task_id": tasks[n], "agency_id": big, "member_id": member_id,
             "current_due_on": _dates(n)[1], "requested_due_on": dt.date(2031, 6, 30),
             "reason": (f"原因{n}：" + NOTE_PHRASE * 20)[:500], "created_at": now}
            for n in numbers
        ],
    )  # fmt: skip


async def _links(
    session: AsyncSession,
    plan_id: int | None,
    tasks: dict[int, int],
    agencies: list[int],
    members: dict[int | None, int],
    now: dt.datetime,
) -> None:
    """70 calendar links made by the first coordinator: one per agency, 25 per task."""
    boss = members.get(None)
    rows = [
        {"scope": FeedScope.AGENCY, "agency_id": agency, "plan_id": None, "task_id": None,
         "label": ""}
        for agency in agencies
    ] + [
        {"scope": FeedScope.TASK, "task_id": tasks[n], "plan_id": plan_id, "agency_id": None,
         "label": f"{PLAN}/{n}"}
        for n in range(1, 26)
    ]  # fmt: skip
    await session.execute(
        insert(FeedToken),
        [
            {**r, "token_hash": hashlib.sha256(f"real-size-{i}".encode()).hexdigest(),
             "member_id": None, "created_by_id": boss, "created_at": now}
            for i, r in enumerate(rows)
        ],
    )  # fmt: skip


async def _history(
    session: AsyncSession, plan_id: int | None, task_id: int, now: dt.datetime
) -> None:
    """40 changes to task 1: due dates moved, agencies urged by long names."""
    await session.execute(
        insert(AuditEvent),
        [
            {"at": now - dt.timedelta(hours=i), "actor": "督查室 王主任（负责政务信息化专项督办）",
             "actor_member_id": None, "action": "milestone.due_moved" if i % 2 else "task.nudged",
             "plan_id": plan_id, "task_id": task_id, "entity": "task", "entity_id": task_id,
             "before": {"due_on": "2016-06-30"}, "after": {"due_on": "2017-06-30",
             "reason": NOTE_PHRASE * 5, "agencies": [f"第{k}司" for k in range(15)]}}
            for i in range(40)
        ],
    )  # fmt: skip
