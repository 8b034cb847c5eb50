"""ANNEXBOT_TELEGRAM_PROXY: polling, sends, files and webhook set-up through real local proxies."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr, ValidationError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from typer.testing import CliRunner

from bot.cli.main import app
from bot.run import run_bot
from bot.sandbox import SandboxServer
from bot.sandbox.driver import running_bot
from bot.settings import Settings
from db.enums import MemberRole
from tests.bot.harness import BotHarness, Clock
from tests.bot.proxies import HttpProxy, Socks5Proxy, closed_port
from tests.kit.serving import free_port, running

BOSS = 1001
PROXIES: dict[str, Callable[..., HttpProxy | Socks5Proxy]] = {
    "socks5": Socks5Proxy,
    "http": HttpProxy,
}


def settings_for(sandbox: SandboxServer, tmp_path: Path, proxy: str | None) -> Settings:
    """Settings for a bot on the sandbox, reaching it through `proxy`."""
    return Settings(
        data_dir=tmp_path,
        telegram_token=SecretStr(sandbox.token),
        telegram_api_url=sandbox.url,
        telegram_proxy=SecretStr(proxy) if proxy else None,
    )


@pytest.mark.parametrize("kind", sorted(PROXIES))
async def test_polling_sends_and_files_go_through_the_proxy(
    session_factory: async_sessionmaker[AsyncSession], tmp_path: Path, kind: str
) -> None:
    """A coordinator's command arrives by polling, answers and documents leave: all proxied."""
    async with (
        SandboxServer() as sandbox,
        PROXIES[kind](username="annex", password="p@ss word") as proxy,
    ):
        settings = settings_for(sandbox, tmp_path, proxy.url)
        async with running_bot(
            settings, session_factory, Clock(), sandbox=sandbox, kind=BotHarness
        ) as bot:
            await bot.import_bundled()
            await bot.add_member(BOSS, "王主任", role=MemberRole.COORDINATOR)
            [answer] = await bot.send(BOSS, "/holidays 2026")
            assert answer.text is not None
            assert answer.text.startswith("📅 2026年节假日安排")
            files = await bot.send(BOSS, "/export csv")
            assert [m.document is not None for m in files][-2:] == [True, True]
    methods = proxy.log.methods()
    assert {"getMe", "getUpdates", "sendMessage", "sendDocument"} <= set(methods)
    assert proxy.log.refused == 0
    # Everything the bot asked of the sandbox went through the proxy.
    assert len(methods) >= len(sandbox.calls())


async def test_the_webhook_is_set_through_the_proxy_and_the_start_line_names_it(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """`run --webhook`: setWebhook goes through the proxy; the log names it, not its password."""
    async with (
        SandboxServer() as sandbox,
        Socks5Proxy(username="annex", password="secret") as proxy,
    ):
        settings = settings_for(sandbox, tmp_path, proxy.url)
        api = sandbox.url
        port = free_port()

        async def run(stop: asyncio.Event) -> None:
            await run_bot(
                settings,
                webhook_url=f"http://127.0.0.1:{port}",
                host="127.0.0.1",
                port=port,
                stop=stop,
            )

        with caplog.at_level(logging.INFO, logger="bot.run"):
            async with running(run):
                await sandbox.wait_for_calls("setWebhook")
                await sandbox.wait_until(lambda: "is running" in caplog.text)
    assert "setWebhook" in proxy.log.methods()
    [line] = [r.getMessage() for r in caplog.records if "is running" in r.getMessage()]
    assert f"Bot API {api} through proxy socks5://annex:***@127.0.0.1:{proxy.port}" in line
    assert "secret" not in caplog.text


def run_cli(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    sandbox: SandboxServer,
    proxy: str,
    *,
    api: str | None = None,
) -> Coroutine[Any, Any, tuple[int, list[str]]]:
    """`annexbot run` with the proxy, as a user starts it; returns (exit code, output lines)."""
    monkeypatch.setenv("ANNEXBOT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("ANNEXBOT_TELEGRAM_TOKEN", sandbox.token)
    monkeypatch.setenv("ANNEXBOT_TELEGRAM_API_URL", api or sandbox.url)
    monkeypatch.setenv("ANNEXBOT_TELEGRAM_PROXY", proxy)
    monkeypatch.setenv("ANNEXBOT_HTTP_PORT", "0")
    monkeypatch.chdir(tmp_path)

    def invoke() -> tuple[int, list[str]]:
        result = CliRunner().invoke(app, ["run"])
        return result.exit_code, result.output.strip().splitlines()

    # In a thread: the sandbox and the proxies keep answering on this test's event loop.
    return asyncio.to_thread(invoke)


async def test_a_proxy_that_cannot_be_reached_is_one_line_naming_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Nothing listens there: exit code 1 and one line naming the proxy and the setting."""
    async with SandboxServer() as sandbox, closed_port() as port:
        code, lines = await run_cli(
            monkeypatch, tmp_path, sandbox, f"socks5://annex:secret@127.0.0.1:{port}"
        )
    assert code == 1
    assert lines == [
        f"annexbot: cannot reach the proxy socks5://annex:***@127.0.0.1:{port} "
        "(ANNEXBOT_TELEGRAM_PROXY): All connection attempts failed"
    ]
    assert sandbox.calls() == []


@pytest.mark.parametrize(
    ("kind", "reason"),
    [("socks5", "Invalid username/password"), ("http", "407 Proxy Authentication Required")],
)
async def test_a_proxy_that_refuses_is_one_line_naming_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kind: str, reason: str
) -> None:
    """Wrong credentials: the proxy says no; one line with the proxy and its reason."""
    async with (
        SandboxServer() as sandbox,
        PROXIES[kind](username="annex", password="right") as proxy,
    ):
        wrong = proxy.url.replace(":right@", ":wrong@")
        code, lines = await run_cli(monkeypatch, tmp_path, sandbox, wrong)
    assert code == 1
    assert lines == [
        f"annexbot: the proxy {kind}://annex:***@127.0.0.1:{proxy.port} "
        f"(ANNEXBOT_TELEGRAM_PROXY) refused: {reason}"
    ]
    assert proxy.log.refused == 1
    assert sandbox.calls() == []


async def test_a_proxy_that_cannot_reach_the_bot_api_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The proxy works but the Bot API server is down: the line says which side failed."""
    async with Socks5Proxy() as proxy, SandboxServer() as sandbox:
        api = sandbox.url
        await sandbox.__aexit__(None, None, None)
        code, lines = await run_cli(monkeypatch, tmp_path, sandbox, proxy.url, api=api)
    assert code == 1
    assert lines == [
        f"annexbot: the proxy socks5://127.0.0.1:{proxy.port} (ANNEXBOT_TELEGRAM_PROXY) "
        f"cannot reach {api}: Proxy Server could not connect: Connection refused"
    ]


@pytest.mark.parametrize(
    "value",
    ["ftp://127.0.0.1:21", "127.0.0.1:1080", "socks5://:1080", "http://127.0.0.1:port"],
)
def test_a_malformed_proxy_setting_is_refused(value: str) -> None:
    """Only http, https, socks5 (socks5h) URLs with a host and a numeric port."""
    with pytest.raises(ValidationError, match="telegram_proxy"):
        Settings(telegram_proxy=SecretStr(value))


def test_the_proxy_label_hides_the_password() -> None:
    """user:***@host:port; no credentials, no stars."""
    proxied = Settings(telegram_proxy=SecretStr("socks5h://u%40x:p%3A1@proxy.example:1080"))
    assert proxied.proxy_label() == "socks5h://u@x:***@proxy.example:1080"
    assert Settings(telegram_proxy=SecretStr("http://10.0.0.1:3128")).proxy_label() == (
        "http://10.0.0.1:3128"
    )
    assert Settings().proxy_label() is None


async def test_the_http_proxy_tunnels_plain_http_with_connect() -> None:
    """The kit's HTTP proxy also tunnels CONNECT to a plain-http target (the sandbox)."""
    async with SandboxServer() as sandbox, HttpProxy() as proxy:
        host, port = sandbox.url.removeprefix("http://").split(":")
        reader, writer = await asyncio.open_connection("127.0.0.1", proxy.port)
        writer.write(f"CONNECT {host}:{port} HTTP/1.1\r\nHost: {host}:{port}\r\n\r\n".encode())
        assert (await reader.readuntil(b"\r\n\r\n")).startswith(b"HTTP/1.1 200")
        writer.write(
            f"GET /bot{sandbox.token}/getMe HTTP/1.1\r\nHost: {host}\r\n"
            "Connection: close\r\n\r\n".encode()
        )
        answer = await reader.read()
        writer.close()
    assert answer.startswith(b"HTTP/1.1 200")
    assert b"annex_sandbox_bot" in answer
    assert proxy.log.methods() == ["getMe"]
