"""`annexbot digest`: the digest as terminal text, an agency's, and the chart as a PNG file."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli.main import app
from bot.files.chart import cjk_family


@pytest.fixture
def runner(runner: CliRunner) -> CliRunner:
    """The CLI runner, with the bundled plan imported."""
    imported = runner.invoke(app, ["import", "--bundled", "gf-2015-5"])
    assert imported.exit_code == 0, imported.output
    return runner


def test_the_coordinators_digest_as_plain_text(runner: CliRunner) -> None:
    """English, no HTML tags, the whole digest in one piece."""
    result = runner.invoke(app, ["digest", "--lang", "en"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith("📊 Weekly digest · gf-2015-5 · ")
    assert lines[1].startswith("Tasks: 🔴 ")
    assert "Overdue" in lines
    assert "<b>" not in result.output
    assert "&lt;" not in result.output


def test_an_agency_digest_in_chinese(runner: CliRunner) -> None:
    """--agency by an alias; Chinese by default; only that agency's tasks."""
    result = runner.invoke(app, ["digest", "--agency", "工信部", "--plan", "gf-2015-5"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("📋 工业和信息化部每周简报 · gf-2015-5 · ")
    assert "牵头任务（9 项）" in result.output
    assert "配合任务（10 项）" in result.output
    numbers = {
        line.split()[1] for line in result.output.splitlines() if line[:1] in ("🔴", "🟡", "🟢")
    }
    assert len(numbers) == 19


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["digest", "--agency", "外交部"], "annexbot: There is no agency called “外交部”;"),
        (["digest", "--plan", "nope"], "annexbot: There is no plan called “nope”."),
        (["digest", "--lang", "fr"], "annexbot: --lang takes zh or en"),
    ],
)
def test_errors_are_one_line(runner: CliRunner, args: list[str], message: str) -> None:
    """An unknown agency, plan or language: one line, exit code 1."""
    result = runner.invoke(app, args)
    assert result.exit_code == 1
    assert result.output.startswith(message)


@pytest.mark.skipif(cjk_family() is None, reason="no CJK font installed")
def test_chart_writes_a_png(runner: CliRunner, tmp_path: Path) -> None:
    """--chart FILE writes the progress chart next to the printed digest."""
    target = tmp_path / "chart.png"
    result = runner.invoke(app, ["digest", "--chart", str(target)])
    assert result.exit_code == 0, result.output
    assert target.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    assert f"Chart written to {target}" in result.output


class Drawn:
    """render_gantt stood in for: what it was asked to draw."""

    def __init__(self) -> None:
        self.charts: list[tuple[str | None, int]] = []

    def __call__(self, rows: list[object], **kwargs: object) -> bytes:
        self.charts.append((kwargs["title"], len(rows)))  # type: ignore[arg-type]
        return b"\x89PNG fake"


@pytest.fixture
def drawn(monkeypatch: pytest.MonkeyPatch) -> Drawn:
    """The charts the digest command draws, instead of drawing them."""
    stand_in = Drawn()
    monkeypatch.setattr("bot.cli.digest.render_gantt", stand_in)
    return stand_in


def test_an_agency_chart_draws_its_tasks(runner: CliRunner, tmp_path: Path, drawn: Drawn) -> None:
    """--agency X --chart draws X's 19 tasks under a title that names X and the plan."""
    result = runner.invoke(app, ["digest", "--agency", "工信部", "--chart", "c.png"])
    assert result.exit_code == 0, result.output
    [(title, rows)] = drawn.charts
    assert title is not None
    assert title.startswith("工业和信息化部承担的国发〔2015〕5号 · gf-2015-5任务（")
    assert rows == 19
    assert (tmp_path / "c.png").read_bytes() == b"\x89PNG fake"


def test_several_plans_give_a_chart_each(runner: CliRunner, tmp_path: Path, drawn: Drawn) -> None:
    """With two plans, --chart FILE writes FILE-PLAN.png for each; --plan picks one."""
    again = runner.invoke(app, ["import", "--bundled", "gf-2015-5", "--plan", "copy"])
    assert again.exit_code == 0, again.output
    both = runner.invoke(app, ["digest", "--lang", "en", "--chart", "c.png"])
    assert both.exit_code == 0, both.output
    assert "Chart written to c-copy.png" in both.output
    assert both.output.startswith("📊 Weekly digest · 2 plans · ")
    assert "\n▸ 国发〔2015〕5号 · copy\n" in both.output
    assert "\n▸ 国发〔2015〕5号 · gf-2015-5\n" in both.output
    assert "/chart" not in both.output
    assert "Chart written to c-gf-2015-5.png" in both.output
    assert [rows for _, rows in drawn.charts] == [23, 23]
    titles = [title.split(":")[0] for title, _ in drawn.charts if title]
    assert titles == ["国发〔2015〕5号 · copy", "国发〔2015〕5号 · gf-2015-5"]
    one = runner.invoke(app, ["digest", "--plan", "copy", "--chart", "one.png"])
    assert one.exit_code == 0, one.output
    assert (tmp_path / "one.png").is_file()
    assert drawn.charts[-1][1] == 23
