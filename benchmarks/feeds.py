"""Benchmark 4: building a large calendar feed, and serving it (200 and 304) over loopback HTTP.

The feed is served by annexbot's HTTP app (bot/web/app.py with bot/web/feeds.py's route); the
same bytes are also served as a static file (Starlette's StaticFiles, which answers 304 to a
matching If-None-Match too) by the same uvicorn server, as the baseline. The build is timed
cold (no cache); the 200 and 304 rates are of an unchanged feed, token lookup included. The
static file and the feed are asked in turn, request by request, so that a busy moment on a
shared machine slows both alike.
"""

from __future__ import annotations

import datetime as dt
import tempfile
import time
from pathlib import Path

import httpx
from pydantic import SecretStr
from rich.console import Console
from sqlalchemy import select
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles

from benchmarks.common import Database, Figure, Report, median, sessions_on
from benchmarks.data import Shape, generate
from bot.runtime import Runtime
from bot.settings import Settings
from bot.web.app import build_web_app, module_routes, serve
from db.enums import FeedScope
from db.models import Milestone, Plan
from workflows.feeds.calendar import export_calendar
from workflows.feeds.tokens import issue

NOW = dt.datetime(2026, 3, 3, 2, 0, tzinfo=dt.UTC)
BOT_URL = "https://t.me/annex_bench_bot"
BUILD_GOAL_S = 1.0
GOAL_SHARE = 0.5
MIN_REQUESTS = 3


async def _rates(
    client: httpx.AsyncClient,
    cases: dict[str, tuple[str, dict[str, str], int]],
    seconds: float,
) -> dict[str, float]:
    """Requests per second of each case (1 / its median request time), one after another.

    The cases take turns, one request each, for `seconds` per case: on a shared machine a
    busy moment then slows every case alike instead of the one measured at that moment.
    """
    times: dict[str, list[float]] = {key: [] for key in cases}
    started = time.perf_counter()
    while min(
        len(kept) for kept in times.values()
    ) < MIN_REQUESTS or time.perf_counter() - started < seconds * len(cases):
        for key, (url, headers, status) in cases.items():
            sent = time.perf_counter()
            response = await client.get(url, headers=headers)
            times[key].append(time.perf_counter() - sent)
            assert response.status_code == status, f"{url}: {response.status_code}, wanted {status}"
    return {key: 1 / median(kept) for key, kept in times.items()}


async def run(
    report: Report,
    database: Database,
    *,
    events: int,
    runs: int,
    seconds: float,
    console: Console,
) -> None:
    """A plan of `events` milestones: feed build time, and 200/304 rates against a static file."""
    tasks = max(1, events // 4)
    shape = Shape(
        tasks=tasks,
        agencies=max(2, tasks // 20),
        members_per_agency=1,
        first_day=NOW.date() - dt.timedelta(days=365),
        span_days=3 * 365,
        tasks_per_plan=tasks,
    )
    async with sessions_on(database) as sessions:
        async with sessions() as session:
            await generate(session, shape)
            plan = await session.scalar(select(Plan))
            assert plan is not None
            token, _ = await issue(session, scope=FeedScope.PLAN, now=NOW, plan_id=plan.id)
            await session.commit()
            code = plan.code

        builds: list[float] = []
        loads: list[float] = []
        body = b""
        for _ in range(runs):
            async with sessions() as session:
                started = time.perf_counter()
                body = await export_calendar(session, plan_code=code, bot_url=BOT_URL, now=NOW)
                builds.append(time.perf_counter() - started)
            async with sessions() as session:
                started = time.perf_counter()
                rows = (await session.execute(select(Milestone))).all()
                loads.append(time.perf_counter() - started)
        count = body.count(b"BEGIN:VEVENT")
        build = median(builds)
        console.log(f"feeds: {count:,} events ({len(body) / 2**20:.1f} MB) built in {build:.2f} s")
        report.add(
            Figure(
                "4 feeds",
                f"build a {count:,}-event feed",
                build,
                "s",
                database.label,
                median(loads),
                f"SELECT the {len(rows):,} milestones",
                f"< {BUILD_GOAL_S:g} s",
                build < BUILD_GOAL_S,
                f"{len(body) / 2**20:.1f} MB",
            )
        )

        with tempfile.TemporaryDirectory(prefix="annexbot-bench-") as directory:
            folder = Path(directory)
            (folder / "feed.ics").write_bytes(body)
            settings = Settings(
                data_dir=folder,
                telegram_token=SecretStr("123456:BENCH"),
                public_base_url="https://annexbot.example.org",
            )
            runtime = Runtime(settings=settings, sessions=sessions, clock=lambda: NOW)
            runtime.bot_username = "annex_bench_bot"
            static = Mount("/static", app=StaticFiles(directory=folder))
            app = build_web_app(runtime, routes=[*module_routes(runtime), static])
            async with (
                serve(app, host="127.0.0.1", port=0) as port,
                httpx.AsyncClient(timeout=None) as client,
            ):
                base = f"http://127.0.0.1:{port}"
                feed_url, static_url = f"{base}/feeds/{token}.ics", f"{base}/static/feed.ics"
                feed_tag = (await client.get(feed_url)).headers["etag"]
                static_tag = (await client.get(static_url)).headers["etag"]
                plain = {"Accept-Encoding": "identity"}
                # The 200s and the 304s take turns apart: each 304 then follows a 304.
                rates = await _rates(
                    client,
                    {
                        "s200": (static_url, {}, 200),
                        "f200": (feed_url, {}, 200),
                        "f200 identity": (feed_url, plain, 200),
                    },
                    seconds,
                )
                rates |= await _rates(
                    client,
                    {
                        "s304": (static_url, {"If-None-Match": static_tag}, 304),
                        "f304": (feed_url, {"If-None-Match": feed_tag}, 304),
                    },
                    seconds,
                )
        console.log(
            "feeds: requests/s: " + ", ".join(f"{key} {value:.1f}" for key, value in rates.items())
        )
        static_200, static_304 = (
            "same bytes as a static file, 200",
            "same bytes as a static file, 304",
        )
        for key, name, baseline, against, note in (
            ("f200", "GET feed, 200 (unchanged)", "s200", static_200, "gzip (the client takes it)"),
            ("f200 identity", "GET feed, 200, no gzip", "s200", static_200, "uncompressed"),
            ("f304", "GET feed, 304 (If-None-Match)", "s304", static_304, ""),
        ):
            value, static_rate = rates[key], rates[baseline]
            report.add(
                Figure(
                    "4 feeds",
                    name,
                    value,
                    "req/s",
                    database.label,
                    static_rate,
                    against,
                    f">= {GOAL_SHARE:g} x static",
                    value >= GOAL_SHARE * static_rate,
                    f"1 / median request time; {note}".removesuffix("; "),
                )
            )
