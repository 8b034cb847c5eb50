"""The board's timeline: the /chart Gantt drawn as SVG in the page, zoomable, with today's line.

The rows come from workflows/progress.py (what /chart shows the member); only the drawing is here.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from bot.runtime import Runtime
from bot.web.board import signed_in
from bot.web.pages import csrf_of, render
from workflows.access import Actor
from workflows.errors import NotFoundError
from workflows.progress import ChartRow, progress_chart

LABEL_WIDTH, CHART_WIDTH, ROW_HEIGHT, AXIS_HEIGHT = 330, 900, 24, 28
ZOOMS = (1, 2, 4)
OPEN_ENDED_DAYS = 365  # a task with no start is drawn from a year before its due date


@dataclass(frozen=True)
class Bar:
    """One task's row: its label, bar and light (grey once done)."""

    y: int
    number: int
    label: str
    x: float
    width: float
    colour: str
    open_end: bool


@dataclass(frozen=True)
class Tick:
    """A year on the axis."""

    x: float
    year: int


@dataclass(frozen=True)
class Timeline:
    """Everything the SVG needs, in the SVG's own units."""

    width: int
    height: int
    today_x: float
    bars: tuple[Bar, ...]
    ticks: tuple[Tick, ...]


def _span(rows: tuple[ChartRow, ...], today: dt.date) -> tuple[dt.date, dt.date]:
    """Whole years covering every dated task and today."""
    days = [today, *(d for row in rows for d in (row.start, row.due) if d is not None)]
    return dt.date(min(days).year, 1, 1), dt.date(max(days).year + 1, 1, 1)


def draw(rows: tuple[ChartRow, ...], today: dt.date) -> Timeline:
    """Place each task's bar on a time axis of whole years."""
    left, right = _span(rows, today)
    scale = CHART_WIDTH / max((right - left).days, 1)

    def x(day: dt.date) -> float:
        return LABEL_WIDTH + (day - left).days * scale

    bars = []
    for index, row in enumerate(rows):
        end = row.due or right
        start = row.start or (end - dt.timedelta(days=OPEN_ENDED_DAYS))
        colour = "done" if row.done else str(row.light)
        bars.append(
            Bar(
                y=AXIS_HEIGHT + index * ROW_HEIGHT,
                number=row.number,
                label=row.text,
                x=x(max(start, left)),
                width=max(x(end) - x(max(start, left)), 3),
                colour=colour,
                open_end=row.due is None,
            )
        )
    ticks = tuple(Tick(x(dt.date(year, 1, 1)), year) for year in range(left.year, right.year))
    height = AXIS_HEIGHT + len(rows) * ROW_HEIGHT + 8
    return Timeline(LABEL_WIDTH + CHART_WIDTH + 10, height, x(today), tuple(bars), ticks)


def routes(runtime: Runtime) -> list[BaseRoute]:
    """GET /board/PLAN/timeline[?zoom=2|4]."""

    async def timeline(request: Request, actor: Actor) -> Response:
        plan = request.path_params["plan"]
        async with runtime.session() as session:
            chart = await progress_chart(
                session=session,
                telegram_id=actor.telegram_id,
                now=runtime.now(),
                plan_code=plan,
                checkin_days=runtime.settings.checkin_days,
            )
        if chart.today is None or chart.plan_code != plan:
            raise NotFoundError("There is no plan called “{code}”.", code=plan[:40])
        zoom = request.query_params.get("zoom", "1")
        return render(
            request,
            "timeline.html",
            chart.language,
            actor=actor,
            csrf=csrf_of(request),
            chart=chart,
            drawing=draw(chart.rows, chart.today),
            zoom=int(zoom) if zoom in {str(z) for z in ZOOMS} else 1,
            zooms=ZOOMS,
        )

    return [Route("/board/{plan}/timeline", signed_in(runtime, timeline), methods=["GET"])]
