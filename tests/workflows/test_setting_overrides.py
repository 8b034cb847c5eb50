"""Setting overrides: coordinators change and reset them, audited, checked by the caller."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import pytest
from sqlalchemy import select

from db.enums import MemberRole
from db.models import SettingOverride
from tests.kit.cast import Person, Sessions, cast, coordinator
from tests.kit.office import BOSS, LIAISON, NOW, events
from workflows.errors import ForbiddenError, InvalidInputError, NotRegisteredError
from workflows.setting_overrides import (
    KEYS,
    OverrideChange,
    read_overrides,
    reset_override,
    set_override,
    settings_overview,
)

LATER = NOW + dt.timedelta(hours=1)


def check(overrides: Mapping[str, Any]) -> Mapping[str, Any]:
    """A stand-in for the bot's check: offsets sorted, quiet_end before quiet_start."""
    if overrides.get("quiet_end", "08:30") >= overrides.get("quiet_start", "20:00"):
        raise InvalidInputError("quiet hours")
    normalised = dict(overrides)
    if "reminder_offsets" in normalised:
        normalised["reminder_offsets"] = sorted(normalised["reminder_offsets"], reverse=True)
    return normalised


async def people(sessions: Sessions) -> None:
    """A coordinator and a liaison."""
    await cast(
        sessions,
        coordinator(BOSS, "主任"),
        Person(LIAISON, None, MemberRole.LIAISON, "小李"),  # of no agency
        now=NOW,
        plan=None,
    )


async def change(
    sessions: Sessions, key: str, value: Any, *, telegram_id: int = BOSS, now: dt.datetime = NOW
) -> OverrideChange:
    """Set one setting as a member."""
    async with sessions() as session:
        return await set_override(
            session=session, telegram_id=telegram_id, key=key, value=value, now=now, check=check
        )


async def reset(sessions: Sessions, key: str, *, telegram_id: int = BOSS) -> OverrideChange:
    """Reset one setting as a member."""
    async with sessions() as session:
        return await reset_override(
            session=session, telegram_id=telegram_id, key=key, now=LATER, check=check
        )


async def overrides(sessions: Sessions) -> dict[str, Any]:
    """The stored overrides."""
    async with sessions() as session:
        return await read_overrides(session=session)


async def test_set_change_and_reset_are_stored_and_audited(session_factory: Sessions) -> None:
    """A value is stored normalised, changed, reset to the default; each step audited."""
    await people(session_factory)
    assert await overrides(session_factory) == {}
    first = await change(session_factory, "reminder_offsets", [1, 14, 3])
    assert first == OverrideChange("reminder_offsets", None, [14, 3, 1])
    assert first.changed
    second = await change(session_factory, "quiet_start", "21:00", now=LATER)
    assert second == OverrideChange("quiet_start", None, "21:00")
    again = await change(session_factory, "quiet_start", "21:00")
    assert not again.changed
    moved = await change(session_factory, "quiet_start", "22:30")
    assert moved == OverrideChange("quiet_start", "21:00", "22:30")
    assert await overrides(session_factory) == {
        "reminder_offsets": [14, 3, 1],
        "quiet_start": "22:30",
    }
    async with session_factory() as session:
        shown = await settings_overview(session=session, telegram_id=BOSS)
    assert [(item.key, item.value, item.updated_by) for item in shown] == [
        ("reminder_offsets", [14, 3, 1], "主任"),
        ("quiet_start", "22:30", "主任"),
    ]
    assert await reset(session_factory, "quiet_start") == OverrideChange(
        "quiet_start", "22:30", None
    )
    assert await reset(session_factory, "quiet_start") == OverrideChange("quiet_start", None, None)
    assert await overrides(session_factory) == {"reminder_offsets": [14, 3, 1]}
    changed = await events(session_factory, "setting.changed")
    assert [(e.before, e.after) for e in changed] == [
        (
            {"key": "reminder_offsets", "value": None},
            {"key": "reminder_offsets", "value": [14, 3, 1]},
        ),
        ({"key": "quiet_start", "value": None}, {"key": "quiet_start", "value": "21:00"}),
        ({"key": "quiet_start", "value": "21:00"}, {"key": "quiet_start", "value": "22:30"}),
    ]
    [reset_event] = await events(session_factory, "setting.reset")
    assert reset_event.after == {"key": "quiet_start", "value": None}
    assert reset_event.actor_member_id is not None
    async with session_factory() as session:
        row = await session.get(SettingOverride, "reminder_offsets")
    assert row is not None
    assert row.updated_at == NOW
    assert row.updated_by_id == reset_event.actor_member_id


async def test_the_check_sees_every_override_together(session_factory: Sessions) -> None:
    """A value that clashes with another override is refused; so is a reset that would clash."""
    await people(session_factory)
    await change(session_factory, "quiet_start", "23:00")
    await change(session_factory, "quiet_end", "21:00")
    with pytest.raises(InvalidInputError):
        await change(session_factory, "quiet_start", "20:30")
    with pytest.raises(InvalidInputError):
        await reset(session_factory, "quiet_start")
    assert await overrides(session_factory) == {"quiet_start": "23:00", "quiet_end": "21:00"}
    assert len(await events(session_factory, "setting.changed")) == 2


async def test_only_coordinators_and_only_known_keys(session_factory: Sessions) -> None:
    """Liaisons and strangers are refused; an unknown key names itself; nothing is stored."""
    await people(session_factory)
    with pytest.raises(ForbiddenError):
        await change(session_factory, "checkin_days", 7, telegram_id=LIAISON)
    with pytest.raises(ForbiddenError):
        await reset(session_factory, "checkin_days", telegram_id=LIAISON)
    with pytest.raises(NotRegisteredError):
        await change(session_factory, "checkin_days", 7, telegram_id=999)
    async with session_factory() as session:
        with pytest.raises(ForbiddenError):
            await settings_overview(session=session, telegram_id=LIAISON)
    with pytest.raises(InvalidInputError) as refused:
        await change(session_factory, "telegram_token", "x")
    assert refused.value.params == {"key": "telegram_token"}
    assert await overrides(session_factory) == {}


async def test_rows_of_unknown_keys_are_ignored(session_factory: Sessions) -> None:
    """A row left by an older version (a key no longer settable) is not read."""
    async with session_factory() as session:
        session.add(SettingOverride(key="retired", value=1, updated_at=NOW))
        session.add(SettingOverride(key="checkin_days", value=7, updated_at=NOW))
        await session.commit()
    assert await overrides(session_factory) == {"checkin_days": 7}
    async with session_factory() as session:
        assert len(list(await session.scalars(select(SettingOverride)))) == 2
    assert "checkin_days" in KEYS
