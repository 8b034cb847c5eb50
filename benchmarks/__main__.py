"""`python -m benchmarks`: run the benchmarks, print the table, write docs/performance.md."""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import time
from collections.abc import Sequence
from pathlib import Path

from rich.console import Console

from benchmarks import broadcast, feeds, importing, memory, processes, sweep, updates
from benchmarks.common import Backend, Report, machine, postgres_reachable, throwaway_database
from benchmarks.report import render_markdown, render_table
from benchmarks.sizes import SIZES, Sizes

DOCS = Path(__file__).resolve().parent.parent / "docs" / "performance.md"
ALL = ("1", "2", "3", "4", "5", "6", "7")


def _parse(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--size", choices=sorted(SIZES), default="default")
    parser.add_argument(
        "--only", default=",".join(ALL), help="benchmarks to run, e.g. 1,3 (default: all)"
    )
    parser.add_argument(
        "--db",
        choices=["sqlite", "postgres", "both"],
        default="both",
        help="both: SQLite, and PostgreSQL when it is reachable",
    )
    parser.add_argument(
        "--postgres",
        default=os.environ.get("ANNEXBOT_TEST_POSTGRES_URL"),
        help="PostgreSQL URL (default: $ANNEXBOT_TEST_POSTGRES_URL); a throwaway schema is used",
    )
    parser.add_argument("--output", type=Path, default=DOCS, help="the Markdown report")
    parser.add_argument("--no-write", action="store_true", help="only print the table")
    parser.add_argument("--runs", type=int, help="runs per figure (the median is kept)")
    parser.add_argument("--liaisons", type=int, help="1: liaisons reporting")
    parser.add_argument("--concurrency", type=int, help="1: conversations at a time")
    parser.add_argument("--broadcast-members", type=int, help="2: members reminded")
    parser.add_argument("--milestones", help="3: comma-separated plan sizes, e.g. 10000,100000")
    parser.add_argument("--members", type=int, help="3: members")
    parser.add_argument("--feed-events", type=int, help="4: events in the feed")
    parser.add_argument("--csv-rows", type=int, help="5: rows of the generated CSV")
    parser.add_argument("--memory-tasks", type=int, help="6: tasks")
    parser.add_argument("--memory-members", type=int, help="6: members")
    parser.add_argument("--budget-deliveries", type=int, help="7: deliveries drained")
    return parser.parse_args(argv)


def _sizes(args: argparse.Namespace) -> Sizes:
    sizes = SIZES[args.size]
    overrides = {
        "runs": args.runs,
        "liaisons": args.liaisons,
        "concurrency": args.concurrency,
        "broadcast_members": args.broadcast_members,
        "members": args.members,
        "feed_events": args.feed_events,
        "csv_rows": args.csv_rows,
        "memory_tasks": args.memory_tasks,
        "memory_members": args.memory_members,
        "budget_deliveries": args.budget_deliveries,
    }
    if args.milestones:
        overrides["milestones"] = tuple(int(n) for n in args.milestones.split(","))
    return sizes.replace(**{k: v for k, v in overrides.items() if v is not None})


async def run_all(
    *,
    sizes: Sizes,
    only: set[str],
    backends: list[Backend],
    postgres_url: str | None,
    console: Console,
) -> Report:
    """Run the chosen benchmarks on each backend; the report."""
    report = Report()
    for backend in backends:
        for number, label in (
            ("3", "reminder sweep"),
            ("5", "import"),
            ("2", "broadcast"),
            ("1", "update handling"),
            ("4", "feeds"),
            ("7", "send budget"),
        ):
            if number not in only:
                continue
            console.rule(f"{number} {label} · {backend}")
            started = time.monotonic()
            try:
                await _one(number, report, backend, postgres_url, sizes, console)
            except Exception as error:  # one benchmark's failure must not lose the others
                console.print_exception()
                report.notes.append(f"{number} {label} on {backend} failed: {error!r}")
            console.log(f"{number} {label} · {backend}: {time.monotonic() - started:.1f} s")
    if "6" in only:
        console.rule("6 memory · sqlite")
        started = time.monotonic()
        try:
            await memory.run(
                report,
                tasks=sizes.memory_tasks,
                members=sizes.memory_members,
                observe_for=sizes.memory_timeout,
                wait_for_digest=sizes.memory_wait_for_digest,
                console=console,
            )
        except Exception as error:  # one benchmark's failure must not lose the others
            console.print_exception()
            report.notes.append(f"6 memory failed: {error!r}")
        console.log(f"6 memory · sqlite: {time.monotonic() - started:.1f} s")
    return report


async def _one(
    number: str,
    report: Report,
    backend: Backend,
    postgres_url: str | None,
    sizes: Sizes,
    console: Console,
) -> None:
    """One benchmark on one backend, each plan size in a database of its own."""
    if number == "7":  # databases of its own, which other processes open by URL
        await processes.run(
            report,
            backend,
            postgres_url,
            deliveries=sizes.budget_deliveries,
            counts=sizes.budget_processes,
            runs=sizes.budget_runs,
            console=console,
        )
        return
    if number == "3":
        for milestones in sizes.milestones:
            async with throwaway_database(backend, postgres_url) as database:
                await sweep.run(
                    report,
                    database,
                    milestones=milestones,
                    members=sizes.members,
                    runs=sizes.runs,
                    console=console,
                )
        return
    async with throwaway_database(backend, postgres_url) as database:
        if number == "1":
            await updates.run(
                report,
                database,
                liaisons=sizes.liaisons,
                concurrency=sizes.concurrency,
                runs=sizes.update_runs,
                console=console,
            )
        elif number == "2":
            await broadcast.run(
                report,
                database,
                members=sizes.broadcast_members,
                runs=sizes.broadcast_runs,
                console=console,
            )
        elif number == "4":
            await feeds.run(
                report,
                database,
                events=sizes.feed_events,
                runs=sizes.import_runs,
                seconds=sizes.request_seconds,
                console=console,
            )
        elif number == "5":
            await importing.run(
                report, database, rows=sizes.csv_rows, runs=sizes.import_runs, console=console
            )


def main(argv: Sequence[str] | None = None) -> None:
    """Run the benchmarks, print the table and write the Markdown report."""
    args = _parse(argv)
    console = Console(width=max(Console().width, 180))  # the table has nine columns
    sizes = _sizes(args)
    only = {part.strip() for part in args.only.split(",") if part.strip()}
    backends: list[Backend] = []
    skipped: list[str] = []
    if args.db in ("sqlite", "both"):
        backends.append("sqlite")
    if args.db in ("postgres", "both"):
        why = "no URL (--postgres or ANNEXBOT_TEST_POSTGRES_URL)"
        if args.postgres:
            why = asyncio.run(postgres_reachable(args.postgres)) or ""
        if why:
            skipped.append(f"PostgreSQL not measured: {why}")
            if args.db == "postgres":
                raise SystemExit(f"PostgreSQL is not reachable: {why}")
        else:
            backends.append("postgresql")
    started = time.monotonic()
    when = dt.datetime.now(dt.UTC)
    load_at_start = os.getloadavg()
    report = asyncio.run(
        run_all(
            sizes=sizes, only=only, backends=backends, postgres_url=args.postgres, console=console
        )
    )
    report.notes[:0] = skipped
    took = time.monotonic() - started
    load = (load_at_start, os.getloadavg())
    here = machine()
    console.print(render_table(report, here, when, args.size))
    for note in report.notes:
        console.print(f"• {note}", markup=False, highlight=False)
    if not args.no_write:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(render_markdown(report, here, when, args.size, sizes, took, load))
        console.print(f"Written to {args.output}")


if __name__ == "__main__":
    main()
