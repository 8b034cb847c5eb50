"""`annexbot export`, run as an operator would: files, standard output and one-line errors."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import icalendar
import openpyxl
import pytest
from typer.testing import CliRunner

from bot.cli.main import app


@pytest.fixture
def runner(runner: CliRunner) -> CliRunner:
    """The CLI runner, with the bundled plan imported."""
    imported = runner.invoke(app, ["import", "--bundled", "gf-2015-5"])
    assert imported.exit_code == 0, imported.output
    return runner


def test_xlsx_to_a_file(runner: CliRunner, tmp_path: Path) -> None:
    """--output names the workbook; it has both sheets, in English when asked."""
    result = runner.invoke(
        app, ["export", "--format", "xlsx", "--output", "meeting.xlsx", "--lang", "en"]
    )
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Wrote meeting.xlsx (113 matrix rows, ")
    workbook = openpyxl.load_workbook(tmp_path / "meeting.xlsx")
    assert workbook.sheetnames == ["Matrix", "History"]
    assert workbook["Matrix"].max_row == 114


def test_csv_default_names_per_table(runner: CliRunner, tmp_path: Path) -> None:
    """Without --output, CSV writes a matrix and a history file named by plan, agency and date."""
    result = runner.invoke(
        app, ["export", "--format", "csv", "--plan", "gf-2015-5", "--agency", "工信部"]
    )
    assert result.exit_code == 0, result.output
    [matrix] = tmp_path.glob("annexbot-gf-2015-5-工业和信息化部-matrix-*.csv")
    [history] = tmp_path.glob("annexbot-gf-2015-5-工业和信息化部-history-*.csv")
    assert f"Wrote {matrix.name} (" in result.output
    assert f"Wrote {history.name} (" in result.output
    rows = list(csv.reader(io.StringIO(matrix.read_text(encoding="utf-8-sig"))))
    assert rows[0][3] == "单位"
    assert {row[3] for row in rows[1:]} == {"工业和信息化部"}


def test_csv_output_path_gets_one_file_per_table(runner: CliRunner, tmp_path: Path) -> None:
    """--output report.csv writes report-matrix.csv and report-history.csv; --table only one."""
    both = runner.invoke(app, ["export", "--format", "csv", "-o", "report.csv"])
    assert both.exit_code == 0, both.output
    assert (tmp_path / "report-matrix.csv").is_file()
    assert (tmp_path / "report-history.csv").is_file()
    one = runner.invoke(app, ["export", "--format", "csv", "-o", "h.csv", "--table", "history"])
    assert one.exit_code == 0, one.output
    assert (tmp_path / "h.csv").read_bytes().startswith("\ufeff时间,".encode())


@pytest.mark.parametrize("output", ["out", "out/"])
def test_output_folder_takes_the_default_names(
    runner: CliRunner, tmp_path: Path, output: str
) -> None:
    """--output DIR writes each format's default names inside it, English ones apart."""
    if output == "out":
        (tmp_path / "out").mkdir()  # out/ makes it
    for format in ("xlsx", "ics", "csv"):
        for language in ("zh", "en"):
            result = runner.invoke(
                app, ["export", "--format", format, "-o", output, "--lang", language]
            )
            assert result.exit_code == 0, result.output
    names = sorted(path.name for path in (tmp_path / "out").iterdir())
    day = next(re.finditer(r"\d{8}", names[0])).group()
    assert names == sorted(
        f"annexbot-gf-2015-5{part}-{day}{suffix}.{ext}"
        for part, ext in (("", "xlsx"), ("", "ics"), ("-matrix", "csv"), ("-history", "csv"))
        for suffix in ("", "-en")
    )
    assert [path.name for path in tmp_path.iterdir() if path.is_file()] == []


def test_standard_output(runner: CliRunner) -> None:
    """- writes to standard output: the CSV matrix, or the calendar."""
    table = runner.invoke(app, ["export", "--format", "csv", "-o", "-"])
    assert table.exit_code == 0, table.output
    rows = list(csv.reader(io.StringIO(table.stdout_bytes.decode("utf-8-sig"))))
    assert rows[0][0] == "计划"
    assert len(rows) == 114
    ics = runner.invoke(app, ["export", "--format", "ics", "--agency", "科技部", "-o", "-"])
    assert ics.exit_code == 0, ics.output
    calendar = icalendar.Calendar.from_ical(ics.stdout_bytes)
    assert calendar.walk("VEVENT")


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["--format", "pdf"], 1, "annexbot: unknown --format 'pdf' (ics, csv or xlsx)"),
        (["--format", "csv", "--plan", "nope"], 1, "annexbot: There is no plan called “nope”."),
        (["--format", "xlsx", "--table", "matrix"], 1, "annexbot: --table takes matrix or"),
        (["--format", "csv", "--language", "fr"], 1, "annexbot: --lang takes zh or en"),
        (["--format", "csv", "--agency", "火星部"], 1, "annexbot: There is no agency called"),
    ],
)
def test_errors_are_one_line(runner: CliRunner, args: list[str], code: int, message: str) -> None:
    """Wrong options, plans or agencies: one line and an exit code."""
    result = runner.invoke(app, ["export", *args])
    assert result.exit_code == code
    assert result.output.startswith(message)
    assert len(result.output.strip().splitlines()) == 1
