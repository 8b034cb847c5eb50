"""The settings in force: the environment's, overlaid with what coordinators changed in /settings.

Every value is validated by the Settings class itself, so the rules live in one place; the sweeps
read the effective settings once per run, so a change takes effect at the next sweep.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping
from typing import Any

from annotated_types import Ge, Le
from pydantic import ValidationError
from pydantic_core import ErrorDetails
from sqlalchemy.ext.asyncio import AsyncSession

from bot.runtime import Runtime
from bot.settings import Settings
from workflows.errors import InvalidInputError
from workflows.setting_overrides import KEYS, Check, read_overrides

log = logging.getLogger(__name__)


def to_json(value: Any) -> Any:
    """A setting's value as a JSON primitive: times as "HH:MM", lists and numbers as they are."""
    if isinstance(value, dt.time):
        return value.strftime("%H:%M")
    if isinstance(value, list | tuple):
        return [to_json(item) for item in value]
    return value


def bounds(key: str) -> tuple[int | None, int | None]:
    """The smallest and largest value Settings allows for a numeric setting."""
    low = high = None
    for rule in Settings.model_fields[key].metadata:
        if isinstance(rule, Ge):
            low = int(rule.ge)  # type: ignore[call-overload]
        elif isinstance(rule, Le):
            high = int(rule.le)  # type: ignore[call-overload]
    return low, high


def _validated(base: Settings, overrides: Mapping[str, Any]) -> Settings:
    """The base settings with the overrides, validated by Settings; raises ValidationError."""
    checked = Settings.model_validate({**base.model_dump(), **overrides})
    return base.model_copy(update={key: getattr(checked, key) for key in overrides})


def _invalid(
    error: ErrorDetails, overrides: Mapping[str, Any], base: Settings
) -> InvalidInputError:
    """A clear message for the first thing Settings refused."""
    loc = error["loc"]
    key = str(loc[0]) if loc else None
    if key not in Settings.model_fields:  # the model's own rule: quiet hours
        start = overrides.get("quiet_start", to_json(base.quiet_start))
        end = overrides.get("quiet_end", to_json(base.quiet_end))
        return InvalidInputError(
            "Quiet hours run overnight: quiet_end ({end}) must be earlier than "
            "quiet_start ({start}).",
            start=start,
            end=end,
        )
    if key == "reminder_offsets":
        return InvalidInputError(
            "reminder_offsets takes distinct whole days from 0 to 366, e.g. "
            "/settings reminder_offsets 30 7 1 0."
        )
    assert key is not None
    if Settings.model_fields[key].annotation is dt.time:
        return InvalidInputError("{key} takes a time such as 21:00.", key=key)
    low, high = bounds(key)
    return InvalidInputError(
        "{key} takes a whole number from {low} to {high}.", key=key, low=low, high=high
    )


def checker(base: Settings) -> Check:
    """A check for a complete set of overrides over `base`: normalised JSON values, or an error."""

    def check(overrides: Mapping[str, Any]) -> Mapping[str, Any]:
        """The overrides as Settings reads them, or InvalidInputError saying what is wrong."""
        try:
            settings = _validated(base, overrides)
        except ValidationError as error:
            raise _invalid(error.errors()[0], overrides, base) from None
        return {key: to_json(getattr(settings, key)) for key in overrides}

    return check


def overlay(base: Settings, overrides: Mapping[str, Any]) -> Settings:
    """The base settings with the overrides; one that no longer fits is skipped with a warning."""
    try:
        return _validated(base, overrides)
    except ValidationError:
        pass
    # Say the environment changed under a stored override: keep every one that still fits.
    settings = base
    for key in KEYS:
        if key not in overrides:
            continue
        try:
            settings = _validated(settings, {key: overrides[key]})
        except ValidationError:
            log.warning("ignoring /settings %s=%r: no longer valid", key, overrides[key])
    return settings


async def settings_in(session: AsyncSession, base: Settings) -> Settings:
    """The effective settings, reading the overrides in a session the caller holds."""
    return overlay(base, await read_overrides(session=session))


async def effective_settings(runtime: Runtime) -> Settings:
    """The runtime's settings overlaid with the coordinators' overrides; read once per sweep."""
    async with runtime.session() as session:
        return await settings_in(session, runtime.settings)
