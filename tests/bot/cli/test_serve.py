"""`annexbot serve` (feeds without any Telegram token) and `annexbot feed-link`."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import icalendar
import pytest
from typer.testing import CliRunner

from bot.cli.main import app
from bot.cli.serve import run_server
from bot.database import open_database
from bot.settings import Settings
from db.enums import FeedScope
from tests.kit.serving import free_port
from workflows.feeds.tokens import create_link

LINK = re.compile(r"^(https?://\S+/feeds/[A-Za-z0-9_-]{32}\.ics)$", re.MULTILINE)


@pytest.fixture
def environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """A data directory with the bundled plan imported, and no Telegram token anywhere."""
    env = {
        "ANNEXBOT_DATA_DIR": str(tmp_path / "data"),
        "ANNEXBOT_PUBLIC_BASE_URL": "http://127.0.0.1:9",
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("ANNEXBOT_TELEGRAM_TOKEN", raising=False)
    monkeypatch.delenv("ANNEXBOT_DATABASE_URL", raising=False)
    monkeypatch.chdir(tmp_path)  # no .env file from the checkout
    result = CliRunner().invoke(app, ["import", "--bundled", "gf-2015-5"])
    assert result.exit_code == 0, result.output
    return env


def _link(output: str) -> str:
    """The https feed link a feed-link command printed."""
    found = LINK.search(output)
    assert found is not None, output
    return found.group(1)


def test_feed_link_prints_https_and_webcal(environment: dict[str, str]) -> None:
    """feed-link prints the label, the https link and the webcal link; a bad agency fails."""
    result = CliRunner().invoke(app, ["feed-link", "--agency", "科技部"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "科技部 (link 1)"
    assert lines[1].startswith("http://127.0.0.1:9/feeds/")
    assert lines[2] == lines[1].replace("http://", "webcal://")
    bad = CliRunner().invoke(app, ["feed-link", "--agency", "不存在部"])
    assert bad.exit_code == 1


async def test_run_server_serves_feeds_without_a_token(environment: dict[str, str]) -> None:
    """run_server: no bot, no token; the feed answers and stops cleanly."""
    settings = Settings()
    async with open_database(settings) as sessions, sessions() as session:
        token, _ = await create_link(
            session=session, scope=FeedScope.PLAN, now=dt.datetime.now(dt.UTC)
        )
    path = f"/feeds/{token}.ics"
    assert settings.telegram_token is None
    stop = asyncio.Event()
    ready: asyncio.Future[int] = asyncio.get_running_loop().create_future()
    server = asyncio.create_task(
        run_server(settings, host="127.0.0.1", port=0, stop=stop, on_ready=ready.set_result)
    )
    try:
        port = await asyncio.wait_for(ready, 10)
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
            response = await client.get(path)
            missing = await client.get("/feeds/" + "x" * 32 + ".ics")
    finally:
        stop.set()
        await asyncio.wait_for(server, 10)
    assert response.status_code == 200
    events = icalendar.Calendar.from_ical(response.content).walk("VEVENT")
    assert len(events) > 23
    assert all("URL" not in event for event in events)  # no bot, no link back to it
    assert missing.status_code == 404


def test_annexbot_serve_process(environment: dict[str, str]) -> None:
    """The real `annexbot serve` command in its own process, with no token, serves a feed."""
    result = CliRunner().invoke(app, ["feed-link", "--agency", "公安部"])
    path = _link(result.output).split("127.0.0.1:9", 1)[1]
    port = free_port()
    env = {**os.environ, **environment, "ANNEXBOT_HTTP_PORT": str(port)}
    env.pop("ANNEXBOT_TELEGRAM_TOKEN", None)
    process = subprocess.Popen(
        [sys.executable, "-c", "from bot.cli.main import main; main()", "serve"],
        env=env,
        cwd=Path(environment["ANNEXBOT_DATA_DIR"]).parent,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        response = None
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and process.poll() is None:
            try:
                response = httpx.get(f"http://127.0.0.1:{port}{path}", timeout=2)
                break
            except httpx.TransportError:
                time.sleep(0.2)
        assert response is not None, process.stderr.read() if process.stderr else ""
        assert response.status_code == 200
        calendar = icalendar.Calendar.from_ical(response.content)
        assert str(calendar["X-WR-CALNAME"]).endswith("公安部")
    finally:
        process.terminate()
        process.wait(timeout=10)
    assert process.returncode == 0
    assert process.stderr is not None
    assert "alembic" not in process.stderr.read().decode()  # its INFO lines on every start


def test_a_busy_port_is_named(environment: dict[str, str]) -> None:
    """serve on a port another program holds: one line naming the port, exit code 1."""
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = CliRunner().invoke(app, ["serve", "--port", str(port)])
    assert result.exit_code == 1
    assert result.output == (
        f"annexbot: port {port} on 127.0.0.1 is in use (another annexbot?); choose another "
        "with --port or ANNEXBOT_HTTP_PORT\n"
    )


def test_feed_link_with_several_plans_points_to_plan(environment: dict[str, str]) -> None:
    """Two plans: the error says how to name one, in the shell's words."""
    copy = CliRunner().invoke(app, ["import", "--bundled", "gf-2015-5", "--plan", "copy"])
    assert copy.exit_code == 0, copy.output
    result = CliRunner().invoke(app, ["feed-link"])
    assert result.exit_code == 1
    assert result.output == (
        "annexbot: There are several plans; name one with --plan CODE (annexbot plans lists "
        "them).\n"
    )
