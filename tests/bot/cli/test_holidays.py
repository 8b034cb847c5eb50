"""`annexbot holidays`: a notice shown, confirmed and imported; single days; one-line errors."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli.main import app
from tests.workflows.calendars import NOTICES, notice_text

WRITTEN_2027 = str(NOTICES / "2027-written.txt")


def test_a_notice_is_shown_then_imported_when_confirmed(runner: CliRunner) -> None:
    """Read, shown, asked; no writes until yes; then the year follows the notice."""
    before = runner.invoke(app, ["holidays", "show", "2027"])
    assert before.exit_code == 0, before.output
    assert before.output.startswith("2027: no holidays known; the calendar covers up to 2026.")
    declined = runner.invoke(app, ["holidays", "import", WRITTEN_2027], input="n\n")
    assert declined.exit_code == 0, declined.output
    assert "The notice for 2027 (the year has nothing so far):" in declined.output
    assert "  春节  2月5日（周五）至2月12日（周五）  8 days off" in declined.output
    assert "      worked: 2月14日（周日）、2月20日（周六）" in declined.output
    assert "  2027-02-14 2月14日（周日）: day off → working day" in declined.output
    assert declined.output.rstrip().endswith("Nothing written.")
    assert "no holidays known" in runner.invoke(app, ["holidays", "show", "2027"]).output
    accepted = runner.invoke(
        app, ["holidays", "import", WRITTEN_2027, "--note", "ours"], input="y\n"
    )
    assert accepted.exit_code == 0, accepted.output
    assert "Imported: 2027 now follows the notice (33 days)." in accepted.output
    shown = runner.invoke(app, ["holidays", "show", "2027"]).output
    assert shown.startswith("2027: the State Council's notice, imported ")
    assert ", ours" in shown.splitlines()[0]
    assert "  元旦  1月1日（周五）至1月3日（周日）  3 days off" in shown


def test_standard_input_needs_apply(runner: CliRunner) -> None:
    """From standard input nobody can answer: shown, not written, unless --apply."""
    shown = runner.invoke(app, ["holidays", "import", "-"], input=notice_text(2025))
    assert shown.exit_code == 0, shown.output
    assert "No day changes between working and off." in shown.output
    assert "Nothing written: run again with --apply to import it." in shown.output
    done = runner.invoke(app, ["holidays", "import", "-", "--apply"], input=notice_text(2025))
    assert "Imported: 2025 now follows the notice" in done.output
    assert "the State Council's notice" in runner.invoke(app, ["holidays", "show", "2025"]).output


def test_a_notice_from_a_gb18030_file(runner: CliRunner, tmp_path: Path) -> None:
    """Offices save text as GB18030; it reads the same."""
    path = tmp_path / "通知.txt"
    path.write_bytes(notice_text(2026).encode("gb18030"))
    done = runner.invoke(app, ["holidays", "import", str(path), "--apply"])
    assert done.exit_code == 0, done.output
    assert "Imported: 2026 now follows the notice" in done.output


def test_single_days(runner: CliRunner) -> None:
    """add makes a day off (or --working a working day); remove makes it ordinary again."""
    added = runner.invoke(app, ["holidays", "add", "2026-12-24", "--name", "停电"])
    assert added.output.strip() == "2026-12-24 12月24日（周四）: working day → day off"
    worked = runner.invoke(app, ["holidays", "add", "2026-12-26", "--working"])
    assert worked.output.strip() == "2026-12-26 12月26日（周六）: day off → working day"
    wrong = runner.invoke(app, ["holidays", "remove", "2026-12-24", "--working"])
    assert (wrong.exit_code, wrong.output.strip()) == (
        1,
        "annexbot: 2026-12-24 is not an adjusted working day",
    )
    removed = runner.invoke(app, ["holidays", "remove", "2026-12-24"])
    assert removed.output.strip() == "2026-12-24 12月24日（周四）: day off → working day"
    shown = runner.invoke(app, ["holidays", "show", "2026"]).output
    assert "12月26日（周六）" in shown
    assert "12月24日" not in shown


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["import", "missing.txt"], "annexbot: no such file: missing.txt"),
        (["add", "2026-13-01"], "annexbot: not a date (YYYY-MM-DD): 2026-13-01"),
        (
            ["remove", "2026-12-23"],
            "annexbot: 2026-12-23 is neither a holiday nor an adjusted working day",
        ),
    ],
)
def test_errors_are_one_line(runner: CliRunner, args: list[str], message: str) -> None:
    """Wrong input: one line on standard error, exit code 1."""
    result = runner.invoke(app, ["holidays", *args])
    assert (result.exit_code, result.output.strip()) == (1, message)


def test_a_notice_that_cannot_be_read_names_the_paragraph(
    runner: CliRunner, tmp_path: Path
) -> None:
    """A wrong weekday (a notice for another year): the paragraph, the date, nothing written."""
    path = tmp_path / "bad.txt"
    path.write_text(notice_text(2026).replace("至7日（周三）", "至7日（周二）"), encoding="utf-8")
    result = runner.invoke(app, ["holidays", "import", str(path), "--apply"])
    assert result.exit_code == 1
    assert result.output.strip() == (
        "annexbot: paragraph 七 (国庆节): 10月7日 is a 周三 in 2026, the notice says 周二"
    )
