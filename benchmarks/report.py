"""The results as a rich table for the terminal and as docs/performance.md."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

from rich.table import Table

from benchmarks.common import Figure, Machine, Report
from benchmarks.sizes import Sizes

FINDINGS = Path(__file__).with_name("findings.md")


def _number(value: float) -> str:
    if value >= 100:
        return f"{value:,.0f}"
    if value >= 10:
        return f"{value:.1f}"
    return f"{value:.3g}"


def _value(figure: Figure) -> str:
    return f"{_number(figure.value)} {figure.unit}"


def _baseline(figure: Figure) -> str:
    if figure.baseline is None:
        return ""
    return f"{figure.baseline_name}: {_number(figure.baseline)} {figure.unit}"


def _ratio(figure: Figure) -> str:
    ratio = figure.ratio
    if ratio is None:
        return ""
    if ratio >= 100:
        return f"{ratio:,.0f}×"
    return f"{ratio:.2f}×" if ratio >= 0.1 else f"{ratio:.2g}×"


def _met(figure: Figure) -> str:
    return {True: "yes", False: "NO", None: ""}[figure.met]


def _machine_line(here: Machine) -> str:
    return (
        f"{here.cores} cores ({here.cpu}), {here.memory_gb:.1f} GB memory, "
        f"Python {here.python}, {here.system}"
    )


def render_table(report: Report, here: Machine, when: dt.datetime, size: str) -> Table:
    """The figures as a rich table."""
    table = Table(
        title=f"annexbot benchmarks · {when:%Y-%m-%d %H:%M} UTC · size {size}",
        caption=_machine_line(here),
    )
    for column in ("benchmark", "figure", "database", "median", "baseline (same run)", "ratio"):
        table.add_column(column)
    table.add_column("goal")
    table.add_column("met")
    table.add_column("note")
    for figure in report.figures:
        table.add_row(
            figure.benchmark,
            figure.name,
            figure.database,
            _value(figure),
            _baseline(figure),
            _ratio(figure),
            figure.goal,
            _met(figure),
            figure.note,
        )
    return table


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render_markdown(
    report: Report,
    here: Machine,
    when: dt.datetime,
    size: str,
    sizes: Sizes,
    seconds: float,
    load: tuple[tuple[float, float, float], tuple[float, float, float]],
) -> str:
    """docs/performance.md: where and how it was measured, the table, notes and findings."""
    databases = sorted({f.database for f in report.figures})
    start_load, end_load = (" / ".join(f"{v:.1f}" for v in triple) for triple in load)
    lines = [
        "# Performance",
        "",
        "Written by `python -m benchmarks` (see the README); do not edit the tables by hand.",
        "",
        f"- **Date:** {when:%Y-%m-%d %H:%M} UTC",
        f"- **Machine:** {_machine_line(here)}",
        f"- **Load average (1/5/15 min):** {start_load} at the start, {end_load} at the end "
        "(other processes shared the machine; each comparison is against a baseline measured "
        "in the same run for that reason)",
        f"- **Databases:** {', '.join(databases) or 'none'}",
        f"- **Size:** `{size}` ({_sizes_line(sizes)}); the whole run took {seconds / 60:.1f} min",
        "- **Figures:** each is the median of several runs (see each benchmark below); a ratio "
        "is the figure divided by its baseline",
        "",
        "| # | figure | database | median | baseline (same run) | ratio | goal | met | note |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for figure in report.figures:
        cells = (
            figure.benchmark,
            figure.name,
            figure.database,
            _value(figure),
            _baseline(figure),
            _ratio(figure),
            figure.goal,
            _met(figure),
            figure.note,
        )
        lines.append("| " + " | ".join(_cell(c) for c in cells) + " |")
    if report.notes:
        lines += ["", "## Notes from this run", ""]
        lines += [f"- {_cell(note)}" for note in report.notes]
    lines.append("")
    if FINDINGS.exists():
        lines += [FINDINGS.read_text().rstrip(), ""]
    return "\n".join(lines)


def _sizes_line(sizes: Sizes) -> str:
    shown = dataclasses.asdict(sizes)
    shown["milestones"] = "/".join(f"{n:,}" for n in sizes.milestones)
    return ", ".join(f"{key} {value}" for key, value in shown.items())
