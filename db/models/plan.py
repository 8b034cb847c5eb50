"""The annex itself: plans, their tasks, who is assigned, and the dated milestones."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from db.base import Base
from db.enums import MilestoneKind, Role, RoleMarker, TaskState, enum_column


class Plan(Base):
    """One document's annex: 国发〔2015〕5号 and its tasks."""

    __tablename__ = "plan"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    document_number: Mapped[str | None] = mapped_column(String(64))
    title: Mapped[str | None] = mapped_column(Text)
    issued_on: Mapped[dt.date | None] = mapped_column(Date)
    # Where a local plan applies (浙江省, 浙江省杭州市): its 省发展改革委 is 浙江省发展改革委.
    jurisdiction: Mapped[str | None] = mapped_column(String(64))
    timezone: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime]
    updated_at: Mapped[dt.datetime]
    # An archived plan leaves every list, sweep and feed; its data stay for exports and a restore.
    archived_at: Mapped[dt.datetime | None]

    tasks: Mapped[list[Task]] = relationship(
        back_populates="plan", order_by="Task.number", cascade="all, delete-orphan"
    )


class Task(Base):
    """A numbered task of an annex, with its schedule as printed and as read."""

    __tablename__ = "task"
    # updated_at: the reminder sweep looks for tasks changed since its last run.
    __table_args__ = (UniqueConstraint("plan_id", "number"), Index(None, "updated_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    section: Mapped[str | None] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text)
    schedule_text: Mapped[str] = mapped_column(Text, default="")
    start_on: Mapped[dt.date | None] = mapped_column(Date)
    due_on: Mapped[dt.date | None] = mapped_column(Date)
    ongoing: Mapped[bool] = mapped_column(default=False)
    schedule_flagged: Mapped[bool] = mapped_column(default=False)
    units_open: Mapped[bool] = mapped_column(default=False)
    # People the annex names beside the units (分管副省长、协管副秘书长): never agencies.
    responsibility_note: Mapped[str] = mapped_column(Text, default="", server_default="")
    # A recurring checkpoint rule (year, year@03-31, half, quarter, month): 每年年底前, 每季度.
    recurrence: Mapped[str | None] = mapped_column(String(16))
    state: Mapped[TaskState] = mapped_column(enum_column(TaskState), default=TaskState.OPEN)
    removed_at: Mapped[dt.datetime | None]
    created_at: Mapped[dt.datetime]
    updated_at: Mapped[dt.datetime]

    plan: Mapped[Plan] = relationship(back_populates="tasks")
    assignments: Mapped[list[Assignment]] = relationship(
        back_populates="task", order_by="Assignment.position", cascade="all, delete-orphan"
    )
    milestones: Mapped[list[Milestone]] = relationship(
        back_populates="task", order_by="Milestone.on_date", cascade="all, delete-orphan"
    )


class Assignment(Base):
    """An agency's place on a task: lead (or co-lead) or co-responsible (or guide), in order."""

    __tablename__ = "assignment"
    # created_at: the reminder sweep looks for agencies assigned since its last run.
    __table_args__ = (UniqueConstraint("task_id", "agency_id"), Index(None, "created_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("task.id", ondelete="CASCADE"))
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id", ondelete="RESTRICT"), index=True)
    role: Mapped[Role] = mapped_column(enum_column(Role))
    marker: Mapped[RoleMarker | None] = mapped_column(enum_column(RoleMarker))
    position: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[dt.datetime]
    # Indexed: the acknowledgement sweep reads the unsigned ones (IS NULL) only.
    acknowledged_at: Mapped[dt.datetime | None] = mapped_column(index=True)
    acknowledged_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("member.id", ondelete="SET NULL")
    )

    task: Mapped[Task] = relationship(back_populates="assignments")
    agency: Mapped[Agency] = relationship()


class Milestone(Base):
    """A dated point of a task's schedule; `key` keeps its identity across edits and re-imports."""

    __tablename__ = "milestone"
    __table_args__ = (UniqueConstraint("task_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("task.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(32))
    kind: Mapped[MilestoneKind] = mapped_column(enum_column(MilestoneKind))
    on_date: Mapped[dt.date] = mapped_column(Date, index=True)
    label: Mapped[str] = mapped_column(Text, default="")
    sequence: Mapped[int] = mapped_column(Integer, default=0)
    cancelled_at: Mapped[dt.datetime | None]
    created_at: Mapped[dt.datetime]
    updated_at: Mapped[dt.datetime]

    task: Mapped[Task] = relationship(back_populates="milestones")


from db.models.agency import Agency  # noqa: E402  (resolves the forward reference above)
