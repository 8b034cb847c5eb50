"""`python -m bot.sandbox` as a newcomer meets it, the HTTP control API under /sandbox/, and the
README's "Using it for real" typed as printed with the sandbox in place of Telegram."""

from __future__ import annotations

import asyncio
import json
import os
import re
import shlex
import signal
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any, cast

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup

from bot.chat.application import build_application
from bot.runtime import Runtime
from bot.sandbox import SandboxServer
from bot.sandbox.__main__ import Echo, banner
from bot.sandbox.control import DEFAULT_TOKEN
from bot.settings import Settings

ALICE = 42
FORM = "application/x-www-form-urlencoded"
README = Path(__file__).resolve().parents[3] / "README.md"
VENV_BIN = ".venv/bin/"


class Console:
    """The sandbox console in a child process, its output read line by line as it comes."""

    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process
        self.lines: list[str] = []

    async def line(self) -> str:
        """The next line the console prints."""
        assert self.process.stdout is not None
        raw = await asyncio.wait_for(self.process.stdout.readline(), timeout=20)
        assert raw, f"the console ended; it printed {self.lines}"
        self.lines.append(raw.decode().rstrip("\n"))
        return self.lines[-1]

    async def until(self, pattern: str) -> str:
        """Reads lines until one matches pattern; returns it."""
        while not re.search(pattern, line := await self.line()):
            pass
        return line


@pytest.fixture
async def console() -> AsyncIterator[Console]:
    """`python -m bot.sandbox --port 0` running; stopped with SIGTERM after the test."""
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot.sandbox", "--port", "0", stdout=asyncio.subprocess.PIPE
    )
    try:
        yield Console(process)
    finally:
        process.terminate()
        await asyncio.wait_for(process.wait(), timeout=20)


def curl_post(line: str) -> tuple[str, bytes]:
    """The URL and body of a printed `curl -d DATA URL` command."""
    words = shlex.split(line[line.index("curl") :])
    assert words[:2] == ["curl", "-d"]
    return words[3], words[2].encode()


async def test_the_printed_setup_works_as_printed(
    console: Console,
    session_factory: async_sessionmaker[AsyncSession],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    assert (await console.line()).startswith("Bot API sandbox at http://127.0.0.1:")
    for _ in range(2):
        name, _, value = (await console.line()).strip().removeprefix("export ").partition("=")
        monkeypatch.setenv(name, shlex.split(value)[0])
    act, read = await console.line(), await console.line()
    monkeypatch.setenv("ANNEXBOT_DATA_DIR", str(tmp_path))

    runtime = Runtime(settings=Settings(_env_file=None), sessions=session_factory)
    application = build_application(runtime)
    async with application:  # getMe: the token and URL as printed are accepted
        await application.start()
        assert application.updater is not None
        await application.updater.start_polling(timeout=5, poll_interval=0)
        try:
            url, body = curl_post(act)
            async with httpx.AsyncClient() as client:
                # curl -d posts as a form; the control API reads the body as JSON.
                sent = await client.post(url, content=body, headers={"content-type": FORM})
                assert sent.status_code == 200, sent.text
                first = await console.until(r"^sendMessage ")
                # A second update ends the bot's long poll, which began before the first reply.
                again = json.dumps({"user_id": ALICE, "text": "/help"}).encode()
                assert (await client.post(url, content=again)).status_code == 200
                second = await console.until(r"^sendMessage ")
                chat = (await client.get(read.split()[-1])).json()
        finally:
            await application.updater.stop()
            await application.stop()
    assert "'chat_id': 42" in first
    assert first.endswith("-> ok")
    assert second.endswith("-> ok")
    assert [m["text"] for m in chat if not m["from"]["is_bot"]] == ["/start", "/help"]
    assert len([m for m in chat if m["from"]["is_bot"]]) == 2
    assert sum(line.startswith("sendMessage ") for line in console.lines) == 2


async def test_echo_prints_a_call_once_though_a_long_poll_ends_after_it(
    sandbox: SandboxServer, bot: Bot
) -> None:
    printed: list[str] = []
    echo = Echo(sandbox, printed.append)
    poll = asyncio.create_task(bot.get_updates(timeout=10))
    await sandbox.wait_until(lambda: len(sandbox.calls("getUpdates")) == 1)
    await bot.send_message(ALICE, "你好")
    echo.flush()
    sandbox.send_text(ALICE, "hi")
    await poll
    await bot.send_message(ALICE, "再见")
    echo.flush()
    echo.flush()
    assert printed == [
        "sendMessage {'chat_id': 42, 'text': '你好'} -> ok",
        "sendMessage {'chat_id': 42, 'text': '再见'} -> ok",
    ]


async def control(sandbox: SandboxServer, path: str, body: dict[str, Any]) -> httpx.Response:
    """POST to the sandbox's HTTP control API."""
    async with httpx.AsyncClient(base_url=sandbox.url) as client:
        return await client.post(f"/sandbox/{path}", json=body)


async def test_http_control_api(sandbox: SandboxServer, bot: Bot) -> None:
    refused = await control(sandbox, "send_text", {"user_id": 7, "text": "/start"})
    assert refused.status_code == 400
    assert "POST /sandbox/users" in refused.json()["error"]
    user = await control(sandbox, "users", {"user_id": 7, "first_name": "李明"})
    assert user.json() == {
        "id": 7,
        "is_bot": False,
        "first_name": "李明",
        "language_code": "zh-hans",
    }
    said = await control(sandbox, "send_text", {"user_id": 7, "text": "/start"})
    assert said.json()["message"]["entities"][0]["type"] == "bot_command"

    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("签收", callback_data="sign:3")]])
    offer = await bot.send_message(7, "任务 3", reply_markup=keyboard)
    pressed = await control(
        sandbox, "press", {"user_id": 7, "message_id": offer.message_id, "callback_data": "sign:3"}
    )
    assert pressed.json()["callback_query"]["data"] == "sign:3"
    missing = await control(
        sandbox, "press", {"user_id": 7, "message_id": offer.message_id, "callback_data": "x"}
    )
    assert missing.status_code == 400
    assert "no button" in missing.json()["error"]

    async with httpx.AsyncClient(base_url=sandbox.url) as client:
        chat = (await client.get("/sandbox/chats/7")).json()
        wrong = await client.get("/sandbox/chats/seven")
    assert [(m["text"], m["from"]["is_bot"]) for m in chat] == [("/start", False), ("任务 3", True)]
    assert chat[1]["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "sign:3"
    assert wrong.status_code == 400


def readme_commands(section: str) -> list[str]:
    """The `.venv/bin/…` commands of a README section's shell blocks, comments dropped."""
    text = README.read_text(encoding="utf-8").split(f"## {section}", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```sh\n(.*?)```", text, re.DOTALL)
    lines = [line.split("  #")[0].strip() for block in blocks for line in block.splitlines()]
    return [line for line in lines if line.startswith(VENV_BIN)]


async def annexbot(command: str, env: dict[str, str], cwd: Path) -> str:
    """A README command run as printed (.venv/bin/ is this test's environment); its output."""
    words = shlex.split(command)
    program = str(Path(sys.executable).parent / words[0].removeprefix(VENV_BIN))
    process = await asyncio.create_subprocess_exec(
        program, *words[1:], env=env, cwd=cwd, stdout=asyncio.subprocess.PIPE
    )
    out, _ = await asyncio.wait_for(process.communicate(), timeout=120)
    assert process.returncode == 0, out.decode()
    return out.decode()


@pytest.mark.timeout(180)
async def test_using_it_for_real_with_the_sandbox_in_place_of_telegram(
    console: Console, tmp_path: Path
) -> None:
    """The README's steps as printed: sandbox, import, run, the first coordinator, an invite."""
    import_command, run_command, sandbox_command = readme_commands("Using it for real")[:3]
    assert import_command == ".venv/bin/annexbot import --bundled gf-2015-5"
    assert run_command == ".venv/bin/annexbot run"
    assert sandbox_command == ".venv/bin/python -m bot.sandbox"  # the console fixture runs it
    await console.line()
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANNEXBOT_")}
    for _ in range(2):  # the exports the sandbox prints stand in for BotFather's token
        name, _, value = (await console.line()).strip().removeprefix("export ").partition("=")
        env[name] = shlex.split(value)[0]
    act, read = await console.line(), await console.line()
    send_url, chats_url = curl_post(act)[0], read.split()[-1].rsplit("/", 1)[0]
    env |= {"ANNEXBOT_DATA_DIR": str(tmp_path / "data"), "ANNEXBOT_HTTP_PORT": "0"}

    imported = await annexbot(import_command, env, tmp_path)
    assert "into plan gf-2015-5 (table layout): 23 tasks." in imported
    invite = await annexbot(".venv/bin/annexbot invite --coordinator", env, tmp_path)
    code = re.search(r"^Code: (\S+)$", invite, re.MULTILINE)
    assert code is not None, invite
    assert f"Link: https://t.me/annex_sandbox_bot?start={code[1]}" in invite

    words = shlex.split(run_command)
    program = str(Path(sys.executable).parent / words[0].removeprefix(VENV_BIN))
    bot = await asyncio.create_subprocess_exec(program, *words[1:], env=env, cwd=tmp_path)
    try:
        await console.until(r"^setMyCommands ")  # started: the menus are set
        async with httpx.AsyncClient() as client:
            start = {"user_id": ALICE, "text": f"/start {code[1]}"}
            assert (await client.post(send_url, json=start)).status_code == 200
            await console.until(r"^sendMessage \{'chat_id': 42")
            invited = {"user_id": ALICE, "text": "/invite 科技部"}
            assert (await client.post(send_url, json=invited)).status_code == 200
            await console.until(r"^sendMessage \{'chat_id': 42, 'text': '科技部")
            chat = (await client.get(f"{chats_url}/{ALICE}")).json()
    finally:
        bot.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(bot.wait(), timeout=30) == 0
    replies = [m["text"] for m in chat if m["from"]["is_bot"]]
    assert "您已注册为协调人。" in replies[0]  # the sandbox user speaks Chinese
    assert re.search(r"https://t\.me/annex_sandbox_bot\?start=\S+", replies[-1]), replies[-1]


def test_the_readmes_curl_example_is_the_one_the_console_prints() -> None:
    """The README's example, on the default port, is the console's own (tested above)."""
    example = re.search(r"`(curl -d .*?/sandbox/send_text)`", README.read_text(encoding="utf-8"))
    assert example is not None
    default = cast(SandboxServer, SimpleNamespace(url="http://127.0.0.1:8081"))
    assert f"Act as user {ALICE}: {example[1]}\n" in banner(default, DEFAULT_TOKEN, ALICE)
