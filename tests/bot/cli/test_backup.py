"""`annexbot backup` and `restore`: a backup taken under a live writer restores and works."""

from __future__ import annotations

import asyncio
import json
import shutil
import sqlite3
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from typer.testing import CliRunner

from bot.cli.backup import libpq_url
from bot.cli.main import app
from db.engine import create_engine
from tests.conftest import POSTGRES_URL


def _tasks(runner: CliRunner) -> list[dict[str, object]]:
    """`annexbot tasks --json`, which must succeed."""
    listed = runner.invoke(app, ["tasks", "--json"])
    assert listed.exit_code == 0, listed.output
    tasks = json.loads(listed.stdout)
    assert isinstance(tasks, list)
    return tasks


def test_backup_under_a_live_writer_restores_to_a_working_database(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Committed changes still in the WAL are in the backup; an open transaction's are not."""
    assert runner.invoke(app, ["import", "--bundled", "gf-2015-5"]).exit_code == 0
    live = tmp_path / "data" / "annexbot.sqlite3"
    committer = sqlite3.connect(live)  # stays open, so its WAL is not checkpointed away
    writer = sqlite3.connect(live)
    try:
        committer.execute("PRAGMA wal_autocheckpoint=0")
        assert committer.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        committer.execute("UPDATE task SET text = 'committed' WHERE number = 2")
        committer.commit()
        writer.execute("BEGIN IMMEDIATE")
        writer.execute("UPDATE task SET text = 'uncommitted' WHERE number = 3")
        backed_up = runner.invoke(app, ["backup", "--output", "copy.sqlite3"])
        writer.rollback()
    finally:
        writer.close()
        committer.close()
    assert backed_up.exit_code == 0, backed_up.output
    assert "Backup written to copy.sqlite3" in backed_up.output

    monkeypatch.setenv("ANNEXBOT_DATA_DIR", str(tmp_path / "elsewhere"))
    restored = runner.invoke(app, ["restore", "copy.sqlite3"])
    assert restored.exit_code == 0, restored.output
    tasks = _tasks(runner)
    assert len(tasks) == 23
    assert tasks[1]["text"] == "committed"
    assert tasks[2]["text"] != "uncommitted"


def test_restore_keeps_a_database_with_data_unless_forced(
    runner: CliRunner, tmp_path: Path
) -> None:
    """Over a database that holds data restore refuses, with --force it replaces it."""
    assert runner.invoke(app, ["import", "--bundled", "gf-2015-5"]).exit_code == 0
    assert runner.invoke(app, ["backup", "-o", "one.sqlite3"]).exit_code == 0
    again = runner.invoke(app, ["backup", "-o", "one.sqlite3"])
    assert again.exit_code == 1
    assert "one.sqlite3 exists" in again.stderr
    with sqlite3.connect(tmp_path / "data" / "annexbot.sqlite3") as connection:
        connection.execute("UPDATE task SET text = 'changed after the backup' WHERE number = 1")
    connection.close()

    refused = runner.invoke(app, ["restore", "one.sqlite3"])
    assert refused.exit_code == 1
    assert "holds data" in refused.stderr
    assert _tasks(runner)[0]["text"] == "changed after the backup"
    forced = runner.invoke(app, ["restore", "one.sqlite3", "--force"])
    assert forced.exit_code == 0, forced.output
    assert _tasks(runner)[0]["text"] == "实施云计算工程。"


def test_restore_refuses_what_is_not_an_annexbot_backup(runner: CliRunner, tmp_path: Path) -> None:
    """A text file or a foreign SQLite database is refused with one line."""
    (tmp_path / "notes.txt").write_text("not a database " * 100)
    with sqlite3.connect(tmp_path / "other.sqlite3") as connection:
        connection.execute("CREATE TABLE t (x)")
    connection.close()
    for name, reason in (
        ("notes.txt", "not an SQLite database"),
        ("other.sqlite3", "not an annexbot database"),
        ("missing.sqlite3", "no such file"),
    ):
        result = runner.invoke(app, ["restore", name])
        assert result.exit_code == 1
        assert reason in result.stderr


@pytest.fixture
def postgres_databases() -> Iterator[tuple[str, str]]:
    """Two new, empty PostgreSQL databases (URLs), dropped afterwards."""
    if not POSTGRES_URL:
        pytest.skip("ANNEXBOT_TEST_POSTGRES_URL is not set")
    if shutil.which("pg_dump") is None or shutil.which("pg_restore") is None:
        pytest.skip("pg_dump and pg_restore are not installed")
    names = [f"annexbot_backup_{uuid.uuid4().hex[:10]}" for _ in range(2)]
    admin = make_url(POSTGRES_URL)

    def run(statement: str) -> None:
        async def execute() -> None:
            engine = create_engine(POSTGRES_URL or "")
            try:
                async with engine.connect() as connection:
                    connection = await connection.execution_options(isolation_level="AUTOCOMMIT")
                    await connection.execute(text(statement))
            finally:
                await engine.dispose()

        asyncio.run(execute())

    for name in names:
        run(f'CREATE DATABASE "{name}"')
    try:
        yield (
            admin.set(database=names[0]).render_as_string(hide_password=False),
            admin.set(database=names[1]).render_as_string(hide_password=False),
        )
    finally:
        for name in names:
            run(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.mark.postgres
def test_postgres_backup_is_a_pg_dump_that_pg_restore_reads(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch, postgres_databases: tuple[str, str]
) -> None:
    """backup runs pg_dump; restore prints the pg_restore command, which gives a working copy."""
    source, target = postgres_databases
    monkeypatch.setenv("ANNEXBOT_DATABASE_URL", source)
    assert runner.invoke(app, ["import", "--bundled", "gf-2015-5"]).exit_code == 0
    backed_up = runner.invoke(app, ["backup", "-o", "plan.dump"])
    assert backed_up.exit_code == 0, backed_up.output

    monkeypatch.setenv("ANNEXBOT_DATABASE_URL", target)
    advice = runner.invoke(app, ["restore", "plan.dump"])
    assert advice.exit_code == 1
    assert "pg_restore --clean --if-exists --no-owner" in advice.stderr
    restore = ["pg_restore", "--no-owner", f"--dbname={libpq_url(make_url(target))}", "plan.dump"]
    subprocess.run(restore, check=True, capture_output=True)
    assert len(_tasks(runner)) == 23
