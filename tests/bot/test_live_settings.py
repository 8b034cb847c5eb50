"""The effective settings: the environment's, overlaid with coordinators' validated overrides."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.live_settings import checker, overlay, to_json
from bot.settings import Settings
from workflows.errors import InvalidInputError

BASE = Settings(quiet_start=dt.time(22, 0), quiet_end=dt.time(7, 0))


def test_overrides_are_validated_and_normalised_by_settings() -> None:
    """Offsets come back sorted, times as HH:MM; the base itself is untouched."""
    check = checker(BASE)
    assert check({"reminder_offsets": [1, 14, 3], "quiet_start": "21:30"}) == {
        "reminder_offsets": [14, 3, 1],
        "quiet_start": "21:30",
    }
    merged = overlay(BASE, {"reminder_offsets": [3], "digest_time": "08:15"})
    assert merged.reminder_offsets == [3]
    assert merged.digest_time == dt.time(8, 15)
    assert merged.quiet_start == dt.time(22, 0)
    assert BASE.reminder_offsets == [30, 7, 1, 0]
    assert to_json([dt.time(9, 5)]) == ["09:05"]


@pytest.mark.parametrize(
    ("overrides", "template"),
    [
        ({"checkin_days": 0}, "{key} takes a whole number from {low} to {high}."),
        (
            {"quiet_start": "06:00"},
            "Quiet hours run overnight: quiet_end ({end}) must be earlier "
            "than quiet_start ({start}).",
        ),
        (
            {"reminder_offsets": [1, 1]},
            "reminder_offsets takes distinct whole days from 0 to 366, "
            "e.g. /settings reminder_offsets 30 7 1 0.",
        ),
        ({"digest_time": "noon"}, "{key} takes a time such as 21:00."),
    ],
)
def test_refusals_name_the_rule(overrides: dict[str, object], template: str) -> None:
    """Whatever Settings refuses becomes one translatable line."""
    with pytest.raises(InvalidInputError) as refused:
        checker(BASE)(overrides)
    assert refused.value.template == template


def test_an_override_the_environment_outgrew_is_skipped(caplog: pytest.LogCaptureFixture) -> None:
    """quiet_end 21:00 fits a 22:00 start, not a 20:00 one: skipped with a warning, others kept."""
    stored = {"quiet_end": "21:00", "checkin_days": 7}
    assert overlay(BASE, stored).quiet_end == dt.time(21, 0)
    merged = overlay(Settings(quiet_start=dt.time(20, 0), quiet_end=dt.time(8, 30)), stored)
    assert merged.quiet_end == dt.time(8, 30)
    assert merged.checkin_days == 7
    assert "quiet_end" in caplog.text
