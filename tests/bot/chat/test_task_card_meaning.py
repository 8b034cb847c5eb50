"""A task card says what the annex means: co-leads, guides, leaders named, recurring checkpoints."""

from __future__ import annotations

from db.enums import MemberRole
from tests.bot.harness import BotHarness
from workflows.importing.service import import_annex

BOSS = 3101
ENGLISH_BOSS = 3102

ANNEX = (
    "序号\t工作任务\t责任单位\t完成时限\n"
    "1\t建设平台。\t分管副省长；省大数据局、省发展改革委牵头，省委网信办指导，省财政厅配合\t"
    "2030年底前完成，每季度报送进展\n"
)


async def test_the_card_names_co_leads_guides_leaders_and_the_checkpoint_rule(
    harness: BotHarness,
) -> None:
    async with harness.runtime.session() as session:
        await import_annex(
            session=session,
            data=ANNEX.encode(),
            now=harness.clock(),
            timezone="Asia/Shanghai",
            plan_code="zj",
            jurisdiction="浙江省",
        )
    await harness.add_member(BOSS, "主任", role=MemberRole.COORDINATOR)
    await harness.add_member(ENGLISH_BOSS, "Boss", role=MemberRole.COORDINATOR, language="en")
    [card] = await harness.send(BOSS, "/task 1")
    assert card.text is not None
    lines = card.text.splitlines()
    assert "• 浙江省大数据局 (牵头)" in lines
    assert "• 浙江省发展改革委 (共同牵头)" in lines
    assert "• 浙江省委网信办 (指导)" in lines
    assert "• 浙江省财政厅 (配合)" in lines
    assert "责任领导：分管副省长" in lines
    assert "定期节点：每季度" in lines
    assert any(line.endswith("检查节点") for line in lines)
    [english] = await harness.send(ENGLISH_BOSS, "/task 1")
    assert english.text is not None
    english_lines = english.text.splitlines()  # units by the directory's English names
    assert (
        "• 浙江省 counterpart of the National Development and Reform Commission (co-lead)"
        in english_lines
    )
    assert "• 浙江省 counterpart of the Cyberspace Administration of China (guide)" in english_lines
    assert "Leaders named: 分管副省长" in english.text
    assert "checks in every quarter" in english.text
