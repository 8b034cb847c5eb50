"""Benchmark 5: importing the bundled annex and a generated CSV annex of many rows."""

from __future__ import annotations

import csv
import datetime as dt
import io
import time

from rich.console import Console

from benchmarks.common import Database, Figure, Report, median, sessions_on
from workflows.importing.interpret import interpret_annex
from workflows.importing.readers import read_annex
from workflows.importing.service import bundled_annex, import_annex

NOW = dt.datetime(2015, 2, 1, 2, 0, tzinfo=dt.UTC)
BUNDLED_GOAL_S = 0.1
CSV_GOAL_S = 3.0
UNITS = (
    "发展改革委",
    "工业和信息化部",
    "科技部",
    "财政部",
    "国资委",
    "网信办",
    "公安部",
    "商务部",
    "教育部",
    "质检总局",
    "能源局",
    "知识产权局",
)
SCHEDULES = ("2016年底前", "2015—2017年实施", "2015年开始实施", "持续推进", "2016年6月底前")


def generated_csv(rows: int) -> bytes:
    """A CSV annex: a header row and `rows` short tasks naming directory units and schedules."""
    out = io.StringIO()
    writer = csv.writer(out)
    # No 序号 column: the reader numbers rows by position (a number cell has at most 4 digits).
    writer.writerow(["工作任务", "牵头单位", "配合单位", "时间进度"])
    for number in range(1, rows + 1):
        lead = UNITS[number % len(UNITS)]
        co = "、".join(UNITS[(number + k) % len(UNITS)] for k in (1, 5))
        writer.writerow(
            [
                # Short rows: 10,000 of them must stay under the reader's 1 MB limit.
                f"推进数据共享{number}",
                lead,
                co,
                SCHEDULES[number % len(SCHEDULES)],
            ]
        )
    return out.getvalue().encode()


async def run(
    report: Report, database: Database, *, rows: int, runs: int, console: Console
) -> None:
    """Time imports of the bundled annex and of a `rows`-row CSV, each into a new plan."""
    bundled = bundled_annex("gf-2015-5")
    generated = generated_csv(rows)
    async with sessions_on(database) as sessions:

        async def import_one(data: bytes, code: str, filename: str | None) -> float:
            async with sessions() as session:
                started = time.perf_counter()
                result = await import_annex(
                    session=session,
                    data=data,
                    now=NOW,
                    timezone="Asia/Shanghai",
                    plan_code=code,
                    filename=filename,
                )
                elapsed = time.perf_counter() - started
            assert result.applied, f"import of {code} was not written"
            return elapsed

        def parse_only(data: bytes, filename: str | None) -> float:
            started = time.perf_counter()
            raw = read_annex(data, filename=filename)
            interpret_annex(raw, issued_on=raw.document.issued_on)
            return time.perf_counter() - started

        # The first import creates the directory's agencies; the timed ones find them.
        await import_one(bundled, "warm-up", None)
        cases = [
            ("bundled annex (23 tasks)", bundled, None, max(runs, 5), BUNDLED_GOAL_S),
            (f"CSV of {rows:,} rows", generated, "annex.csv", runs, CSV_GOAL_S),
        ]
        for name, data, filename, count, goal in cases:
            times = []
            parses = []
            for index in range(count):
                parses.append(parse_only(data, filename))
                times.append(await import_one(data, f"bench-{len(name)}-{index}", filename))
            value = median(times)
            console.log(f"import: {name}: {value:.3f} s")
            report.add(
                Figure(
                    "5 import",
                    name,
                    value,
                    "s",
                    database.label,
                    median(parses),
                    "read + interpret, no database",
                    f"< {goal:g} s",
                    value < goal,
                )
            )
