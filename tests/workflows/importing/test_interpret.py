"""Reading a whole annex (layout, units, schedules) never fails with anything but its own error."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from workflows.errors import AnnexbotError
from workflows.importing.interpret import interpret_annex
from workflows.importing.readers import read_annex

HEADER = "序号\t工作任务\t负责单位\t时间进度\n"
CELLS = st.sampled_from(
    [
        "实施云计算工程。",
        "发展改革委、工信部等",
        "2015—2017年实施",
        "持续推进",
        "",
        "等",
        "（牵头）",
        "2016年13月",
        "地方各级人民政府",
        "\t",
        "— 3 —",
        "各省（区、市）人民政府",
        "x",
    ]
)
ROWS = st.lists(
    st.tuples(st.integers(-2, 30), CELLS, CELLS, CELLS).map(lambda r: "\t".join(map(str, r))),
    max_size=8,
)


def _read(text: str, issued_on: dt.date | None) -> None:
    """Read and interpret, accepting only a result or an AnnexbotError."""
    try:
        annex = read_annex(text.encode())
        tasks = interpret_annex(annex, issued_on=issued_on)
    except AnnexbotError as error:
        message = str(error)
        if not message:
            raise AssertionError("an import error must say what is wrong") from error
        return
    assert tasks
    for task in tasks:
        assert task.units.units, "every task has a unit"
        assert task.units.units[0].role == "lead"


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300), st.one_of(st.none(), st.dates()))
def test_arbitrary_text_gives_a_result_or_a_clear_error(
    text: str, issued_on: dt.date | None
) -> None:
    """Any text is either an annex or a clear error."""
    _read(text, issued_on)


@settings(max_examples=200, deadline=None)
@given(ROWS, st.one_of(st.none(), st.dates()))
def test_annex_like_tables_give_a_result_or_a_clear_error(
    rows: list[str], issued_on: dt.date | None
) -> None:
    """Tables with odd cells are either read completely or refused clearly."""
    _read(HEADER + "\n".join(rows), issued_on)
