"""The closed sets of values stored in the database."""

from __future__ import annotations

import enum

from sqlalchemy import Enum


class TaskState(enum.StrEnum):
    """Where a task stands in its life: open, reported done and awaiting review, or closed."""

    OPEN = "open"
    DONE = "done"
    CLOSED = "closed"


class Role(enum.StrEnum):
    """An agency's role on a task: 牵头 lead or 配合 co-responsible."""

    LEAD = "lead"
    CO = "co"


class RoleMarker(enum.StrEnum):
    """What a role says beyond lead or co: a co-lead (甲、乙牵头) or a guide (指导)."""

    CO_LEAD = "co_lead"
    GUIDE = "guide"


class MilestoneKind(enum.StrEnum):
    """What a milestone marks on a task's schedule."""

    START = "start"
    CHECKPOINT = "checkpoint"
    DUE = "due"
    CUSTOM = "custom"


class MemberRole(enum.StrEnum):
    """What a member does: supervises the plan, or speaks for an agency."""

    COORDINATOR = "coordinator"
    LIAISON = "liaison"
    DEPUTY = "deputy"


class ReportStatus(enum.StrEnum):
    """The status an agency reports for its part of a task."""

    ON_TRACK = "on_track"
    AT_RISK = "at_risk"
    BLOCKED = "blocked"
    DONE = "done"


class RequestState(enum.StrEnum):
    """Where an extension request stands."""

    PENDING = "pending"
    APPROVED = "approved"
    DENIED = "denied"


class DeliveryState(enum.StrEnum):
    """Where an outbox row stands."""

    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    CANCELLED = "cancelled"


class FeedScope(enum.StrEnum):
    """What a calendar feed covers."""

    PLAN = "plan"
    AGENCY = "agency"
    TASK = "task"
    MEMBER = "member"


def enum_column(cls: type[enum.StrEnum]) -> Enum:
    """Store a StrEnum by value as a plain string, the same on SQLite and PostgreSQL."""
    return Enum(
        cls,
        native_enum=False,
        create_constraint=False,
        length=16,
        validate_strings=True,
        values_callable=lambda members: [m.value for m in members],
    )
