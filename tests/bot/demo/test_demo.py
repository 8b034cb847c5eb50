"""`annexbot demo`: the scripted weeks run to the end, in both languages, and leave their files."""

from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path

import pytest
from rich.cells import cell_len
from rich.console import Console
from typer.testing import CliRunner

from bot.cli.demo import _this_command
from bot.cli.main import app
from bot.demo.story import DemoResult, play
from bot.demo.transcript import wrap

NOW = dt.datetime(2026, 11, 24, 1, 0, tzinfo=dt.UTC)  # a Tuesday morning in Beijing


async def _play(directory: Path, language: str) -> tuple[DemoResult, str]:
    """Run the demo into a string; returns its result and what it printed."""
    out = io.StringIO()
    console = Console(file=out, width=120, color_system=None)
    result = await play(directory, language=language, console=console, now=NOW)
    return result, out.getvalue()


@pytest.mark.timeout(180)
async def test_demo_tells_the_story_in_chinese(tmp_path: Path) -> None:
    """Invitations, signing, a report, an extension, a close, nudges, escalation and the digest."""
    result, printed = await _play(tmp_path, "zh")
    text = "\n".join(result.lines)
    assert "所有日期顺延" in printed
    assert "李明（科技部） > ［签收］×" in text
    assert "第 4 项任务的延期申请已由王主任批准" in text
    assert "第 3 项任务已由王主任办结销号" in text
    assert "⏰ 任务已逾期" in text
    assert "-> 王主任（督查室）: 🚨 逾期任务上报" in text
    assert "每周" in text  # the Monday digest
    assert result.bot_messages > 50
    assert result.database.exists()


def test_cli_demo_refuses_a_full_directory(tmp_path: Path) -> None:
    """The demo never writes into a directory that holds something."""
    (tmp_path / "keep.txt").write_text("mine")
    outcome = CliRunner().invoke(app, ["demo", "--dir", str(tmp_path)])
    assert outcome.exit_code == 1
    assert outcome.output == f"annexbot: --dir: {tmp_path} is not empty\n"
    assert (tmp_path / "keep.txt").read_text() == "mine"


def test_cli_demo_runs_and_says_where_things_are(tmp_path: Path) -> None:
    """In English: the story plays to the end, says where its database is; `tasks` reads it."""
    target = tmp_path / "demo"
    outcome = CliRunner().invoke(
        app, ["demo", "--lang", "en", "--dir", str(target)], env={"COLUMNS": "72"}
    )
    assert outcome.exit_code == 0, outcome.output
    story = outcome.output.split("The bot sent")[0].splitlines()
    wide = [line for line in story if cell_len(line) > 72]
    assert [line for line in wide if " " in line.strip()] == []  # wrapped; only links overflow
    assert not [
        line for line in story if re.search(r"(?<![\w-])\d{4}-(\d{1,2}-?)?$", line)
    ]  # whole dates
    assert "falls on" in outcome.output
    assert "every date moved" in outcome.output
    assert "Li Ming (MOST) ▸ [Acknowledge] ×" in outcome.output
    assert "Weekly digest" in outcome.output
    assert "🚨" in outcome.output
    assert f"Database: {target / 'annexbot.sqlite3'}" in outcome.output
    tasks = CliRunner().invoke(app, ["tasks"], env={"ANNEXBOT_DATA_DIR": str(target)})
    assert tasks.exit_code == 0, tasks.output
    assert "云计算" in tasks.output


def test_lines_wrap_between_words_and_never_inside_a_date() -> None:
    """Chinese breaks between characters, English between words; dates and links stay whole."""
    line = (
        "      第 12 项任务 · gf-2015-5 截止：2026年12月3日。已逾期 5 天。责任单位：工业和信息化部"
    )
    for width in range(20, 60):
        pieces = wrap(line, width, indent="      ")
        assert all(cell_len(piece) <= width for piece in pieces), (width, pieces)
        assert "".join("".join(piece.split()) for piece in pieces) == "".join(line.split())
        assert any("2026年12月3日" in piece for piece in pieces), (width, pieces)
        assert any("gf-2015-5" in piece for piece in pieces)
    english = wrap("Due 2026-12-03, overdue by 5 days: see https://t.me/x?start=1", 24)
    assert english == ["Due 2026-12-03, overdue", "by 5 days: see", "https://t.me/x?start=1"]
    link = "https://t.me/annex_sandbox_bot?start=kMJGvOw4YUbH_Zgcv-P--Q"
    assert wrap(f"链接：{link}", 30, indent="  ") == ["链接：", f"  {link}"]  # whole, to copy
    assert wrap("[签收第 1 项] [签收第 3 项] [签收第 4 项]", 30) == [
        "[签收第 1 项] [签收第 3 项]",
        "[签收第 4 项]",
    ]
    assert wrap("支持云计算关键技术研发及产业化。", 30) == ["支持云计算关键技术研发及产业", "化。"]
    # A full stop after a number or a date stays with it, as after a Chinese character.
    assert wrap("再次请求，得到 HTTP 304。", 24) == ["再次请求，得到 HTTP", "304。"]
    assert wrap("截止 2016年3月8日。还剩 1 天。", 14) == ["截止", "2016年3月8日。", "还剩 1 天。"]


def test_the_closing_hint_runs_annexbot_as_it_was_started(monkeypatch: pytest.MonkeyPatch) -> None:
    """Started as .venv/bin/annexbot, the hint says .venv/bin/annexbot (no activated venv)."""
    monkeypatch.setattr("sys.argv", [".venv/bin/annexbot", "demo"])
    assert _this_command() == ".venv/bin/annexbot"
    monkeypatch.setattr("sys.argv", ["/usr/bin/python3", "-m", "pytest"])
    assert _this_command() == "annexbot"
