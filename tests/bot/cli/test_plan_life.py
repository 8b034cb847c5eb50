"""annexbot plan archive and restore: what the shell says, and what the lists then show."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from bot.cli.main import app


def test_archive_refuses_open_tasks_then_carries_them_over_and_restores(runner: CliRunner) -> None:
    """Open tasks refuse a plain archive (one line, exit 1); --carry-over archives; restore."""
    assert runner.invoke(app, ["import", "--bundled", "gf-2015-5"]).exit_code == 0
    refused = runner.invoke(app, ["plan", "archive", "gf-2015-5"])
    assert refused.exit_code == 1
    assert "23 tasks of 国发〔2015〕5号 are still open" in refused.output
    archived = runner.invoke(app, ["plan", "archive", "国发〔2015〕5号", "--carry-over"])
    assert archived.exit_code == 0, archived.output
    assert archived.output.strip() == (
        "国发〔2015〕5号 (gf-2015-5) archived; 23 open tasks noted as carried over."
    )
    tasks = runner.invoke(app, ["tasks", "--json"])
    assert json.loads(tasks.output) == []
    restored = runner.invoke(app, ["plan", "restore", "gf-2015-5"])
    assert restored.output.strip() == "国发〔2015〕5号 (gf-2015-5) restored."
    assert len(json.loads(runner.invoke(app, ["tasks", "--json"]).output)) == 23
    unknown = runner.invoke(app, ["plan", "restore", "gf-2015-5"])
    assert unknown.exit_code == 1
    assert "No archived plan matches" in unknown.output
