"""/export end to end: the files arrive in the chat as documents, and only the right people's."""

from __future__ import annotations

import csv
import io
import unicodedata

import icalendar
import openpyxl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.chat.handlers.export import FORMATS, USAGE_EXPORT, ExportArgs, export_args
from tests.bot.harness import BotHarness
from tests.kit.office import BILINGUAL_OFFICE, BOSS, ENGLISH_BOSS, LIAISON
from workflows.errors import InvalidInputError

STRANGER = 5009


@pytest.fixture
async def people(harness: BotHarness) -> BotHarness:
    """The annex, a Chinese and an English coordinator, and a liaison of 科技部."""
    await harness.cast(*BILINGUAL_OFFICE)
    return harness


def _document(message: object) -> tuple[str, bytes]:
    """The file name and bytes of a document message."""
    document = getattr(message, "document", None)
    assert document is not None, message
    assert document.data is not None
    return document.filename, document.data


async def test_xlsx_arrives_as_a_workbook(people: BotHarness) -> None:
    """A coordinator's /export xlsx: one workbook with both sheets and a caption."""
    [sent] = await people.send(BOSS, "/export xlsx")
    name, data = _document(sent)
    assert name == "annexbot-gf-2015-5-20160301.xlsx"
    assert sent.caption is not None
    assert sent.caption.startswith("状态矩阵：23 项任务，")
    assert "截至 2016年3月1日" in sent.caption
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    assert workbook.sheetnames == ["状态矩阵", "报告与变更记录"]
    matrix = workbook["状态矩阵"]
    assert matrix["A1"].value == "计划"
    assert matrix["D2"].value == "发展改革委"
    assert matrix["E2"].value == "牵头"
    assert [call.params.get("action") for call in people.sandbox.calls("sendChatAction")] == [
        "upload_document"
    ]


async def test_csv_arrives_as_two_documents(people: BotHarness) -> None:
    """/export csv in English: the matrix, then the history, each a UTF-8 CSV with BOM."""
    matrix, history = await people.send(ENGLISH_BOSS, "/export csv 工信部")
    matrix_name, matrix_data = _document(matrix)
    history_name, history_data = _document(history)
    assert matrix_name == "annexbot-all-工业和信息化部-matrix-20160301.csv"
    assert history_name == "annexbot-all-工业和信息化部-history-20160301.csv"
    assert matrix.caption is not None
    assert matrix.caption.startswith("Status matrix: ")
    assert history.caption is None
    rows = list(csv.reader(io.StringIO(matrix_data.decode("utf-8-sig"))))
    assert rows[0][:5] == ["Plan", "No.", "Task", "Unit", "Role"]
    assert {row[3] for row in rows[1:]} == {"工业和信息化部"}
    assert matrix_data.startswith(b"\xef\xbb\xbf")
    changes = list(csv.reader(io.StringIO(history_data.decode("utf-8-sig"))))
    assert changes[1][6] == "task imported"


async def test_ics_is_the_calendar(people: BotHarness) -> None:
    """/export ics sends the .ics file the feeds build."""
    [sent] = await people.send(BOSS, "/export ics")
    name, data = _document(sent)
    assert name == "annexbot-gf-2015-5-20160301.ics"
    calendar = icalendar.Calendar.from_ical(data)
    assert len(calendar.walk("VEVENT")) > 23
    assert sent.caption is not None
    assert "/calendar" in sent.caption


async def test_a_liaison_gets_their_own_agency_only(people: BotHarness) -> None:
    """A liaison's export is their agency's; asking for another agency is refused."""
    sent, _history = await people.send(LIAISON, "/export csv")
    name, data = _document(sent)
    assert "科技部" in name
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert {row[3] for row in rows[1:]} == {"科技部"}
    [refused] = await people.send(LIAISON, "/export xlsx 工信部")
    assert refused.text == "您只能导出本单位（科技部）的任务。"


async def test_usage_and_strangers(people: BotHarness) -> None:
    """No or a wrong format gets the usage; an unregistered user is told to get an invite."""
    [usage] = await people.send(BOSS, "/export")
    assert usage.text == "用法：/export csv|xlsx|ics [单位]，例如 /export xlsx 科技部"
    [unknown] = await people.send(BOSS, "/export pdf")
    assert unknown.text == usage.text
    people.sandbox.add_user(STRANGER, "路人", language_code="zh-hans")
    [stranger] = await people.send(STRANGER, "/export xlsx")
    assert stranger.text is not None
    assert "邀请" in stranger.text
    assert not people.sandbox.calls("sendDocument")


@given(
    kind=st.sampled_from(sorted(FORMATS)),
    agency=st.text(
        alphabet=st.characters(categories=["Lo", "Ll", "Lu", "Nd"]), min_size=1, max_size=20
    ),
)
def test_export_args_take_a_format_and_an_agency(kind: str, agency: str) -> None:
    """FORMAT [AGENCY]: any spelling of a format, the rest is the agency."""
    assert export_args(kind.upper()) == ExportArgs(FORMATS[kind])
    parsed = export_args(f"{kind}  {agency}")
    assert parsed.format == FORMATS[kind]
    assert parsed.agency is not None


@given(st.text(max_size=30))
def test_export_args_refuse_anything_else(text: str) -> None:
    """Text whose first word is not a format gets the usage, never another error."""
    words = unicodedata.normalize("NFKC", text).split()
    if words and words[0].lower() in FORMATS:
        assert export_args(text).format == FORMATS[words[0].lower()]
    else:
        with pytest.raises(InvalidInputError) as refused:
            export_args(text)
        assert refused.value.template == USAGE_EXPORT
