"""/settings: coordinators see and change reminder offsets, cadence, quiet hours and digest time."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from babel.dates import get_day_names
from telegram import Update
from telegram.ext import Application, CommandHandler, ContextTypes

from bot.chat.commands import incoming, reply_html
from bot.chat.errors import language_of
from bot.i18n import N_, tr
from bot.live_settings import bounds, checker, overlay, to_json
from bot.render import esc
from bot.runtime import runtime_of
from bot.settings import Settings
from workflows.errors import InvalidInputError
from workflows.setting_overrides import (
    KEYS,
    OverrideChange,
    reset_override,
    set_override,
    settings_overview,
)

LABELS: dict[str, str] = {
    "reminder_offsets": N_("Deadline reminders, days before"),
    "checkin_days": N_("Check-in every (days)"),
    "checkin_follow_up_working_days": N_("Check-in follow-up after (working days)"),
    "quiet_start": N_("Quiet hours from"),
    "quiet_end": N_("Quiet hours until"),
    "daily_message_cap": N_("Scheduled messages a person gets a day (0: no cap)"),
    "escalate_after_working_days": N_("Escalate overdue tasks after (working days)"),
    "ack_reminder_working_days": N_("Remind of unacknowledged tasks after (working days)"),
    "ack_escalation_working_days": N_("Escalate unacknowledged tasks after (working days)"),
    "digest_weekday": N_("Weekly digest day"),
    "digest_time": N_("Weekly digest time"),
}
EXAMPLES: dict[str, str] = {
    "reminder_offsets": "30 7 1 0",
    "checkin_days": "14",
    "checkin_follow_up_working_days": "2",
    "quiet_start": "21:00",
    "quiet_end": "08:00",
    "daily_message_cap": "5",
    "escalate_after_working_days": "3",
    "ack_reminder_working_days": "2",
    "ack_escalation_working_days": "5",
    "digest_weekday": "Monday",
    "digest_time": "09:00",
}
RESET_WORDS = frozenset({"default", "reset", "默认", "默认值", "恢复默认", "重置"})
MAX_KEY = 40
_SEPARATORS = re.compile(r"[\s,;、]+")
_TIME = re.compile(r"(\d{1,2})(?:(?::|\.|点|时)(半|\d{1,2})?分?)?")
_WHOLE = re.compile(r"(\d{1,6}) ?(?:天|日|个?工作日|(?:working )?days?|条|messages?)?")
_DAYS = re.compile(r"\d{1,4}")


def _weekday_names() -> dict[str, int]:
    """Day names in Chinese and English (星期一, 周一, 礼拜天, Monday, Mon …) → 0 (Monday) … 6."""
    names: dict[str, int] = {}
    for locale in ("zh", "en"):
        for width in ("wide", "abbreviated"):
            for day, name in get_day_names(width, locale=locale).items():
                names[str(name).lower()] = day
    for day in range(7):
        tail = "一二三四五六日"[day]
        for head in ("星期", "周", "礼拜"):
            names[head + tail] = day
    for head in ("星期", "周", "礼拜"):
        names[head + "天"] = 6
    return names


WEEKDAYS = _weekday_names()


@dataclass(frozen=True)
class SettingsArgs:
    """What /settings was asked: show all (key None), set a key to a value, or reset it."""

    key: str | None = None
    value: Any = None
    reset: bool = False


def _usage(key: str) -> InvalidInputError:
    """The usage of /settings for one key, with an example value."""
    return InvalidInputError(
        "Usage: /settings {key} VALUE, e.g. /settings {key} {example}; "
        "/settings {key} default puts it back.",
        key=key,
        example=EXAMPLES[key],
    )


def _offsets(text: str) -> list[int]:
    """Days before a milestone: "30 7 1 0", "30,7,1,0" or "[30, 7, 1, 0]"."""
    words = [w for w in _SEPARATORS.split(text.strip("[]")) if w]
    if not words or not all(_DAYS.fullmatch(w) for w in words):
        raise InvalidInputError(
            "reminder_offsets takes distinct whole days from 0 to 366, e.g. "
            "/settings reminder_offsets 30 7 1 0."
        )
    return [int(w) for w in words]


def _time(key: str, text: str) -> str:
    """A time of day as "HH:MM": 21:00, 9:30, 21点, 21点半, 8.30."""
    match = _TIME.fullmatch(text)
    if match is not None:
        hour = int(match.group(1))
        minute = match.group(2) or "0"
        minutes = 30 if minute == "半" else int(minute)
        if hour < 24 and minutes < 60:
            return f"{hour:02d}:{minutes:02d}"
    raise InvalidInputError("{key} takes a time such as 21:00.", key=key)


def _weekday(text: str) -> int:
    """A day of the week: a name (周一, Monday, Mon) or 0 (Monday) … 6 (Sunday)."""
    if text.isdigit() and len(text) <= 2:
        return int(text)
    day = WEEKDAYS.get(text.lower())
    if day is None:
        raise InvalidInputError(
            "digest_weekday takes a day of the week: Monday … Sunday, or 0 (Monday) … 6 (Sunday)."
        )
    return day


def _whole(key: str, text: str) -> int:
    """A whole number of days, "14" or "14天"."""
    match = _WHOLE.fullmatch(text.lower())
    if match is None:
        low, high = bounds(key)
        raise InvalidInputError(
            "{key} takes a whole number from {low} to {high}.", key=key, low=low, high=high
        )
    return int(match.group(1))


def parse_value(key: str, text: str) -> Any:
    """A typed value for a setting as a JSON primitive; syntax only, Settings checks the rest."""
    if key == "reminder_offsets":
        return _offsets(text)
    if key == "digest_weekday":
        return _weekday(text)
    if Settings.model_fields[key].annotation is dt.time:
        return _time(key, text)
    return _whole(key, text)


def parse_settings_args(text: str) -> SettingsArgs:
    """ "" (show all), "KEY VALUE" (set) or "KEY default" (reset); raises InvalidInputError."""
    cleaned = unicodedata.normalize("NFKC", text).strip()
    if not cleaned:
        return SettingsArgs()
    head, _, rest = cleaned.partition(" ")
    key = head.lower().replace("-", "_")
    if key not in KEYS:
        raise InvalidInputError(
            "There is no setting {key}. Send /settings to see them.", key=head[:MAX_KEY]
        )
    rest = " ".join(rest.split())
    if not rest:
        raise _usage(key)
    if rest.lower() in RESET_WORDS:
        return SettingsArgs(key, reset=True)
    return SettingsArgs(key, parse_value(key, rest))


def show(key: str, value: Any, language: str) -> str:
    """A setting's value as people read it (days listed, weekday named, time as HH:MM)."""
    value = to_json(value)
    if key == "digest_weekday":
        return str(get_day_names("wide", locale=language).get(int(value), value))
    if isinstance(value, list):
        sep = "、" if language == "zh" else ", "
        return sep.join(str(days) for days in value) or tr(language, "none")
    return str(value)


def settings_text(base: Settings, overrides: dict[str, Any], language: str) -> str:
    """Every settable value, marking those changed from the environment's default."""
    current = overlay(base, overrides)
    lines = [tr(language, "⚙️ <b>Settings</b>")]
    for key in KEYS:
        value = esc(show(key, getattr(current, key), language))
        colon = "：" if language == "zh" else ": "
        line = f"{esc(tr(language, LABELS[key]))}{colon}<b>{value}</b>"
        if key in overrides:
            default = esc(show(key, getattr(base, key), language))
            line += " " + tr(language, "✏️ (default {value})", value=default)
        lines.append(f"{line} · <code>{key}</code>")
    lines += [
        "",
        tr(language, "✏️ changed here; the rest come from the server's configuration."),
        tr(language, "Change: /settings KEY VALUE, e.g. /settings quiet_start 21:00"),
        tr(language, "Back to the default: /settings KEY default"),
    ]
    return "\n".join(lines)


def change_text(change: OverrideChange, base: Settings, language: str) -> str:
    """What a change or reset did, in one or two lines."""
    label = esc(tr(language, LABELS[change.key]))
    before = change.before if change.before is not None else getattr(base, change.key)
    after = change.after if change.after is not None else getattr(base, change.key)
    was, now = esc(show(change.key, before, language)), esc(show(change.key, after, language))
    if not change.changed or (change.after is not None and was == now):
        return tr(language, "{label} is already {value}.", label=label, value=now)
    if change.after is None:
        done = tr(
            language, "✅ {label} is back to the default: <b>{value}</b>.", label=label, value=now
        )
    else:
        done = tr(
            language, "✅ {label}: <b>{value}</b> (was {was}).", label=label, value=now, was=was
        )
    return done + "\n" + tr(language, "It applies from the next scheduled run, within minutes.")


async def on_settings(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/settings, /settings KEY VALUE, /settings KEY default."""
    message, user_id, text = incoming(update)
    runtime = runtime_of(context)
    async with runtime.session() as session:
        stored = await settings_overview(session=session, telegram_id=user_id)
    wanted = parse_settings_args(text)
    language = await language_of(update, context)
    base = runtime.settings
    if wanted.key is None:
        overrides = {item.key: item.value for item in stored}
        await reply_html(message, [settings_text(base, overrides, language)])
        return
    async with runtime.session() as session:
        if wanted.reset:
            change = await reset_override(
                session=session,
                telegram_id=user_id,
                key=wanted.key,
                now=runtime.now(),
                check=checker(base),
            )
        else:
            change = await set_override(
                session=session,
                telegram_id=user_id,
                key=wanted.key,
                value=wanted.value,
                now=runtime.now(),
                check=checker(base),
            )
    await reply_html(message, [change_text(change, base, language)])


def register(application: Application) -> None:  # type: ignore[type-arg]
    """Add /settings."""
    application.add_handler(CommandHandler("settings", on_settings))
