"""Small pieces every message uses: escaping, dates, lights, trimming."""

from __future__ import annotations

import datetime as dt
import html

from bot.i18n import tr
from workflows.lights import Light

LIGHT_MARKS = {Light.RED: "🔴", Light.YELLOW: "🟡", Light.GREEN: "🟢"}


def esc(text: object) -> str:
    """HTML-escape anything for parse_mode=HTML."""
    return html.escape(str(text), quote=False)


def trim(text: str, width: int) -> str:
    """Cut text to a width, marking the cut."""
    return text if len(text) <= width else text[: width - 1] + "…"


def fmt_date(day: dt.date | None, language: str) -> str:
    """A date as people of a language write it (2016年6月30日 / 2016-06-30)."""
    if day is None:
        return "—"
    if language == "zh":
        return f"{day.year}年{day.month}月{day.day}日"
    return day.isoformat()


def fmt_datetime(moment: dt.datetime, timezone: dt.tzinfo, language: str) -> str:
    """A moment in the plan's timezone, to the minute."""
    local = moment.astimezone(timezone)
    return f"{fmt_date(local.date(), language)} {local:%H:%M}"


def light_mark(light: Light) -> str:
    """The coloured dot of a light."""
    return LIGHT_MARKS[light]


def role_label(role: str, language: str, marker: str | None = None) -> str:
    """牵头 / 配合 (共同牵头 for a co-lead, 指导 for a guide) in the member's language."""
    if marker == "co_lead":
        return tr(language, "co-lead")
    if marker == "guide":
        return tr(language, "guide")
    return tr(language, "lead") if role == "lead" else tr(language, "co-responsible")
