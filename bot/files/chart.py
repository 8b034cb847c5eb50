"""The progress chart: a Gantt-style PNG of a plan's tasks, grouped by lead unit, lit by light.

Drawn on a bare matplotlib Figure with the Agg canvas (no pyplot, no global rc changes), so
charts can be rendered from several threads. Chinese labels need a CJK font: the bundled
Noto Sans CJK collection (package noto-cjk-sans-otc) or one installed on the system.
"""

from __future__ import annotations

import datetime as dt
import functools
import io
import logging
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from typing import TYPE_CHECKING

from bot.i18n import tr
from bot.render import trim
from workflows.lights import Light
from workflows.progress import ChartRow

if TYPE_CHECKING:  # matplotlib is imported when a chart is drawn: it is big and often idle
    from matplotlib.artist import Artist
    from matplotlib.axes import Axes

log = logging.getLogger(__name__)

FONT_PACKAGE = "noto_cjk_sans_otc"
FONT_FILE = "NotoSansCJK-Regular.ttc"
# The SC face first: the same collection's JP face would draw Chinese with Japanese forms.
CJK_FAMILIES = (
    "Noto Sans CJK SC",
    "Noto Sans SC",
    "Source Han Sans SC",
    "Source Han Sans CN",
    "WenQuanYi Micro Hei",
    "WenQuanYi Zen Hei",
)
FALLBACK_FAMILY = "DejaVu Sans"

DPI = 225
WIDTH_IN = 6.4  # 1440 px: wide enough to read on a phone without zooming
ROW_IN = 0.27
EXTRA_IN = 2.3  # title, date axis and legend
LABEL_PT = 10.0
SMALL_PT = 9.0
LABEL_CHARS = 13
HEADER_CHARS = 44  # an English unit name on one line of the plot

# Okabe-Ito shades, told apart by most colour-blind readers; the marker tells them apart too.
COLOURS = {Light.RED: "#D55E00", Light.YELLOW: "#E69F00", Light.GREEN: "#009E73"}
MARKERS = {Light.RED: "X", Light.YELLOW: "^", Light.GREEN: "o"}
TODAY_COLOUR = "#0072B2"
HEADER_BAND = "#EEEEEE"
HEADER_TEXT = "#333333"
BAR_HEIGHT = 0.62
BAR_ALPHA = 0.9
DONE_ALPHA = 0.45
DONE_HATCH = "////"
FADE_STEPS = 12
TITLE_PT = 12.0
X_EPOCH = dt.date(1970, 1, 1)
SHORT_SPAN_DAYS = 800  # up to about two years, quarters are labelled
YEAR_STEPS = (1, 2, 5, 10, 20)
YEAR_LABEL_IN = SMALL_PT / 72 * 0.62 * 4 * 1.8  # "2016" at the small size, with a gap beside it
AXIS_SHARE = 0.72  # of the figure's width, the time axis takes about this much
# A page is what a phone shows well: Telegram keeps a photo's longer side at 1280 px, so a
# page of at most PAGE_ROWS rows (tasks and lead-unit headings) is drawn to be 1280 px tall at
# most; the whole chart goes along as a file at the full DPI.
PAGE_PIXELS = 1280
PAGE_ROWS = 36
PAGE_WIDTH_IN = 9.0
PAGE_LABEL_CHARS = 20

_font_lock = threading.Lock()
_font_family: list[str | None] = []


def _register_bundled_font() -> None:
    """Add the bundled CJK collection to matplotlib's font list, when it is installed."""
    from matplotlib import font_manager

    try:
        path = resources.files(FONT_PACKAGE).joinpath(FONT_FILE)
    except ModuleNotFoundError:
        return
    if path.is_file():
        font_manager.fontManager.addfont(str(path))


def _find_cjk_family() -> str | None:
    """The first CJK family matplotlib can load, after registering the bundled font."""
    from matplotlib import font_manager

    _register_bundled_font()
    for family in CJK_FAMILIES:
        try:
            font_manager.findfont(
                font_manager.FontProperties(family=family), fallback_to_default=False
            )
        except ValueError:
            continue
        return family
    return None


def cjk_family() -> str | None:
    """The CJK font family for chart labels, looked up once; None when there is none."""
    with _font_lock:
        if not _font_family:
            _font_family.append(_find_cjk_family())
        return _font_family[0]


def reset_font_cache() -> None:
    """Forget the font lookup (for tests)."""
    with _font_lock:
        _font_family.clear()


def _lead_name(row: ChartRow, language: str) -> str:
    """The lead unit as a reader of a language knows it."""
    if language == "en" and row.lead_en:
        return row.lead_en
    return row.lead or tr(language, "(no lead unit)")


def _groups(rows: Sequence[ChartRow], language: str) -> list[tuple[str, list[ChartRow]]]:
    """Rows grouped by lead unit, groups in the order of their first task number."""
    groups: dict[str, list[ChartRow]] = {}
    for row in sorted(rows, key=lambda r: r.number):
        groups.setdefault(_lead_name(row, language), []).append(row)
    return list(groups.items())


Groups = list[tuple[str, list[ChartRow]]]


def chart_pages(rows: Sequence[ChartRow], language: str, most: int = PAGE_ROWS) -> list[Groups]:
    """Lead units' groups packed into pages of at most `most` rows (each heading is a row).

    A unit keeps its tasks on one page when they fit one; a unit with more goes on over
    pages, its heading repeated at the top of each.
    """
    pages: list[Groups] = [[]]
    used = 0
    for name, members in _groups(rows, language):
        if used and used + 1 + len(members) > most and len(members) < most:
            pages.append([])
            used = 0
        while members:
            if used + 2 > most:
                pages.append([])
                used = 0
            taken, members = members[: most - used - 1], members[most - used - 1 :]
            pages[-1].append((name, taken))
            used += 1 + len(taken)
    return pages


def _x(day: dt.date) -> float:
    """A date as a position on the chart's time axis (days since 1970-01-01)."""
    return float((day - X_EPOCH).days)


def _x_range(rows: Sequence[ChartRow], today: dt.date) -> tuple[dt.date, dt.date]:
    """The dates the chart spans: every start and due date and today, with margins."""
    days = [today, *(r.start for r in rows if r.start), *(r.due for r in rows if r.due)]
    first, last = min(days), max(days)
    span = max((last - first).days, 180)
    return first - dt.timedelta(days=span // 30 + 15), last + dt.timedelta(days=span // 8 + 30)


def _bar(
    ax: Axes,
    y: float,
    left: float,
    width: float,
    colour: str,
    alpha: float,
    *,
    hatch: str | None = None,
) -> None:
    """One bar segment of a row."""
    ax.barh(
        y,
        width,
        left=left,
        height=BAR_HEIGHT,
        color=colour,
        alpha=alpha,
        hatch=hatch,
        edgecolor=colour if hatch else "none",
        linewidth=0.8 if hatch else 0,
    )


def _draw_row(ax: Axes, y: float, row: ChartRow, today: dt.date, right: dt.date) -> None:
    """One task: a bar from start to due, fading to the right edge when ongoing."""
    colour = COLOURS[row.light]
    alpha = DONE_ALPHA if row.done else BAR_ALPHA
    hatch = DONE_HATCH if row.done else None
    if row.ongoing:
        edge = _x(right)
        start = _x(row.start) if row.start else ax.get_xlim()[0]
        solid_end = min(max(_x(row.due or today), start), edge)
        if solid_end > start:
            _bar(ax, y, start, solid_end - start, colour, alpha, hatch=hatch)
        step = (edge - solid_end) / FADE_STEPS
        for i in range(FADE_STEPS):
            fade = alpha * (1 - (i + 1) / (FADE_STEPS + 1))
            _bar(ax, y, solid_end + i * step, step, colour, fade)
        ax.plot([edge], [y], marker=">", markersize=7, color=colour, alpha=0.6, clip_on=False)
    elif row.start is not None and row.due is not None:
        _bar(ax, y, _x(row.start), _x(row.due) - _x(row.start), colour, alpha, hatch=hatch)
    elif row.due is not None:
        # A due date without a start is a milestone: a diamond on the day.
        ax.plot([_x(row.due)], [y], marker="D", markersize=8, color=colour, alpha=alpha)


def _year_step(left: dt.date, right: dt.date, width_in: float) -> int:
    """Years between labels so that labels never run together on an axis this wide."""
    years = max((right - left).days / 365.25, 1.0)
    per_year = width_in * AXIS_SHARE / years
    return next((step for step in YEAR_STEPS if step * per_year >= YEAR_LABEL_IN), 50)


def _date_axis(ax: Axes, left: dt.date, right: dt.date, width_in: float) -> None:
    """Labelled ticks at years (quarters on a short chart), top and bottom, with a grid.

    Over a long span years are labelled every 2, 5 or 10 so that the labels never touch; the
    other years keep a tick.
    """
    quarters = [
        dt.date(year, month, 1)
        for year in range(left.year, right.year + 1)
        for month in (1, 4, 7, 10)
        if left <= dt.date(year, month, 1) <= right
    ]
    if (right - left).days > SHORT_SPAN_DAYS:
        step = _year_step(left, right, width_in)
        years = [day for day in quarters if day.month == 1]
        major = [day for day in years if day.year % step == 0]
        labels = [str(day.year) for day in major]
        minor = [day for day in (years if step > 1 else quarters) if day not in major]
    else:
        major, labels = quarters, [f"{day:%Y-%m}" for day in quarters]
        minor = []
    ax.set_xticks([_x(day) for day in major], labels=labels)
    ax.set_xticks([_x(day) for day in minor], minor=True)
    ax.tick_params(axis="x", labelsize=SMALL_PT, top=True, labeltop=True)
    ax.tick_params(axis="x", which="minor", top=True)
    ax.tick_params(axis="y", left=False)
    ax.grid(axis="x", which="major", color="#BBBBBB", linewidth=0.6)
    ax.set_axisbelow(True)


def _legend(language: str, today: dt.date) -> tuple[list[Artist], list[str]]:
    """Legend entries: the three lights with their markers, done, ongoing and today."""
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    handles: list[Artist] = [
        Line2D([], [], linestyle="none", marker=MARKERS[light], markersize=8, color=COLOURS[light])
        for light in (Light.RED, Light.YELLOW, Light.GREEN)
    ]
    labels = [
        tr(language, "Red: overdue or blocked"),
        tr(language, "Yellow: at risk, due soon or silent"),
        tr(language, "Green: on track"),
    ]
    handles.append(
        Patch(
            facecolor=COLOURS[Light.GREEN],
            alpha=DONE_ALPHA,
            hatch=DONE_HATCH,
            edgecolor=COLOURS[Light.GREEN],
        )
    )
    labels.append(tr(language, "Done ✓"))
    handles.append(
        Line2D([], [], color="#777777", marker=">", markersize=6, linewidth=3, alpha=0.6)
    )
    labels.append(tr(language, "Ongoing (no end date)"))
    handles.append(Line2D([], [], color=TODAY_COLOUR, linestyle="--", linewidth=1.5))
    labels.append(tr(language, "Today ({date})", date=today.isoformat()))
    return handles, labels


@dataclass(frozen=True)
class ChartPictures:
    """A chart as photos of a page each, and the whole chart as one picture when it pages."""

    pages: tuple[bytes, ...]
    full: bytes | None


def _no_chart(rows: Sequence[ChartRow]) -> str | None:
    """The CJK font family to draw with; None (and why, in the log) when nothing can be drawn."""
    family = cjk_family()
    if family is None:
        log.warning(
            "progress chart unavailable: no CJK font found (tried %s; install the "
            "noto-cjk-sans-otc package or the fonts-noto-cjk system package)",
            ", ".join(CJK_FAMILIES),
        )
        return None
    if not rows:
        log.info("progress chart skipped: no tasks")
        return None
    return family


def render_gantt(
    rows: Sequence[ChartRow], *, today: dt.date, language: str, title: str | None = None
) -> bytes | None:
    """The whole chart as one PNG at full DPI; None without a CJK font (logged) or tasks."""
    family = _no_chart(rows)
    if family is None:
        return None
    span = _x_range(rows, today)
    heading = title or tr(language, "Progress as of {date}", date=today.isoformat())
    return _draw(_groups(rows, language), family, span, today, language, heading, _FULL)


def render_chart(
    rows: Sequence[ChartRow], *, today: dt.date, language: str, title: str | None = None
) -> ChartPictures | None:
    """Pages a phone reads (at most 1280 px) and the whole chart when it pages; None as above."""
    family = _no_chart(rows)
    if family is None:
        return None
    heading = title or tr(language, "Progress as of {date}", date=today.isoformat())
    return _pictures(tuple(rows), today, language, heading, family)


# The weekly digest sends the same chart to every coordinator: it is drawn once.
@functools.lru_cache(maxsize=4)
def _pictures(
    rows: tuple[ChartRow, ...], today: dt.date, language: str, heading: str, family: str
) -> ChartPictures:
    """The pages and the whole chart of rows, drawn (and kept for the next same request)."""
    span = _x_range(rows, today)
    pages = chart_pages(rows, language)
    drawn = tuple(
        _draw(
            groups,
            family,
            span,
            today,
            language,
            f"{heading} ({index}/{len(pages)})" if len(pages) > 1 else heading,
            _PAGE,
        )
        for index, groups in enumerate(pages, start=1)
    )
    if len(pages) == 1:
        return ChartPictures(drawn, None)
    full = _draw(_groups(rows, language), family, span, today, language, heading, _FULL)
    return ChartPictures(drawn, full)


@dataclass(frozen=True)
class _Scale:
    """How a picture is drawn: figure width, DPI and how much of a task's text is shown."""

    width_in: float
    dpi: float
    label_chars: int


_FULL = _Scale(WIDTH_IN, DPI, LABEL_CHARS)
_PAGE = _Scale(PAGE_WIDTH_IN, PAGE_PIXELS / (PAGE_ROWS * ROW_IN + EXTRA_IN), PAGE_LABEL_CHARS)


def _draw(
    groups: Groups,
    family: str,
    span: tuple[dt.date, dt.date],
    today: dt.date,
    language: str,
    title: str,
    scale: _Scale,
) -> bytes:
    """Draw groups of rows on one figure over a date span and return the PNG."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fonts = [family, FALLBACK_FAMILY]
    count = sum(len(members) for _, members in groups) + len(groups)
    figure = Figure(
        figsize=(scale.width_in, count * ROW_IN + EXTRA_IN), dpi=scale.dpi, layout="constrained"
    )
    FigureCanvasAgg(figure)
    marks, ax = figure.subplots(
        1, 2, sharey=True, gridspec_kw={"width_ratios": [0.35, 10], "wspace": 0}
    )
    left, right = span
    ax.set_xlim(_x(left), _x(right))
    ax.set_ylim(count - 0.5, -0.5)
    ticks: list[float] = []
    labels: list[str] = []
    y = 0
    for name, members in groups:
        ax.axhspan(y - 0.5, y + 0.5, color=HEADER_BAND, linewidth=0, zorder=0)
        ax.text(
            0.006,
            y,
            trim(name, HEADER_CHARS),
            transform=ax.get_yaxis_transform(),
            va="center",
            ha="left",
            fontsize=LABEL_PT,
            color=HEADER_TEXT,
            family=fonts,
            # Over the today line and grid, never widening the layout.
            bbox={"facecolor": HEADER_BAND, "edgecolor": "none", "pad": 1.0},
            zorder=5,
            clip_on=True,
            in_layout=False,
        )
        y += 1
        for row in members:
            _draw_row(ax, y, row, today, right)
            marks.plot(
                [0.5],
                [y],
                linestyle="none",
                marker=MARKERS[row.light],
                markersize=7,
                color=COLOURS[row.light],
            )
            if row.done:
                done_at = row.due if row.due and not row.ongoing else today
                ax.text(
                    _x(done_at),
                    y,
                    " ✓",
                    va="center",
                    ha="left",
                    fontsize=LABEL_PT,
                    color=COLOURS[Light.GREEN],
                    family=fonts,
                    zorder=5,
                )
            elif row.start is None and row.due is None and not row.ongoing:
                ax.text(
                    0.02,
                    y,
                    tr(language, "no dates"),
                    transform=ax.get_yaxis_transform(),
                    va="center",
                    fontsize=SMALL_PT,
                    color="#777777",
                    family=fonts,
                )
            ticks.append(y)
            labels.append(f"{row.number}  {trim(row.text, scale.label_chars)}")
            y += 1
    marks.set_xlim(0, 1)
    marks.set_yticks(ticks, labels=labels, fontsize=LABEL_PT, family=fonts)
    marks.tick_params(axis="y", length=0)
    marks.tick_params(axis="x", bottom=False, labelbottom=False)
    for spine in marks.spines.values():
        spine.set_visible(False)
    _date_axis(ax, left, right, scale.width_in)
    ax.axvline(_x(today), color=TODAY_COLOUR, linestyle="--", linewidth=1.5, zorder=4)
    figure.suptitle(
        title,
        fontsize=TITLE_PT,
        family=fonts,
    )
    handles, legend_labels = _legend(language, today)
    figure.legend(
        handles,
        legend_labels,
        loc="outside lower center",
        ncols=2,
        frameon=False,
        prop={"family": fonts, "size": SMALL_PT},
    )
    buffer = io.BytesIO()
    # No timestamp or version in the file, so the same chart gives the same bytes.
    figure.savefig(buffer, format="png", dpi=scale.dpi, metadata={"Software": None})
    return buffer.getvalue()
