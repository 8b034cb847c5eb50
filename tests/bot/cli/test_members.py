"""`annexbot coordinator add` and `annexbot invite`, run as an operator would."""

from __future__ import annotations

import asyncio
import datetime as dt
import re
import zoneinfo

import pytest
from typer.testing import CliRunner

from bot.cli.main import app
from bot.sandbox import SandboxServer
from tests.kit.serving import free_port

BEIJING = zoneinfo.ZoneInfo("Asia/Shanghai")


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


def test_invites(runner: CliRunner, monkeypatch: pytest.MonkeyPatch) -> None:
    """Without a token: the code, /start usage, Beijing expiry, and why there is no link yet."""
    monkeypatch.delenv("ANNEXBOT_TELEGRAM_TOKEN", raising=False)
    made = runner.invoke(app, ["invite", "--coordinator"])
    assert made.exit_code == 0, made.output
    code = re.search(r"Code: ([A-Za-z0-9_-]{22,})", made.output)
    assert code is not None
    assert "Link: none yet: set ANNEXBOT_TELEGRAM_TOKEN to print the t.me link" in made.output
    assert "<bot>" not in made.output
    assert f"/start {code[1]}" in made.output
    assert runner.invoke(app, ["import", "--bundled", "gf-2015-5"]).exit_code == 0
    deputy = runner.invoke(app, ["invite", "--agency", "工信部", "--deputy"])
    assert deputy.exit_code == 0, deputy.output
    assert "Invite for a deputy of 工业和信息化部" in deputy.output


async def test_invite_link_names_the_bot_and_expires_in_beijing_time(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With a token, getMe gives the bot's username for the t.me link; expiry in the plan's zone."""
    async with SandboxServer(bot_username="annex_test_bot") as sandbox:
        monkeypatch.setenv("ANNEXBOT_TELEGRAM_TOKEN", sandbox.token)
        monkeypatch.setenv("ANNEXBOT_TELEGRAM_API_URL", sandbox.url)
        before = dt.datetime.now(BEIJING)
        made = await asyncio.to_thread(runner.invoke, app, ["invite", "--coordinator"])
    assert made.exit_code == 0, made.output
    code = re.search(r"Code: ([A-Za-z0-9_-]{22,})", made.output)
    assert code is not None
    assert f"Link: https://t.me/annex_test_bot?start={code[1]}" in made.output
    until = re.search(r"valid until (\S+ \S+) \(Asia/Shanghai\)\.", made.output)
    assert until is not None
    expires = dt.datetime.strptime(until[1], "%Y-%m-%d %H:%M").replace(tzinfo=BEIJING)
    assert abs(expires - before - dt.timedelta(days=7)) < dt.timedelta(minutes=2)


def test_invite_without_an_answer_from_the_bot_api_still_gives_the_code(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    """getMe fails: the code and /start still print; the link line says where it asked."""
    url = f"http://127.0.0.1:{free_port()}"
    monkeypatch.setenv("ANNEXBOT_TELEGRAM_TOKEN", "123456:TEST")
    monkeypatch.setenv("ANNEXBOT_TELEGRAM_API_URL", url)
    made = runner.invoke(app, ["invite", "--coordinator"])
    assert made.exit_code == 0, made.output
    assert f"Link: unknown: the Bot API at {url} did not answer getMe (" in made.output
    assert re.search(r"^Or send the bot: /start \S{22,}$", made.output, re.MULTILINE)


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


def test_invite_list_and_revoke(runner: CliRunner) -> None:
    """Open invites are listed with their numbers; a revoked one is gone and cannot be again."""
    assert runner.invoke(app, ["invite", "list"]).output.strip() == "No open invites."
    assert runner.invoke(app, ["invite", "--coordinator"]).exit_code == 0
    assert runner.invoke(app, ["invite", "--coordinator"]).exit_code == 0
    listed = runner.invoke(app, ["invite", "list"])
    assert listed.exit_code == 0, listed.output
    lines = listed.output.strip().splitlines()
    assert [line.split()[:2] for line in lines] == [["1", "coordinator,"], ["2", "coordinator,"]]
    revoked = runner.invoke(app, ["invite", "revoke", "1"])
    assert revoked.output.strip() == "Invite 1 revoked."
    assert runner.invoke(app, ["invite", "list"]).output.strip().startswith("2 ")
    again = runner.invoke(app, ["invite", "revoke", "1"])
    assert again.exit_code == 1
    assert again.output.strip() == (
        "annexbot: Invite 1 cannot be revoked: it was used, revoked or has expired, "
        "or there is none."
    )


def test_member_remove(runner: CliRunner) -> None:
    """A member is removed by Telegram id or name, once; an unknown one is one line."""
    assert runner.invoke(app, ["coordinator", "add", "12345", "--name", "督查室"]).exit_code == 0
    assert runner.invoke(app, ["coordinator", "add", "777", "--name", "王"]).exit_code == 0
    removed = runner.invoke(app, ["member", "remove", "王"])
    assert removed.exit_code == 0, removed.output
    assert removed.output.strip().splitlines() == [
        "Removed 王, Telegram 777.",
        "Calendar links revoked: none.",
        "Their command menu in Telegram is cleared when the bot next starts.",
    ]
    again = runner.invoke(app, ["member", "remove", "777"])
    assert again.exit_code == 1
    assert again.output.strip() == (
        "annexbot: No registered member is called “777”; /members lists them."
    )
