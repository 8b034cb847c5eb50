"""`python -m bot.sandbox` as a newcomer meets it, and the HTTP control API under /sandbox/."""

from __future__ import annotations

import asyncio
import json
import re
import shlex
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup

from bot.chat.application import build_application
from bot.runtime import Runtime
from bot.sandbox import SandboxServer
from bot.sandbox.__main__ import Echo
from bot.settings import Settings

ALICE = 42
FORM = "application/x-www-form-urlencoded"


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
