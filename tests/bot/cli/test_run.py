"""`annexbot run` failing to start: each failure one line naming what to fix."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli.main import app
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
