"""Fixtures for the CLI tests: a runner whose annexbot keeps its data in a temporary directory."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner


@pytest.fixture
def runner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    """A runner whose annexbot keeps its SQLite file in a temporary directory (its cwd)."""
    monkeypatch.setenv("ANNEXBOT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("ANNEXBOT_DATABASE_URL", raising=False)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("COLUMNS", "200")
    return CliRunner()
