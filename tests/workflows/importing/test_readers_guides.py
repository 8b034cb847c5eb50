"""A 指导部门 / 指导单位 column or label names guides: neither the lead nor co-responsible."""

from __future__ import annotations

import io

import openpyxl
import pytest

from workflows.importing.interpret import interpret_annex
from workflows.importing.model import RawAnnex
from workflows.importing.readers import read_annex


def _units(annex: RawAnnex) -> list[list[tuple[str, str, str | None]]]:
    tasks = interpret_annex(annex, issued_on=None)
    return [[(u.name, u.role, u.marker) for u in task.units.units] for task in tasks]


@pytest.mark.parametrize("guide", ["指导部门", "指导单位", "指 导 部 门"])
def test_a_guide_column_of_a_text_table(guide: str) -> None:
    annex = read_annex(
        "\n".join(
            [
                f"序号\t重点任务\t牵头单位\t配合单位\t{guide}\t完成时限",
                "1\t建设数据平台。\t省大数据局\t省财政厅\t省发展改革委\t2024年底前",
                "2\t推进一网通办。\t省政府办公厅\t\t省委网信办、省公安厅\t2025年6月底前",
            ]
        ).encode()
    )
    assert annex.layout == "table"
    assert [task.guide_text for task in annex.tasks] == ["省发展改革委", "省委网信办、省公安厅"]
    assert _units(annex) == [
        [("省大数据局", "lead", None), ("省财政厅", "co", None), ("省发展改革委", "co", "guide")],
        [
            ("省政府办公厅", "lead", None),
            ("省委网信办", "co", "guide"),
            ("省公安厅", "co", "guide"),
        ],
    ]


def test_a_guide_column_of_a_csv_file() -> None:
    annex = read_annex(
        "序号,工作任务,责任单位,指导单位\n1,修订目录。,市数据局、市财政局,市发展改革委\n".encode(),
        filename="annex.csv",
    )
    assert _units(annex) == [
        [
            ("市数据局", "lead", None),
            ("市财政局", "co", None),
            ("市发展改革委", "co", "guide"),
        ]
    ]


def test_a_guide_column_of_a_workbook() -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    for row in (
        ["序号", "具体措施", "牵头部门", "指导部门"],
        [1, "完善标准体系。", "市场监管总局", "国家标准委"],
    ):
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    annex = read_annex(out.getvalue(), filename="annex.xlsx")
    assert _units(annex) == [[("市场监管总局", "lead", None), ("国家标准委", "co", "guide")]]


def test_a_guide_printed_first_does_not_lead() -> None:
    # The guide column comes before the units column: the lead is still the one who works.
    annex = read_annex(
        "\n".join(
            [
                "序号\t工作任务\t指导单位\t责任单位",
                "1\t开展业务培训。\t人力资源社会保障部\t各市人民政府、市人社局",
            ]
        ).encode()
    )
    [[first, *_], *_] = _units(annex)
    assert first == ("各市人民政府", "lead", None)
    assert ("人力资源社会保障部", "co", "guide") in _units(annex)[0]


def test_a_guide_label_in_the_labelled_layout() -> None:
    annex = read_annex(
        "\n".join(
            [
                "一、夯实基础",
                "1.建设一体化数据平台。",
                "牵头单位：省大数据局",
                "责任单位：省财政厅",
                "指导单位：省发展改革委",
                "2.推进政务服务改革。",
                "牵头单位：省政府办公厅",
            ]
        ).encode()
    )
    assert annex.layout == "labelled"
    assert _units(annex) == [
        [("省大数据局", "lead", None), ("省财政厅", "co", None), ("省发展改革委", "co", "guide")],
        [("省政府办公厅", "lead", None)],
    ]
