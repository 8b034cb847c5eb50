"""Settings coordinators change in the chat: deployment-wide overrides of the environment's values.

A row per changed setting holds its value as a JSON primitive (days as numbers, times as "HH:MM");
no row means the environment's default. Which values are valid is the settings' own business, so
changing a setting takes a `check` from the caller that validates the complete set of overrides.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import Member, SettingOverride
from workflows import audit
from workflows.access import Actor, identify, require_coordinator
from workflows.errors import InvalidInputError

# The settings a coordinator may change, in the order /settings shows them.
KEYS: tuple[str, ...] = (
    "reminder_offsets",
    "checkin_days",
    "checkin_follow_up_working_days",
    "quiet_start",
    "quiet_end",
    "daily_message_cap",
    "escalate_after_working_days",
    "ack_reminder_working_days",
    "ack_escalation_working_days",
    "digest_weekday",
    "digest_time",
)

# Validates a complete set of overrides (key → JSON value) and returns them normalised;
# raises InvalidInputError when the set is not a valid configuration.
Check = Callable[[Mapping[str, Any]], Mapping[str, Any]]


@dataclass(frozen=True)
class StoredOverride:
    """One changed setting: its value, when and by whom."""

    key: str
    value: Any
    updated_at: dt.datetime
    updated_by: str | None


@dataclass(frozen=True)
class OverrideChange:
    """What a change did: the override before and after (None: the environment's default)."""

    key: str
    before: Any
    after: Any

    @property
    def changed(self) -> bool:
        """False when the setting already had this value."""
        return bool(self.before != self.after)


async def read_overrides(*, session: AsyncSession) -> dict[str, Any]:
    """Every override as key → JSON value (keys no longer settable are left out)."""
    rows = await session.scalars(select(SettingOverride))
    return {row.key: row.value for row in rows if row.key in KEYS}


async def settings_overview(*, session: AsyncSession, telegram_id: int) -> list[StoredOverride]:
    """The overrides with who changed them, for a coordinator."""
    await _coordinator(session, telegram_id)
    rows = await session.execute(
        select(SettingOverride, Member.display_name).outerjoin(
            Member, Member.id == SettingOverride.updated_by_id
        )
    )
    found = {
        row.key: StoredOverride(row.key, row.value, row.updated_at, name)
        for row, name in rows
        if row.key in KEYS
    }
    return [found[key] for key in KEYS if key in found]


async def set_override(
    *,
    session: AsyncSession,
    telegram_id: int,
    key: str,
    value: Any,
    now: dt.datetime,
    check: Check,
) -> OverrideChange:
    """Change one setting for the whole deployment, audited; `check` validates and normalises."""
    actor = await _coordinator(session, telegram_id)
    _known(key)
    rows = await _rows(session)
    proposed = {name: row.value for name, row in rows.items()} | {key: value}
    after = check(proposed)[key]
    row = rows.get(key)
    before = row.value if row is not None else None
    if row is not None and before == after:
        return OverrideChange(key, before, after)
    if row is None:
        row = SettingOverride(key=key)
        session.add(row)
    row.value = after
    row.updated_at = now
    row.updated_by_id = actor.member_id
    _audit(session, actor, now, key, before, after)
    await session.commit()
    return OverrideChange(key, before, after)


async def reset_override(
    *, session: AsyncSession, telegram_id: int, key: str, now: dt.datetime, check: Check
) -> OverrideChange:
    """Put one setting back to the environment's default, audited; `check` validates the rest."""
    actor = await _coordinator(session, telegram_id)
    _known(key)
    rows = await _rows(session)
    row = rows.pop(key, None)
    if row is None:
        return OverrideChange(key, None, None)
    check({name: other.value for name, other in rows.items()})
    before = row.value
    await session.delete(row)
    _audit(session, actor, now, key, before, None)
    await session.commit()
    return OverrideChange(key, before, None)


async def _coordinator(session: AsyncSession, telegram_id: int) -> Actor:
    """The acting member, who must be a coordinator."""
    actor = await identify(session, telegram_id)
    require_coordinator(actor)
    return actor


def _known(key: str) -> None:
    """Refuse a key that is not a settable setting."""
    if key not in KEYS:
        raise InvalidInputError("There is no setting {key}. Send /settings to see them.", key=key)


async def _rows(session: AsyncSession) -> dict[str, SettingOverride]:
    """The stored overrides of settable keys, by key."""
    rows = await session.scalars(select(SettingOverride).where(SettingOverride.key.in_(KEYS)))
    return {row.key: row for row in rows}


def _audit(
    session: AsyncSession, actor: Actor, now: dt.datetime, key: str, before: Any, after: Any
) -> None:
    """One audit event for a changed setting (None: the environment's default)."""
    audit.record(
        session,
        at=now,
        actor=actor,
        action="setting.changed" if after is not None else "setting.reset",
        entity="setting",
        before={"key": key, "value": before},
        after={"key": key, "value": after},
    )
