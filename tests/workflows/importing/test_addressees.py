"""The units a real ministerial notice addresses are all in the directory."""

from __future__ import annotations

import pytest

from workflows.directory import load_directory

# The addressees of 国知战联办〔2021〕16号, as printed on
# https://www.cnipa.gov.cn/art/2022/1/5/art_1410_172604.html (tests/fixtures/annexes/cnipa-2021-16).
ADDRESSEES = [
    "中央组织部",
    "中央宣传部",
    "中央政法委",
    "中央网信办",
    "最高人民法院",
    "最高人民检察院",
    "外交部",
    "发展改革委",
    "教育部",
    "科技部",
    "工业和信息化部",
    "公安部",
    "司法部",
    "财政部",
    "人力资源社会保障部",
    "生态环境部",
    "农业农村部",
    "商务部",
    "文化和旅游部",
    "卫生健康委",
    "人民银行",
    "国资委",
    "海关总署",
    "市场监管总局",
    "广电总局",
    "统计局",
    "国管局",
    "中科院",
    "银保监会",
    "证监会",
    "国防科工局",
    "林草局",
    "邮政局",
    "中医药局",
    "知识产权局",
    "中央军委装备发展部",
    "贸促会",
    "中国科协",
]


@pytest.mark.parametrize("name", ADDRESSEES)
def test_every_addressee_is_a_directory_agency(name: str) -> None:
    entry = load_directory().lookup(name)
    assert entry is not None
    assert not entry.is_group
    assert entry.name_en
