"""`annexbot run` failing to start: each failure one line naming what to fix."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli.main import app
from db.engine import create_engine
from db.migrations import upgrade
from tests.kit.serving import free_port


def test_an_unreachable_bot_api_is_named(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Nothing listens at ANNEXBOT_TELEGRAM_API_URL: the line names the URL and the variable."""
    url = f"http://127.0.0.1:{free_port()}"
    monkeypatch.setenv("ANNEXBOT_TELEGRAM_TOKEN", "123456:TEST")
    monkeypatch.setenv("ANNEXBOT_TELEGRAM_API_URL", url)
    monkeypatch.delenv("ANNEXBOT_TELEGRAM_PROXY", raising=False)
    result = runner.invoke(app, ["run", "--port", "0"])
    assert result.exit_code == 1
    assert result.output.startswith(
        f"annexbot: cannot reach the Bot API at {url} (ANNEXBOT_TELEGRAM_API_URL): ConnectError"
    )
    assert len(result.output.splitlines()) == 1
    assert "alembic" not in result.output


# Libraries only an import, a chart, a feed or an export needs; `annexbot run` must not hold
# them from start-up (issue 17: numpy and PIL alone, through openpyxl, were some 20 MB).
ON_USE_ONLY = (
    "openpyxl",
    "numpy",
    "PIL",
    "docx",
    "pdfplumber",
    "pdfminer",
    "bs4",
    "lxml",
    "opencc_purepy",
    "icalendar",
    "matplotlib",
    "alembic",
    "mako",
)
_START_UP = """
import sys
from bot.cli.main import app
try:
    app(["run", "--port", "0"])
except SystemExit:
    pass
print(" ".join(sorted({name.split(".")[0] for name in sys.modules} & set(sys.argv[1:]))))
"""


async def test_start_up_leaves_the_big_readers_unloaded(tmp_path: Path) -> None:
    """`annexbot run` up to its first call to Telegram imports no reader, chart or feed library.

    Nor Alembic, on a database at the head already (every start but the first after an upgrade).
    """
    database = f"sqlite+aiosqlite:///{tmp_path / 'annexbot.sqlite3'}"
    engine = create_engine(database)
    await upgrade(engine)
    await engine.dispose()
    url = f"http://127.0.0.1:{free_port()}"
    env = {
        **os.environ,
        "ANNEXBOT_DATA_DIR": str(tmp_path),
        "ANNEXBOT_DATABASE_URL": database,
        "ANNEXBOT_TELEGRAM_TOKEN": "123456:TEST",
        "ANNEXBOT_TELEGRAM_API_URL": url,
    }
    env.pop("ANNEXBOT_TELEGRAM_PROXY", None)
    child = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        _START_UP,
        *ON_USE_ONLY,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(child.communicate(), timeout=120)
    # It went the whole way: the database upgraded, the handlers built, Telegram tried.
    assert f"cannot reach the Bot API at {url}" in err.decode()
    assert out.decode().split() == []
