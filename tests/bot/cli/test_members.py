"""`annexbot coordinator add` and `annexbot invite`, run as an operator would."""

from __future__ import annotations

import re

import pytest
from typer.testing import CliRunner

from bot.cli.main import app


def test_coordinator_add_once(runner: CliRunner) -> None:
    """A coordinator is added once; adding again is one line and exit code 1."""
    added = runner.invoke(app, ["coordinator", "add", "12345", "--name", "督查室"])
    assert added.exit_code == 0, added.output
    assert "Coordinator 督查室 (Telegram 12345) added." in added.output
    again = runner.invoke(app, ["coordinator", "add", "12345"])
    assert again.exit_code == 1
    assert (
        again.output == "annexbot: Telegram user 12345 is already a coordinator; nothing changed.\n"
    )


def test_invites(runner: CliRunner) -> None:
    """Coordinator and agency invites print the code, the deep link form and /start usage."""
    made = runner.invoke(app, ["invite", "--coordinator"])
    assert made.exit_code == 0, made.output
    code = re.search(r"Code: ([A-Za-z0-9_-]{22,})", made.output)
    assert code is not None
    assert f"https://t.me/<bot>?start={code[1]}" in made.output
    assert f"/start {code[1]}" in made.output
    assert runner.invoke(app, ["import", "--bundled", "gf-2015-5"]).exit_code == 0
    deputy = runner.invoke(app, ["invite", "--agency", "工信部", "--deputy"])
    assert deputy.exit_code == 0, deputy.output
    assert "Invite for a deputy of 工业和信息化部" in deputy.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["invite"], "annexbot: give --coordinator or --agency NAME"),
        (["invite", "--coordinator", "--agency", "科技部"], "give --coordinator or --agency"),
        (["invite", "--coordinator", "--deputy"], "annexbot: --deputy needs --agency NAME"),
        (
            ["invite", "--agency", "外交部"],
            "annexbot: There is no agency called “外交部”; annexbot agencies lists them.",
        ),
    ],
)
def test_invite_errors_are_one_line(runner: CliRunner, args: list[str], message: str) -> None:
    """Wrong options or an unknown agency: one line, exit code 1."""
    result = runner.invoke(app, args)
    assert result.exit_code == 1
    assert message in result.output
    assert len(result.output.strip().splitlines()) == 1
