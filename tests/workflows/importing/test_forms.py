"""Issue 13, form by form: each numbering, note, table and schedule form real documents use,
imported from a minimal text and checked as a coordinator would read it (--explain's reading)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from workflows.errors import AnnexFormatError
from workflows.importing.explain import TaskReading, explain_annex
from workflows.importing.readers import read_annex
from workflows.importing.service import import_annex

ISSUED = dt.date(2023, 3, 1)
SECOND = "2. 乙任务。（商务部负责，2024年底前）"


def read(text: str, issued: dt.date | None = ISSUED) -> tuple[TaskReading, ...]:
    """The tasks of a text as an import reads them."""
    return explain_annex(text.encode(), issued_on=issued).tasks


def units(task: TaskReading) -> tuple[tuple[str, ...], tuple[str, ...]]:
    return task.leads, task.co


# --- Item 2: task numbering ---


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("1.", "2."),
        ("1、", "2、"),
        ("（1）", "（2）"),
        ("(1)", "(2)"),
        ("①", "②"),
        ("一、", "二、"),
        ("（一）", "（二）"),
        ("第一条 ", "第二条 "),
    ],
)
def test_numbering_styles(first: str, second: str) -> None:
    tasks = read(f"{first}甲任务。（财政部负责）\n{second}乙任务。（商务部负责）")
    assert [(t.number, t.leads) for t in tasks] == [(1, ("财政部",)), (2, ("商务部",))]


def test_tasks_numbered_within_sections_take_their_place_and_keep_the_section() -> None:
    tasks = read(
        "一、加强统筹\n1. 甲任务。（财政部负责）\n2. 丙任务。（科技部负责）\n"
        "二、推进改革\n1. 乙任务。（商务部负责）"
    )
    assert [(t.number, t.section, t.leads) for t in tasks] == [
        (1, "一、加强统筹", ("财政部",)),
        (2, "一、加强统筹", ("科技部",)),
        (3, "二、推进改革", ("商务部",)),
    ]


RESTARTING_ROWS = [
    ["一、加强统筹"],
    ["1", "甲任务。", "财政部", "2024年底前"],
    ["2", "丙任务。", "科技部", "2024年底前"],
    ["二、推进改革"],
    ["1", "乙任务。", "商务部", "2025年底前"],
]


@pytest.mark.parametrize("separator", ["\t", ","], ids=["text-table", "csv"])
def test_table_rows_numbered_within_sections(separator: str) -> None:
    """Fixed: a table whose 序号 starts again in each section stopped at "task 1 appears twice"."""
    rows = [["序号", "工作任务", "责任单位", "完成时限"], *RESTARTING_ROWS]
    tasks = read("\n".join(separator.join(row) for row in rows))
    assert [(t.number, t.section, t.leads) for t in tasks] == [
        (1, "一、加强统筹", ("财政部",)),
        (2, "一、加强统筹", ("科技部",)),
        (3, "二、推进改革", ("商务部",)),
    ]
    assert tasks[2].rule.endswith("numbered again in each section: numbered by position")


def test_a_number_printed_twice_in_one_section_is_still_an_error() -> None:
    text = "序号\t工作任务\t责任单位\n1\t甲任务。\t财政部\n1\t乙任务。\t商务部"
    with pytest.raises(AnnexFormatError, match="task 1 appears twice"):
        read(text)


def test_numbers_inside_section_headings_are_not_tasks() -> None:
    tasks = read(
        "一、推进2023年5项重点工作\n（一）实施3年行动\n1. 2023年底前建成平台。（财政部负责）\n"
        "二、落实“1+N”政策体系\n2. 10个城市开展试点。（商务部负责）"
    )
    assert [(t.number, t.section, t.leads) for t in tasks] == [
        (1, "（一）实施3年行动", ("财政部",)),
        (2, "二、落实“1+N”政策体系", ("商务部",)),
    ]


@pytest.mark.parametrize(
    "text",
    [
        "一、指导思想\n坚持以人民为中心。\n二、基本原则\n坚持统筹。\n三、发展目标\n"
        "到2025年，建成体系。\n四、重点任务\n（一）甲任务。（财政部负责）\n（二）乙任务。（商务部负责）",
        "（一）指导思想。坚持以人民为中心。\n（二）基本原则。坚持统筹。\n"
        "（三）甲任务。（财政部负责）\n（四）乙任务。（商务部负责）",
    ],
    ids=["own-headings", "same-numbering"],
)
def test_numbered_paragraphs_before_the_tasks_are_not_tasks(text: str) -> None:
    tasks = read(text)
    assert [t.leads for t in tasks] == [("财政部",), ("商务部",)]


# --- Item 3: responsibility notes ---


@pytest.mark.parametrize(
    ("note", "leads", "co"),
    [
        ("（财政部、科技部负责）", ("财政部",), ("科技部",)),
        ("（财政部牵头，科技部、商务部参与）", ("财政部",), ("科技部", "商务部")),
        ("（财政部负责，科技部配合）", ("财政部",), ("科技部",)),
        ("（财政部、科技部按职责分工负责）", ("财政部",), ("科技部",)),
        ("（财政部会同有关部门负责）", ("财政部",), ("有关部门",)),
        ("（财政部及科技部负责）", ("财政部",), ("科技部",)),
        ("（财政部和科技部负责）", ("财政部",), ("科技部",)),
        ("（财政部、各市、州、县人民政府负责）", ("财政部",), ("各市、州、县人民政府",)),
        ("（市级各有关部门及各县市区政府负责）", ("市级各有关部门",), ("各县市区政府",)),
    ],
)
def test_note_forms(note: str, leads: tuple[str, ...], co: tuple[str, ...]) -> None:
    first, _ = read(f"1. 甲任务。{note}\n{SECOND}")
    assert units(first) == (leads, co)


def test_co_leads_are_marked() -> None:
    first, _ = read(f"1. 甲任务。（财政部、科技部牵头负责）\n{SECOND}")
    assert (first.leads, first.co_leads) == (("财政部", "科技部"), ("科技部",))


def test_a_guide_is_neither_lead_nor_co_responsible() -> None:
    first, _ = read(f"1. 甲任务。（财政部负责，科技部指导）\n{SECOND}")
    assert (first.leads, first.guides) == (("财政部",), ("科技部",))


def test_an_open_list_with_a_group_after_deng() -> None:
    first, _ = read(f"1. 甲任务。（财政部、科技部等和各有关省级人民政府负责）\n{SECOND}")
    assert units(first) == (("财政部",), ("科技部", "各有关省级人民政府"))
    assert first.open_list


@pytest.mark.parametrize(
    "text",
    [
        "1. 甲任务。（财政部、科技部负责，列第一位者为牵头单位，下同）\n"
        "2. 乙任务。（商务部、财政部负责）",
        "1. 甲任务。（财政部、科技部负责。列第一位者为牵头单位，下同）\n"
        "2. 乙任务。（商务部、财政部负责）",
        "列第一位者为牵头单位。下同。\n1. 甲任务。（财政部、科技部负责）\n"
        "2. 乙任务。（商务部、财政部负责）",
    ],
    ids=["joined-with-comma", "joined-with-full-stop", "before-the-tasks"],
)
def test_a_rule_stated_once_is_no_unit(text: str) -> None:
    first, second = read(text)
    assert units(first) == (("财政部",), ("科技部",))
    assert units(second) == (("商务部",), ("财政部",))


@pytest.mark.parametrize(
    ("note", "leads", "posts"),
    [
        ("（分管副省长，财政部、科技部负责）", ("财政部",), "分管副省长"),
        ("（责任领导：协管副秘书长；财政部负责）", ("财政部",), "协管副秘书长"),
        # Fixed: the posts after the units were read as a schedule.
        ("（财政部牵头，分管副省长、协管副秘书长）", ("财政部",), "分管副省长、协管副秘书长"),
    ],
)
def test_leader_posts_are_a_note_never_an_agency(
    note: str, leads: tuple[str, ...], posts: str
) -> None:
    first, _ = read(f"1. 甲任务。{note}\n{SECOND}")
    assert first.leads == leads
    assert not any("长" in name for name in first.co)
    assert first.note == posts
    assert first.schedule_printed == ""  # not read as a schedule


def test_notes_inside_a_paragraph_each_name_their_units() -> None:
    first, _ = read(f"1. 甲任务（财政部负责），并推进乙工作（科技部负责）。\n{SECOND}")
    assert units(first) == (("财政部",), ("科技部",))


def test_a_note_in_the_middle_with_text_after_it() -> None:
    """Fixed: a paragraph going on after its note was dropped as no task."""
    tasks = read(f"1. 加快建设平台。（财政部负责）推动数据共享，完善机制。\n{SECOND}")
    assert [t.number for t in tasks] == [1, 2]
    assert tasks[0].leads == ("财政部",)
    raw = explain_annex(f"1. 建设平台。（财政部负责）推动共享。\n{SECOND}".encode())
    assert raw.tasks[0].rule == "inline parenthetical in the text, numbered 1."
    assert read_annex(f"1. 建设平台。（财政部负责）推动共享。\n{SECOND}".encode()).tasks[
        0
    ].text == ("建设平台。推动共享。")


@pytest.mark.parametrize(
    "text",
    [
        "1. 甲任务。\n2. 乙任务。\n（以上两项由财政部、科技部负责）\n3. 丙任务。（商务部负责）",
        "1. 甲任务。\n2. 乙任务。（以上两项由财政部、科技部负责）\n3. 丙任务。（商务部负责）",
    ],
    ids=["own-line", "closing-the-second"],
)
def test_several_tasks_share_one_note(text: str) -> None:
    tasks = read(text)
    assert [units(t) for t in tasks][:2] == [(("财政部",), ("科技部",))] * 2
    assert tasks[2].leads == ("商务部",)


# --- Item 4: tables ---

ROWS = [["1", "甲任务。", "财政部", "科技部", "2024年底前"], ["2", "乙任务。", "商务部", "", ""]]


def table(header: list[str], rows: list[list[str]]) -> str:
    return "\n".join("\t".join(row) for row in [header, *rows])


@pytest.mark.parametrize(
    "text_column", ["工作任务", "重点任务", "改革举措", "主要内容", "具体措施"]
)
@pytest.mark.parametrize("lead_column", ["牵头单位", "牵头负责部门"])
def test_table_header_vocabulary(text_column: str, lead_column: str) -> None:
    first, _ = read(table(["序号", text_column, lead_column, "配合单位", "完成时限"], ROWS))
    assert units(first) == (("财政部",), ("科技部",))
    assert first.due_on == dt.date(2024, 12, 31)


@pytest.mark.parametrize("units_column", ["责任单位", "责任部门"])
@pytest.mark.parametrize("schedule_column", ["完成时限", "时间进度"])
def test_table_units_and_schedule_columns(units_column: str, schedule_column: str) -> None:
    rows = [["1", "甲任务。", "财政部、科技部", "2024年底前"], ["2", "乙任务。", "商务部", ""]]
    first, _ = read(table(["序号", "工作任务", units_column, schedule_column], rows))
    assert units(first) == (("财政部",), ("科技部",))
    assert first.due_on == dt.date(2024, 12, 31)


def test_a_text_table_with_english_headers_and_units() -> None:
    first, second = read(
        "No.\tTask\tLead\tCo-responsible\tDeadline\n"
        "1\tTask one.\tMinistry of Finance\tMinistry of Commerce\t2024年底前\n"
        "2\tTask two.\tPeople's Bank of China\t\t2025年底前"
    )
    assert units(first) == (("财政部",), ("商务部",))
    assert second.leads == ("人民银行",)


def test_a_tab_separated_table_without_a_number_column() -> None:
    """Fixed: without 序号 a pasted table was no table at all (no numbered task found)."""
    first, second = read(
        "工作任务\t责任单位\t完成时限\n甲任务。\t财政部、科技部\t2024年底前\n乙任务。\t商务部\t2025年底前"
    )
    assert [(t.number, t.leads, t.due_on) for t in (first, second)] == [
        (1, ("财政部",), dt.date(2024, 12, 31)),
        (2, ("商务部",), dt.date(2025, 12, 31)),
    ]
    assert first.rule == "tab-separated columns text | units | schedule"


def test_table_guide_column() -> None:
    first, _ = read(table(["序号", "工作任务", "牵头单位", "指导部门", "完成时限"], ROWS))
    assert (first.leads, first.guides) == (("财政部",), ("科技部",))


@pytest.mark.parametrize(
    "header",
    [
        ["序号", "改革举措", "牵头单位", "推广范围", "完成时限"],
        ["序号", "工作任务", "牵头单位", "备注", "完成时限"],
    ],
)
def test_columns_that_are_not_units_are_left_out(header: list[str]) -> None:
    first, _ = read(table(header, ROWS))
    assert units(first) == (("财政部",), ())


@pytest.mark.parametrize(
    "text",
    [
        "序  号  工 作 任 务  责 任 单 位  完 成 时 限\n1  甲任务。  财政部、科技部  2024年底前\n"
        "2  乙任务。  商务部  2025年6月底前",
        "序号\t重点\t责任\t完成\n\t任务\t单位\t时限\n1\t甲任务。\t财政部、科技部\t2024年底前\n"
        "2\t乙任务。\t商务部\t2025年6月底前",
        "| 序号 | 工作任务 | 责任单位 | 完成时限 |\n"
        "| 1 | 甲任务。 | 财政部、科技部 | 2024年底前 |\n| 2 | 乙任务。 | 商务部 | 2025年6月底前 |",
        "| 序号 | 工作任务 | 责任单位 | 完成时限 |\n|---|---|---|---|\n"
        "| 1 | 甲任务。 | 财政部、科技部 | 2024年底前 |\n| 2 | 乙任务。 | 商务部 | 2025年6月底前 |",
        "序號\t工作任務\t責任單位\t完成時限\n1\t甲任務。\t財政部、科技部\t2024年底前\n"
        "2\t乙任務。\t商務部\t2025年6月底前",
        "1. 甲任務。（財政部、科技部負責，2024年底前完成）\n"
        "2. 乙任務。（商務部負責，2025年6月底前）",
    ],
    ids=[
        "spaced-header",
        "two-line-header",
        "pipe",
        "markdown",
        "traditional",
        "traditional-inline",
    ],
)
def test_table_shapes_and_traditional_characters(text: str) -> None:
    first, second = read(text)
    assert (units(first), first.due_on) == ((("财政部",), ("科技部",)), dt.date(2024, 12, 31))
    assert (second.leads, second.due_on) == (("商务部",), dt.date(2025, 6, 30))


# --- Item 6: schedules ---


@pytest.mark.parametrize(("printed", "recurrence"), [("每年年底前", "year"), ("每季度", "quarter")])
def test_recurring_checkpoints(printed: str, recurrence: str) -> None:
    first, _ = read(f"1. 甲任务。（财政部负责，{printed}）\n{SECOND}")
    assert (first.recurrence, first.ongoing, first.flagged) == (recurrence, True, False)


# Fixed: 出台并持续推进 read as a deadline only.
@pytest.mark.parametrize("printed", ["2023年底前出台，持续推进", "2023年底前出台并持续推进"])
def test_issued_then_ongoing(printed: str) -> None:
    first, _ = read(f"1. 甲任务。（财政部负责，{printed}）\n{SECOND}")
    assert (first.due_on, first.ongoing) == (dt.date(2023, 12, 31), True)


@pytest.mark.parametrize(
    ("printed", "due", "reason"),
    [
        ("6月底前", dt.date(2023, 6, 30), None),
        ("2月底前", None, "before_issue"),  # before the signing date: a coordinator decides
        ("次年2月底前", dt.date(2024, 2, 29), None),
        ("明年2月底前", dt.date(2024, 2, 29), None),
    ],
)
def test_a_month_without_a_year(printed: str, due: dt.date | None, reason: str | None) -> None:
    first, _ = read(f"1. 甲任务。（财政部负责，{printed}）\n{SECOND}")
    assert (first.due_on, first.reason, first.flagged) == (due, reason, reason is not None)


@pytest.mark.parametrize("event", ["春节", "汛期", "国庆", "两会"])
def test_deadlines_tied_to_events_are_flagged_never_guessed(event: str) -> None:
    first, _ = read(f"1. 甲任务。（财政部负责，{event}前）\n{SECOND}")
    assert (first.flagged, first.reason, first.event, first.due_on) == (
        True,
        "event",
        event,
        None,
    )


async def test_a_document_without_any_schedule_says_so_once(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    async with session_factory() as session:
        result = await import_annex(
            session=session,
            data="1. 甲任务。（财政部负责）\n2. 乙任务。（商务部负责）".encode(),
            now=dt.datetime(2026, 11, 24, 9, 0, tzinfo=dt.UTC),
            timezone="Asia/Shanghai",
            plan_code="no-schedule",
        )
    assert result.no_schedule
    assert result.flagged == ()
    assert result.task_count == 2


# --- Item 9: errors that help ---


@pytest.mark.parametrize(
    ("text", "seen"),
    [
        ("（一）甲任务。\n（二）乙任务。", "2 numbered （一） found, but no responsibility notes"),
        # Fixed: the message said only that no numbered paragraph was seen.
        (
            "甲任务。（财政部负责）\n乙任务。（商务部负责）",
            "2 paragraphs with a responsibility note (（…负责）) found, but none is numbered",
        ),
        (
            "序号\t工作任务\t完成时限\n1\t甲任务。\t2024年\n",
            "a table header (序号 工作任务 完成时限) found, but no units column",
        ),
    ],
    ids=["numbered-no-notes", "notes-not-numbered", "header-without-units"],
)
def test_nothing_found_says_what_was_seen(text: str, seen: str) -> None:
    with pytest.raises(AnnexFormatError) as caught:
        read(text)
    assert seen in str(caught.value)
    assert "tried the table, labelled, inline and CSV layouts" in str(caught.value)
