"""`annexbot backup` and `annexbot restore`: SQLite's online backup, pg_dump for PostgreSQL."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated

import typer
from sqlalchemy.engine import URL, make_url

from bot.cli.common import CommandError, execute, load_settings, stdout, utc_now

PG_DUMP = "pg_dump --format=custom --file={file} --dbname={url}"
PG_RESTORE = "pg_restore --clean --if-exists --no-owner --dbname={url} {file}"


def default_output(url: URL, now: dt.datetime) -> Path:
    """annexbot-YYYYMMDD-HHMMSS.sqlite3 (or .dump for PostgreSQL) in the working directory."""
    suffix = ".sqlite3" if url.get_backend_name() == "sqlite" else ".dump"
    return Path(f"annexbot-{now:%Y%m%d-%H%M%S}{suffix}")


def libpq_url(url: URL) -> str:
    """The URL pg_dump and psql take: no async driver, no password (it goes in PGPASSWORD)."""
    return url.set(drivername="postgresql", password=None, query={}).render_as_string()


def sqlite_path(url: URL) -> Path:
    """The file of an SQLite URL; in-memory databases cannot be backed up."""
    if not url.database or url.database == ":memory:":
        raise ValueError("an in-memory SQLite database has nothing to back up")
    return Path(url.database)


@contextlib.contextmanager
def _connect(path: Path) -> Iterator[sqlite3.Connection]:
    """A plain sqlite3 connection, closed on exit (sqlite3's own context manager only commits)."""
    connection = sqlite3.connect(path)
    try:
        yield connection
    finally:
        connection.close()


def backup_sqlite(source: Path, output: Path) -> None:
    """Copy a live SQLite database to a new single file through SQLite's online backup.

    The backup reads one consistent snapshot while the bot keeps writing (WAL lets it); the
    copy is switched out of WAL so the file alone is the whole database.
    """
    if not source.is_file():
        raise FileNotFoundError(f"no database at {source}")
    if output.exists():
        raise FileExistsError(f"{output} exists; give another --output")
    try:
        with _connect(source) as live, _connect(output) as copy:
            live.backup(copy)
            copy.execute("PRAGMA journal_mode=DELETE")
            (verdict,) = copy.execute("PRAGMA quick_check").fetchone()
        if verdict != "ok":
            raise ValueError(f"the backup failed its check: {verdict}")
    except BaseException:
        output.unlink(missing_ok=True)  # never leave a half-written backup behind
        raise


def has_data(path: Path) -> bool:
    """Whether an SQLite database has a row in any table but the migrations' bookkeeping."""
    if not path.is_file() or path.stat().st_size == 0:
        return False
    with _connect(path) as connection:
        tables = [
            name
            for (name,) in connection.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
            if name != "alembic_version"
        ]
        return any(
            connection.execute(f'SELECT 1 FROM "{name}" LIMIT 1').fetchone() for name in tables
        )


def restore_sqlite(backup: Path, target: Path, *, force: bool) -> None:
    """Write a backup over the configured SQLite database (the bot must be stopped)."""
    if not backup.is_file():
        raise FileNotFoundError(f"no such file: {backup}")
    with _connect(backup) as source:
        try:
            source.execute("PRAGMA schema_version").fetchone()
            known = source.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'alembic_version'"
            ).fetchone()
        except sqlite3.DatabaseError as error:
            raise ValueError(f"{backup} is not an SQLite database: {error}") from error
        if not known:
            raise ValueError(f"{backup} is not an annexbot database")
        if not force and has_data(target):
            raise FileExistsError(
                f"{target} holds data; stop the bot and add --force to replace it"
            )
        target.parent.mkdir(parents=True, exist_ok=True)
        # Through SQLite rather than a file copy, so a -wal file beside the target cannot
        # resurrect the old contents.
        with _connect(target) as destination:
            source.backup(destination)


def pg_dump(url: URL, output: Path) -> None:
    """Run pg_dump in its custom format (what pg_restore reads) on the configured database."""
    program = shutil.which("pg_dump")
    if program is None:
        hint = PG_DUMP.format(file=output, url=libpq_url(url))
        raise FileNotFoundError(f"pg_dump is not installed; install it and run: {hint}")
    if output.exists():
        raise FileExistsError(f"{output} exists; give another --output")
    env = dict(os.environ)
    if url.password is not None:
        env["PGPASSWORD"] = str(url.password)
    command = [program, "--format=custom", f"--file={output}", f"--dbname={libpq_url(url)}"]
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise OSError(f"pg_dump failed: {result.stderr.strip().splitlines()[-1:]}")


def register(app: typer.Typer) -> None:
    """Add `backup` and `restore` to the annexbot command line."""

    @app.command("backup")
    def backup_command(
        output: Annotated[
            Path | None,
            typer.Option(
                "--output",
                "-o",
                metavar="FILE",
                help="Where to write the backup (default: annexbot-DATE-TIME.sqlite3 or .dump).",
            ),
        ] = None,
    ) -> None:
        """Back the database up while the bot runs (SQLite online backup, or pg_dump)."""

        async def work() -> Path:
            url = make_url(load_settings().resolved_database_url())
            target = output or default_output(url, utc_now())
            try:
                if url.get_backend_name() == "sqlite":
                    backup_sqlite(sqlite_path(url), target)
                else:
                    pg_dump(url, target)
            except (ValueError, sqlite3.Error) as error:
                raise CommandError(str(error)) from error
            return target

        written = execute(work)
        size = written.stat().st_size
        stdout().print(f"Backup written to {written} ({size:,} bytes).", markup=False)

    @app.command("restore")
    def restore_command(
        backup: Annotated[Path, typer.Argument(metavar="FILE", help="A file `backup` wrote.")],
        force: Annotated[
            bool, typer.Option("--force", help="Replace a database that already holds data.")
        ] = False,
    ) -> None:
        """Replace the SQLite database with a backup; stop the bot first."""

        async def work() -> Path:
            url = make_url(load_settings().resolved_database_url())
            if url.get_backend_name() != "sqlite":
                hint = PG_RESTORE.format(file=backup, url=libpq_url(url))
                raise CommandError(f"stop the bot and restore PostgreSQL with: {hint}")
            target = sqlite_path(url)
            try:
                restore_sqlite(backup, target, force=force)
            except (ValueError, sqlite3.Error) as error:
                raise CommandError(str(error)) from error
            return target

        target = execute(work)
        stdout().print(
            f"Restored {backup} into {target}; the next command brings its schema up to date.",
            markup=False,
        )
