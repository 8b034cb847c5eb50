"""The annexbot command line, run as a user would, against a fresh SQLite file."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from bot.cli.main import app


def test_bundled_import_then_tasks_json_shows_the_23_tasks(runner: CliRunner) -> None:
    """The README's first steps: import the bundled plan and list its tasks as JSON."""
    imported = runner.invoke(app, ["import", "--bundled", "gf-2015-5"])
    assert imported.exit_code == 0, imported.output
    assert "23 tasks" in imported.output
    listed = runner.invoke(app, ["tasks", "--json"])
    assert listed.exit_code == 0, listed.output
    tasks = json.loads(listed.stdout)
    assert len(tasks) == 23
    five = tasks[4]
    assert five["lead"][0]["name"] == "发展改革委"
    assert [u["name"] for u in five["co"]] == [
        "工业和信息化部",
        "网信办",
        "财政部",
        "科技部",
        "保密局",
        "密码局",
        "地方各级人民政府",
    ]
    assert five["units_open"] is True
    assert five["co"][-1]["group"] is True
    assert tasks[11]["schedule"]["due"] == "2015-12-31"
    assert tasks[0]["schedule"] == {
        "text": "2015 年开始实施",
        "start": "2015-01-06",
        "due": None,
        "ongoing": True,
        "flagged": False,
        "recurrence": None,
    }


def test_tables_for_people(runner: CliRunner) -> None:
    """plans, tasks, task N and agencies print readable tables."""
    runner.invoke(app, ["import", "--bundled", "gf-2015-5"])
    plans = runner.invoke(app, ["plans"])
    assert "gf-2015-5" in plans.output
    assert "国发〔2015〕5号" in plans.output
    task = runner.invoke(app, ["task", "12"])
    assert task.exit_code == 0
    assert "2015-12-31" in task.output
    assert "工业和信息化部" in task.output
    filtered = runner.invoke(app, ["tasks", "--agency", "商务部", "--json"])
    assert [t["number"] for t in json.loads(filtered.stdout)] == [23]
    agencies = runner.invoke(app, ["agencies", "--json"])
    ndrc = next(a for a in json.loads(agencies.stdout) if a["name"] == "发展改革委")
    assert ndrc["lead_tasks"] == 5
    assert ndrc["co_tasks"] == 16


def test_import_from_standard_input_and_reimport_diff(runner: CliRunner, tmp_path: Path) -> None:
    """An annex piped in imports; a revised file shows its diff and applies with --apply."""
    annex = "序号\t工作任务\t负责单位\t时间进度\n1\t建设平台。\t工信部、科技部\t2016年底前\n"
    first = runner.invoke(app, ["import", "-", "--plan", "pilot"], input=annex.encode())
    assert first.exit_code == 0, first.output
    revised = tmp_path / "pilot.txt"
    revised.write_text(annex.replace("2016年底前", "2017年6月底前"), encoding="utf-8")
    shown = runner.invoke(app, ["import", str(revised), "--plan", "pilot"])
    assert "~ 1" in shown.output
    assert "--apply" in shown.output
    assert (
        json.loads(runner.invoke(app, ["task", "1", "--json"]).stdout)["schedule"]["due"]
        == "2016-12-31"
    )
    runner.invoke(app, ["import", str(revised), "--plan", "pilot", "--apply"])
    assert (
        json.loads(runner.invoke(app, ["task", "1", "--json"]).stdout)["schedule"]["due"]
        == "2017-06-30"
    )


def test_a_second_file_of_the_same_name_is_said_to_be_compared(
    runner: CliRunner, tmp_path: Path
) -> None:
    """plan.csv then plan.xlsx: both name plan "plan"; the second says it is a revision of it."""
    rows = [
        ["序号", "工作任务", "负责单位", "时间进度"],
        ["1", "建设平台。", "工信部", "2016年底前"],
    ]
    (tmp_path / "plan.csv").write_text("\n".join(",".join(row) for row in rows) + "\n")
    book = openpyxl.Workbook()
    for row in [*rows, ["2", "推广应用。", "科技部", "2017年底前"]]:
        book.active.append(row)
    book.save(tmp_path / "plan.xlsx")
    first = runner.invoke(app, ["import", "plan.csv"])
    assert first.exit_code == 0, first.output
    assert "exists already" not in first.output
    second = runner.invoke(app, ["import", "plan.xlsx"])
    assert second.exit_code == 0, second.output
    assert second.output.startswith(
        "Plan plan exists already, so this file is compared with it as a revised version of "
        "its annex; to import it as a plan of its own, give --plan CODE.\n"
    )
    assert "  + 2 推广应用。" in second.output
    own = runner.invoke(app, ["import", "plan.xlsx", "--plan", "plan-xlsx"])
    assert own.output.startswith("Imported the annex into plan plan-xlsx (xlsx layout): 2 tasks.")


def test_the_bundled_plan_moved_to_try_it_for_real(runner: CliRunner) -> None:
    """--shift-to DATE moves every date so the first deadline (task 12, 2015-12-31) is DATE."""
    moved = runner.invoke(app, ["import", "--bundled", "gf-2015-5", "--shift-to", "2027-03-01"])
    assert moved.exit_code == 0, moved.output
    assert moved.output.endswith(
        "Every date moved 4078 days, so the first deadline falls on 2027-03-01.\n"
    )
    task = json.loads(runner.invoke(app, ["task", "12", "--json"]).stdout)
    assert task["schedule"]["due"] == "2027-03-01"
    assert [m["date"] for m in task["milestones"] if m["kind"] == "due"] == ["2027-03-01"]
    again = runner.invoke(app, ["import", "--bundled", "gf-2015-5", "--shift-to", "2028-01-01"])
    assert again.exit_code == 1
    assert again.stderr == (
        "annexbot: --shift-to moves a new plan's dates; plan gf-2015-5 exists already, and "
        "none of its dates moved\n"
    )


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["import", "missing.txt"], "no such file: missing.txt"),
        (["import", "--bundled", "gf-1999-1"], "no bundled annex"),
        (["task", "99"], "no task 99"),
        (["tasks", "--plan", "nope"], "no plan 'nope'"),
        (
            ["tasks", "--agency", "不存在部"],
            "annexbot: There is no agency called “不存在部”; annexbot agencies lists them.",
        ),
        (["import", "."], "annexbot: . is a directory; give the annex file in it"),
        (["import", "--bundled", "gf-2015-5", "--plan", "Bad Code!"], "plan code"),
    ],
)
def test_errors_are_one_line_and_exit_1(
    runner: CliRunner, arguments: list[str], message: str
) -> None:
    """Bad input gets one clear line on standard error and exit code 1, never a traceback."""
    result = runner.invoke(app, arguments)
    assert result.exit_code == 1
    assert message in result.stderr
    assert "Traceback" not in result.output
    assert len(result.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize("name", ["empty.csv", "empty.txt"])
def test_an_empty_file_says_so(runner: CliRunner, tmp_path: Path, name: str) -> None:
    """An empty (or blank) file is named as empty, not read as a layout."""
    (tmp_path / name).write_text(" \n")
    result = runner.invoke(app, ["import", name])
    assert result.exit_code == 1
    assert result.stderr == f"annexbot: {name} is empty: nothing to import\n"


def test_a_csv_without_the_columns_names_them(runner: CliRunner, tmp_path: Path) -> None:
    """A CSV whose header the importer does not know: which columns it expects, what it saw."""
    (tmp_path / "plan.csv").write_text("a,b,c\n1,2,3\n")
    result = runner.invoke(app, ["import", "plan.csv"])
    assert result.exit_code == 1
    assert result.stderr.startswith("annexbot: no CSV header row in the first 10 rows")
    assert (
        "expected a task column (工作任务, 重点任务 or Task) and units in 负责单位" in result.stderr
    )
    assert result.stderr.endswith("Its first row: a,b,c\n")


def test_bad_annex_names_the_line(runner: CliRunner) -> None:
    """An annex row without units is reported with its line number."""
    annex = "序号\t工作任务\t负责单位\t时间进度\n1\t甲。\t科技部\t2016年\n2\t乙。\t\t2016年\n"
    result = runner.invoke(app, ["import", "-", "--plan", "bad"], input=annex.encode())
    assert result.exit_code == 1
    assert "line 3" in result.stderr


def test_bad_setting_is_named(runner: CliRunner, monkeypatch: pytest.MonkeyPatch) -> None:
    """A wrong setting is named in one line."""
    monkeypatch.setenv("ANNEXBOT_TIMEZONE", "Mars/Olympus")
    result = runner.invoke(app, ["plans"])
    assert result.exit_code == 1
    assert "ANNEXBOT_TIMEZONE" in result.stderr


def test_import_explain_says_how_each_task_was_read_and_writes_nothing(
    runner: CliRunner, tmp_path: Path
) -> None:
    """--explain: per task the rule, the units and schedule as printed and as understood."""
    explained = runner.invoke(app, ["import", "--bundled", "gf-2015-5", "--explain"])
    assert explained.exit_code == 0, explained.output
    lines = explained.stdout.splitlines()
    assert lines[0] == "layout: table, 国发〔2015〕5号; 23 tasks"
    assert lines[1] == "1. text table, columns number | text | units | schedule"
    assert "→ lead | co: 发展改革委 | 工业和信息化部、科技部、财政部 (等: open list)" in lines[3]
    assert lines[5].strip() == "→ start 2015-01-06, ongoing"
    assert not (tmp_path / "data").exists()

    inline = tmp_path / "inline.txt"
    task = "1. 建立协调机制。（发展改革委牵头，财政部参与，2016年底前完成）"
    inline.write_text(f"一、加强统筹\n{task}\n")
    read = runner.invoke(app, ["import", str(inline), "--explain", "--issued", "2016-03-01"])
    assert read.exit_code == 0, read.output
    assert "1. inline parenthetical, numbered 1." in read.stdout
    assert "→ lead | co: 发展改革委 | 财政部" in read.stdout
    assert "→ due 2016-12-31" in read.stdout

    missing = runner.invoke(app, ["import", str(tmp_path / "nope.txt"), "--explain"])
    assert missing.exit_code == 1
    assert missing.output.startswith("annexbot: no such file")


LOCAL_ANNEX = (
    "序号\t工作任务\t责任单位\t完成时限\n"
    "1\t建设平台。\t分管副省长；省大数据局、省发展改革委牵头，省财政厅配合\t每季度\n"
    "2\t排查隐患。\t省水利厅\t汛期前\n"
)


def test_a_local_plan_with_its_jurisdiction(runner: CliRunner) -> None:
    """--jurisdiction names the local units; the report says why a schedule waits for a hand."""
    imported = runner.invoke(
        app, ["import", "-", "--plan", "zj", "--jurisdiction", "浙江省"], input=LOCAL_ANNEX.encode()
    )
    assert imported.exit_code == 0, imported.output
    assert "Jurisdiction: 浙江省" in imported.output
    assert "Units not in the agency directory" not in imported.output
    assert "task 2 (line 3): 汛期前 — tied to 汛期, whose date is not fixed" in imported.output
    one = json.loads(runner.invoke(app, ["task", "1", "--json"]).stdout)
    assert [(u["name"], u["marker"]) for u in one["lead"]] == [
        ("浙江省大数据局", None),
        ("浙江省发展改革委", "co_lead"),
    ]
    assert one["note"] == "分管副省长"
    assert one["schedule"]["recurrence"] == "quarter"


def test_local_units_without_a_jurisdiction_get_a_hint(runner: CliRunner) -> None:
    imported = runner.invoke(app, ["import", "-", "--plan", "x"], input=LOCAL_ANNEX.encode())
    assert imported.exit_code == 0, imported.output
    assert "省大数据局 — task 1 (a local unit: give the plan its --jurisdiction)" in imported.output
