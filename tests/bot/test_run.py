"""`annexbot run`: polling and webhook mode against the sandbox Bot API server, and the CLI."""

from __future__ import annotations

import asyncio
import datetime as dt
import socket
from pathlib import Path

import httpx
import pytest
from pydantic import SecretStr
from telegram import Bot
from typer.testing import CliRunner

from bot.chat.menus import set_member_menu
from bot.cli.main import app
from bot.database import open_database
from bot.run import run_bot, webhook_secret, webhook_target
from bot.sandbox import SandboxServer
from bot.settings import Settings
from bot.web.app import SECRET_HEADER
from db.enums import MemberRole
from db.models import Member
from tests.kit.serving import free_port, running

STRANGER = 3001
COORDINATOR = 3002
FORMER = 3003
NOT_REGISTERED = "您尚未注册。请向协调人索取邀请链接。"


def _settings(sandbox: SandboxServer, tmp_path: Path) -> Settings:
    """Settings for a bot on the sandbox with an SQLite file in tmp_path."""
    return Settings(
        data_dir=tmp_path,
        telegram_token=SecretStr(sandbox.token),
        telegram_api_url=sandbox.url,
    )


async def _add_coordinator(
    settings: Settings, telegram_id: int, language: str, *, left: bool = False
) -> None:
    """A coordinator in the (migrated) database before the bot starts (or one who left)."""
    async with open_database(settings) as sessions, sessions() as session:
        joined = dt.datetime(2016, 3, 1, tzinfo=dt.UTC)
        session.add(
            Member(
                telegram_id=telegram_id,
                display_name="王五",
                role=MemberRole.COORDINATOR,
                language=language,
                created_at=joined,
                left_at=joined if left else None,
            )
        )
        await session.commit()


async def test_polling_sets_menus_and_answers_start(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Polling: default menus in both languages, a coordinator's own menu, and /start answered."""
    async with SandboxServer() as sandbox:
        settings = _settings(sandbox, tmp_path)
        await _add_coordinator(settings, FORMER, "zh", left=True)  # removed from the shell
        await _add_coordinator(settings, COORDINATOR, "en")
        sandbox.add_user(COORDINATOR, "Director Wang", language_code="en")
        sandbox.add_user(FORMER, "前任")

        busy = socket.socket()
        busy.bind(("127.0.0.1", 0))
        busy.listen()

        async def run(stop: asyncio.Event) -> None:
            # The HTTP port is taken: polling carries on without the HTTP app.
            port = busy.getsockname()[1]
            await run_bot(settings, webhook_url=None, host="127.0.0.1", port=port, stop=stop)

        coordinator_scope = {"type": "chat", "chat_id": COORDINATOR}
        with busy:
            async with running(run):
                await sandbox.wait_until(lambda: bool(sandbox.commands(scope=coordinator_scope)))
                sandbox.add_user(STRANGER, "陌生人")
                sandbox.send_text(STRANGER, "/start")
                [reply] = await sandbox.wait_for_message(STRANGER)
        assert reply.text == NOT_REGISTERED
        assert "HTTP app not started" in caplog.text
        default_zh = sandbox.commands()
        assert default_zh[0] == ("mytasks", "本单位的任务及进展")
        assert [name for name, _ in default_zh] == [
            "mytasks",
            "plans",
            "digest",
            "chart",
            "extend",
            "calendar",
            "feeds",
            "web",
            "language",
            "leave",
            "help",
        ]
        assert sandbox.commands(language_code="zh") == default_zh
        assert sandbox.commands(language_code="en")[0] == (
            "mytasks",
            "Your agency's tasks and their status",
        )
        coordinator = dict(sandbox.commands(scope=coordinator_scope))
        assert coordinator["assign"] == "Assign a task to an agency"
        assert {"tasks", "task", "nudge", "audit", "invite", "members", "agencies"} <= set(
            coordinator
        )
        assert {"digest", "chart", "export", "calendar", "feeds", "settings"} <= set(coordinator)
        assert "mytasks" not in coordinator
        cleared = [call.params["scope"] for call in sandbox.calls("deleteMyCommands")]
        assert {"type": "chat", "chat_id": FORMER} in cleared


async def test_webhook_mode_takes_updates_with_the_secret_only(tmp_path: Path) -> None:
    """Webhook: registered with a secret, updates arrive through it; no secret means 403."""
    async with SandboxServer() as sandbox:
        settings = _settings(sandbox, tmp_path)
        port = free_port()
        base = f"http://127.0.0.1:{port}"

        async def run(stop: asyncio.Event) -> None:
            await run_bot(settings, webhook_url=base, host="127.0.0.1", port=port, stop=stop)

        async with running(run), httpx.AsyncClient(base_url=base) as client:
            await sandbox.wait_for_calls("setWebhook")
            hook = sandbox.state.webhook
            assert hook is not None
            assert hook.url == f"{base}/telegram"
            assert hook.secret_token == webhook_secret(settings)
            sandbox.add_user(STRANGER, "陌生人")
            sandbox.send_text(STRANGER, "/start")
            [reply] = await sandbox.wait_for_message(STRANGER)
            assert reply.text == NOT_REGISTERED
            [delivery] = sandbox.webhook_deliveries
            assert delivery.status == 200
            update = {"update_id": 99, "message": {"message_id": 1, "date": 0, "text": "/start"}}
            assert (await client.post("/telegram", json=update)).status_code == 403
            wrong = {SECRET_HEADER: "guess"}
            assert (await client.post("/telegram", json=update, headers=wrong)).status_code == 403
            health = await client.get("/healthz")
            assert (health.status_code, health.json()["ok"]) == (200, True)
        assert sandbox.commands(language_code="en")


def test_webhook_url_and_secret() -> None:
    """A bare URL gets /telegram; the derived secret is stable and Telegram-safe."""
    assert webhook_target("https://bot.example.org") == (
        "https://bot.example.org/telegram",
        "/telegram",
    )
    assert webhook_target("https://bot.example.org/hook/abc") == (
        "https://bot.example.org/hook/abc",
        "/hook/abc",
    )
    settings = Settings(telegram_token=SecretStr("1:A"))
    secret = webhook_secret(settings)
    assert secret == webhook_secret(Settings(telegram_token=SecretStr("1:A")))
    assert secret != webhook_secret(Settings(telegram_token=SecretStr("1:B")))
    assert secret.isalnum()
    chosen = Settings(telegram_token=SecretStr("1:A"), webhook_secret=SecretStr("mine_1"))
    assert webhook_secret(chosen) == "mine_1"


def test_run_without_a_token_says_what_to_set(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`annexbot run` without a token: one line naming the variable, exit code 1."""
    monkeypatch.setenv("ANNEXBOT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("ANNEXBOT_TELEGRAM_TOKEN", raising=False)
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(app, ["run"])
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 1
    assert "ANNEXBOT_TELEGRAM_TOKEN" in lines[0]


async def test_a_members_menu_follows_role_and_language() -> None:
    """set_member_menu: a liaison's menu in their language; leaving removes it."""
    async with SandboxServer() as sandbox:
        sandbox.add_user(STRANGER, "陌生人")
        bot = Bot(sandbox.token, base_url=sandbox.base_url)
        scope = {"type": "chat", "chat_id": STRANGER}
        async with bot:
            assert await set_member_menu(bot, STRANGER, MemberRole.LIAISON, "en")
            assert sandbox.commands(scope=scope)[0] == (
                "mytasks",
                "Your agency's tasks and their status",
            )
            assert await set_member_menu(bot, STRANGER, MemberRole.COORDINATOR, "zh")
            assert ("assign", "将任务分配给单位") in sandbox.commands(scope=scope)
            assert await set_member_menu(bot, STRANGER, None, "zh")
            assert sandbox.commands(scope=scope) == []
            sandbox.faults.fail(400, "Bad Request: chat not found", method="setMyCommands")
            assert not await set_member_menu(bot, STRANGER, MemberRole.LIAISON, "zh")
