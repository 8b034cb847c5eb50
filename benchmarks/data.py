"""Generated plans, tasks, milestones, agencies and members, written by the database itself.

Rows are made with INSERT … SELECT over a number series (a recursive CTE on SQLite,
generate_series on PostgreSQL), so a million milestones take seconds, not minutes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import Agency, Plan, Task

EPOCH = dt.datetime(2015, 1, 1, tzinfo=dt.UTC)  # when every generated row was created
TASKS_PER_PLAN = 1000
MILESTONES_PER_TASK = 4  # start, two checkpoints, due, 90 days apart
MILESTONE_STEP_DAYS = 90


@dataclass(frozen=True)
class Shape:
    """How much to generate, and the span of days the milestones are spread over."""

    tasks: int
    agencies: int
    members_per_agency: int
    first_day: dt.date
    span_days: int
    co_agencies: bool = True
    tasks_per_plan: int = TASKS_PER_PLAN

    @property
    def milestones(self) -> int:
        """How many milestones the tasks have between them."""
        return self.tasks * MILESTONES_PER_TASK


@dataclass(frozen=True)
class Generated:
    """The id ranges of what was generated (ids are consecutive in a fresh database)."""

    first_task: int
    first_agency: int
    first_member_telegram_id: int
    shape: Shape


def _stamp(session: AsyncSession, value: dt.datetime) -> object:
    """A UTC timestamp as the backend stores it (SQLite: naive text, as UTCDateTime writes it)."""
    if session.get_bind().dialect.name == "sqlite":
        return value.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    return value


def _numbers(session: AsyncSession) -> str:
    """A FROM clause yielding n(i) = 1 … :count."""
    if session.get_bind().dialect.name == "sqlite":
        return (
            "(WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < :count) "
            "SELECT i FROM s) AS n"
        )
    return "generate_series(1, :count) AS n(i)"


def _day(session: AsyncSession, offset: str) -> str:
    """An SQL date :first_day + offset days."""
    if session.get_bind().dialect.name == "sqlite":
        return f"date(:first_day, '+' || ({offset}) || ' days')"
    return f"(CAST(:first_day AS date) + ({offset}))"


def _first_day(session: AsyncSession, day: dt.date) -> object:
    return day.isoformat() if session.get_bind().dialect.name == "sqlite" else day


async def _next_id(session: AsyncSession, column: object) -> int:
    return int(await session.scalar(select(func.coalesce(func.max(column), 0))) or 0) + 1


async def generate(
    session: AsyncSession, shape: Shape, *, telegram_id_base: int = 10_000_000
) -> Generated:
    """Write agencies, members, plans, tasks, assignments and milestones; commits."""
    first_agency = await _next_id(session, Agency.id)
    first_task = await _next_id(session, Task.id)
    first_plan = await _next_id(session, Plan.id)
    created = _stamp(session, EPOCH)
    numbers = _numbers(session)
    params = {"created": created, "first_day": _first_day(session, shape.first_day)}

    await session.execute(
        text(
            "INSERT INTO agency (name, full_name, name_en, is_group, in_directory, created_at) "
            f"SELECT 'bench-agency-' || (i + :base), NULL, NULL, false, false, :created "
            f"FROM {numbers}"
        ),
        {**params, "count": shape.agencies, "base": first_agency},
    )
    members = shape.agencies * shape.members_per_agency
    await session.execute(
        text(
            "INSERT INTO member (telegram_id, display_name, username, agency_id, role, language, "
            "reachable, created_at, left_at) "
            f"SELECT :tg + i, 'Liaison ' || i, NULL, :agency0 + ((i - 1) / :per), "
            "CASE WHEN (i - 1) % :per = 1 THEN 'deputy' ELSE 'liaison' END, 'zh', true, "
            f":created, NULL FROM {numbers}"
        ),
        {
            **params,
            "count": members,
            "tg": telegram_id_base,
            "agency0": first_agency,
            "per": shape.members_per_agency,
        },
    )
    plans = -(-shape.tasks // shape.tasks_per_plan)
    for index in range(plans):
        session.add(
            Plan(
                code=f"bench-{first_plan + index}",
                document_number=None,
                title=f"Benchmark plan {first_plan + index}",
                issued_on=shape.first_day,
                timezone="Asia/Shanghai",
                created_at=EPOCH,
                updated_at=EPOCH,
            )
        )
    await session.flush()
    spread = "((i * 7919) % :span)"
    await session.execute(
        text(
            "INSERT INTO task (plan_id, number, section, text, schedule_text, start_on, due_on, "
            "ongoing, schedule_flagged, units_open, state, removed_at, created_at, updated_at) "
            f"SELECT :plan0 + ((i - 1) / :per_plan), ((i - 1) % :per_plan) + 1, NULL, "
            f"'Benchmark task ' || i || ': 推进政务信息系统整合共享。', '', "
            f"{_day(session, spread)}, {_day(session, f'{spread} + :due_after')}, "
            f"false, false, false, 'open', NULL, :created, :created FROM {numbers}"
        ),
        {
            **params,
            "count": shape.tasks,
            "plan0": first_plan,
            "per_plan": shape.tasks_per_plan,
            "span": shape.span_days,
            "due_after": (MILESTONES_PER_TASK - 1) * MILESTONE_STEP_DAYS,
        },
    )
    roles = [("lead", 0, "(i * 31) % :agencies")]
    if shape.co_agencies and shape.agencies > 1:
        # 1 + i mod (n - 1) agencies further on: never the lead itself.
        roles.append(("co", 1, "(i * 31 + 1 + i % :others) % :agencies"))
    for role, position, pick in roles:
        await session.execute(
            text(
                "INSERT INTO assignment (task_id, agency_id, role, position, created_at, "
                "acknowledged_at, acknowledged_by_id) "
                f"SELECT :task0 + i - 1, :agency0 + ({pick}), '{role}', {position}, "
                f":created, :created, NULL FROM {numbers}"
            ),
            {
                **params,
                "count": shape.tasks,
                "task0": first_task,
                "agency0": first_agency,
                "agencies": shape.agencies,
                "others": max(1, shape.agencies - 1),
            },
        )
    kinds = ["start", "checkpoint", "checkpoint", "due"]
    for step, kind in enumerate(kinds):
        key = "start" if kind == "start" else "due" if kind == "due" else f"cp{step}"
        await session.execute(
            text(
                "INSERT INTO milestone (task_id, key, kind, on_date, label, sequence, "
                "cancelled_at, created_at, updated_at) "
                f"SELECT :task0 + i - 1, '{key}', '{kind}', "
                f"{_day(session, f'{spread} + {step * MILESTONE_STEP_DAYS}')}, '', 0, NULL, "
                f":created, :created FROM {numbers}"
            ),
            {**params, "count": shape.tasks, "task0": first_task, "span": shape.span_days},
        )
    await session.commit()
    return Generated(first_task, first_agency, telegram_id_base + 1, shape)
