"""The document head read from text layouts, and file-level limits."""

from __future__ import annotations

import datetime as dt

import pytest

from workflows.errors import AnnexFormatError
from workflows.importing.model import DocumentInfo
from workflows.importing.readers import read_annex

TABLE = ["附件", "序号\t工作任务\t负责单位\t时间进度", "1\t甲任务。\t甲部\t2016年底前"]


def document(*head: str, after: tuple[str, ...] = ()) -> DocumentInfo:
    return read_annex("\n".join([*head, *TABLE, *after]).encode()).document


@pytest.mark.parametrize(
    ("printed", "number"),
    [
        ("国发〔2015〕5号", "国发〔2015〕5号"),
        ("国发[2015]5号", "国发〔2015〕5号"),
        ("国办发（2016）51号", "国办发〔2016〕51号"),
        ("工信部规 〔2016〕 1 号", "工信部规〔2016〕1号"),
        ("国办函［2019］08号", "国办函〔2019〕8号"),
    ],
)
def test_document_number_brackets_and_prefixes(printed: str, number: str) -> None:
    assert document("国务院文件", printed).number == number


def test_cited_documents_in_the_body_are_not_the_number() -> None:
    head = document(
        "国务院关于加快发展的意见",
        "国发〔2016〕9号",
        "根据《国务院关于促进发展的决定》（国发〔2013〕32号），现提出以下意见。",
    )
    assert head.number == "国发〔2016〕9号"
    assert head.title == "国务院关于加快发展的意见"


@pytest.mark.parametrize(
    ("lines", "title"),
    [
        (
            ["国务院关于促进云计算创新发展", "培育信息产业新业态的意见"],
            "国务院关于促进云计算创新发展培育信息产业新业态的意见",
        ),
        (
            ["国务院办公厅关于印发《政务数据共享管理办法》的通知"],
            "国务院办公厅关于印发《政务数据共享管理办法》的通知",
        ),
        (["关于推进政务公开的实施意见"], "关于推进政务公开的实施意见"),
        (["落实《国务院关于促进发展的决定》的要求。"], None),
        (["2025年开发区重点工作及责任清单"], "2025年开发区重点工作及责任清单"),
        (["2025年全年完成投资10亿元。"], None),
    ],
)
def test_title(lines: list[str], title: str | None) -> None:
    assert document(*lines).title == title


@pytest.mark.parametrize(
    ("line", "issued_on"),
    [
        ("2015年1月6日", dt.date(2015, 1, 6)),
        ("2015 年 1 月 6 日", dt.date(2015, 1, 6)),
        ("（2016年12月30日）", dt.date(2016, 12, 30)),
        ("二〇一一年十二月三十一日", dt.date(2011, 12, 31)),
        ("2015年2月30日", None),
        ("2015年1月6日印发", None),
    ],
)
def test_issued_on(line: str, issued_on: dt.date | None) -> None:
    assert document("国务院", line).issued_on == issued_on


def test_a_bare_date_after_the_table_is_not_the_signing_date() -> None:
    assert document("国务院", after=("抄送：各部门。", "2015年1月8日")).issued_on is None


def test_no_head_at_all() -> None:
    assert document() == DocumentInfo()


def test_files_too_large_for_an_annex() -> None:
    with pytest.raises(AnnexFormatError, match="too large"):
        read_annex(b"x" * (2 << 20))
    with pytest.raises(AnnexFormatError, match="too large"):
        read_annex(b"PK\x03\x04" + b"\x00" * (11 << 20))
