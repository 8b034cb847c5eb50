"""CSV and XLSX typed in English: English headers, and English unit names that resolve to the
directory's agencies instead of being split on spaces."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from workflows.directory import load_directory
from workflows.importing.readers import read_annex
from workflows.importing.service import import_annex
from workflows.importing.units import parse_units
from workflows.tasks import get_task

NOW = dt.datetime(2026, 11, 24, 9, 0, tzinfo=dt.UTC)
Sessions = async_sessionmaker[AsyncSession]

ENGLISH_CSV = (
    "No.,Task,Lead unit,Co-responsible,Deadline\n"
    '1,Build a national cloud platform.,Ministry of Finance,"National Development and Reform '
    'Commission; Ministry of Industry and Information Technology",End of 2016\n'
    "2,Publish the data catalogue.,National Development and Reform Commission,"
    "Ministry of Commerce and People's Bank of China,2017年6月底前\n"
)


def _xlsx(rows: list[list[object]]) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.mark.parametrize(
    ("header", "field"),
    [
        (["No.", "Task", "Lead", "Partners", "Due"], ("lead_text", "co_text")),
        (["No.", "Task", "Lead unit", "Co-responsible", "Deadline"], ("lead_text", "co_text")),
        (["#", "Tasks", "Responsible units", "Schedule"], ("units_text",)),
    ],
)
def test_english_headers_read_as_the_chinese_ones(
    header: list[str], field: tuple[str, ...]
) -> None:
    row: list[object] = [1, "Task one.", "Ministry of Finance"]
    row += ["Ministry of Commerce"] * (len(field) - 1) + ["2016年底前"]
    for data in (
        _xlsx([header, row]),
        (",".join(header) + "\n" + ",".join(map(str, row))).encode(),
    ):
        annex = read_annex(data, filename="plan.xlsx" if data[:2] == b"PK" else "plan.csv")
        (task,) = annex.tasks
        assert task.text == "Task one."
        assert [getattr(task, name) for name in field] == row[2 : 2 + len(field)]
        assert task.schedule_text == "2016年底前"


@pytest.mark.parametrize(
    ("text", "names", "open_list"),
    [
        ("Ministry of Finance", ["财政部"], False),
        (
            "National Development and Reform Commission; Ministry of Industry and Information "
            "Technology",
            ["发展改革委", "工业和信息化部"],
            False,
        ),
        (
            "Ministry of Finance, the Ministry of Commerce, and Ministry of Science and "
            "Technology, etc.",
            ["财政部", "商务部", "科技部"],
            True,
        ),
        # A comma inside a known name does not split it.
        (
            "General Administration of Quality Supervision, Inspection and Quarantine and "
            "ministry of finance",
            ["质检总局", "财政部"],
            False,
        ),
        # Unknown English names keep their spaces; "and" inside one does not split it.
        (
            "Beijing Housing and Construction Commission and Ministry of Finance",
            ["Beijing Housing and Construction Commission", "财政部"],
            False,
        ),
        (
            "Finance Bureau & Tax Office and other relevant departments",
            ["Finance Bureau", "Tax Office"],
            True,
        ),
    ],
)
def test_english_unit_names(text: str, names: list[str], open_list: bool) -> None:
    parsed = parse_units(units_text=text)
    assert [unit.name for unit in parsed.units] == names
    assert [unit.role for unit in parsed.units] == ["lead"] + ["co"] * (len(names) - 1)
    assert parsed.open_list is open_list


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("NDRC and MIIT", ["发展改革委", "工业和信息化部"]),
        ("MOF, MOFCOM; PBOC", ["财政部", "商务部", "人民银行"]),
        ("NDRC, Ministry of Finance and SAMR", ["发展改革委", "财政部", "市场监管总局"]),
    ],
)
def test_english_abbreviations(text: str, names: list[str]) -> None:
    assert [unit.name for unit in parse_units(units_text=text).units] == names


def test_english_markers_name_the_lead() -> None:
    parsed = parse_units(units_text="Ministry of Commerce; People's Bank of China (lead)")
    assert [(u.name, u.role) for u in parsed.units] == [("人民银行", "lead"), ("商务部", "co")]


# Every English name and abbreviation of one agency (no group; none with a comma inside).
_ENGLISH = sorted(
    (english, entry.name)
    for entry in load_directory().entries()
    if not entry.is_group
    for english in entry.english
    if not {",", ";"} & set(english)
)


@given(
    st.lists(st.sampled_from(_ENGLISH), min_size=1, max_size=6, unique_by=lambda e: e[1]),
    st.lists(st.sampled_from([", ", "; ", " and "]), min_size=6, max_size=6),
)
def test_any_list_of_english_names_reads_as_those_agencies(
    entries: list[tuple[str, str]], joins: list[str]
) -> None:
    text = entries[0][0]
    for (english, _), join in zip(entries[1:], joins, strict=False):
        text += join + english
    parsed = parse_units(units_text=text)
    assert [unit.name for unit in parsed.units] == [name for _, name in entries]
    assert not parsed.open_list


async def test_english_csv_imports_onto_the_directory_agencies(
    session_factory: Sessions,
) -> None:
    async with session_factory() as session:
        result = await import_annex(
            session=session,
            data=ENGLISH_CSV.encode(),
            now=NOW,
            timezone="Asia/Shanghai",
            plan_code="english",
            filename="tasks.csv",
        )
    assert result.task_count == 2
    assert result.unknown_units == ()
    async with session_factory() as session:
        one = await get_task(session, number=1, plan_code="english")
        two = await get_task(session, number=2, plan_code="english")
    assert [u.name for u in one.lead] == ["财政部"]
    assert [u.name for u in one.co] == ["发展改革委", "工业和信息化部"]
    assert one.lead[0].name_en == "Ministry of Finance"
    assert [u.name for u in two.units] == ["发展改革委", "商务部", "人民银行"]
    assert two.schedule.due_on == dt.date(2017, 6, 30)
