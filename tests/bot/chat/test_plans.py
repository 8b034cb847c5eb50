"""Many plans in the chat: /plans, a plan named in any form, and buttons when none is named."""

from __future__ import annotations

import pytest

from bot.chat.application import SENDER_KEY
from bot.sandbox.models import ChatMessage
from tests.bot.harness import BotHarness
from tests.kit.office import BILINGUAL_OFFICE, BOSS, ENGLISH_BOSS, LIAISON
from workflows.access import natural_order
from workflows.importing.model import DocumentInfo
from workflows.importing.service import bundled_annex, import_annex

# Two more documents sharing the bundled annex's agencies (its text, under other names).
OTHERS = (
    ("gf-2019-3", "国发〔2019〕3号", "国务院关于优化营商环境的意见"),
    ("gbf-2020-1", "国办发〔2020〕1号", "国务院办公厅关于数字政府建设的指导意见"),
)


@pytest.fixture
async def office(harness: BotHarness) -> BotHarness:
    """Three plans (the bundled one and two more) and the bilingual office."""
    await harness.cast(*BILINGUAL_OFFICE)
    async with harness.runtime.session() as session:
        for code, number, title in OTHERS:
            await import_annex(
                session=session,
                data=bundled_annex("gf-2015-5"),
                now=harness.clock(),
                timezone="Asia/Shanghai",
                plan_code=code,
                document=DocumentInfo(number=number, title=title),
            )
    await harness.application.bot_data[SENDER_KEY].drain()  # the new plans' task notices
    return harness


def choices(message: ChatMessage) -> list[str]:
    """The labels of a message's buttons."""
    return [label for row in message.buttons for label, _ in row]


def button(message: ChatMessage, label: str) -> str:
    """The payload of the button with a label."""
    return next(target for row in message.buttons for text, target in row if text == label)


async def test_plans_lists_each_plan_with_its_counts(office: BotHarness) -> None:
    """Document number, code, title and the lights of every plan; in English too."""
    [reply] = await office.send(BOSS, "/plans")
    assert reply.text is not None
    assert reply.text.startswith("计划（3）")
    assert (
        "国发〔2019〕3号 · gf-2019-3\n国务院关于优化营商环境的意见\n23 项任务 · 在办 23"
    ) in reply.text
    assert "国办发〔2020〕1号 · gbf-2020-1" in reply.text
    [english] = await office.send(ENGLISH_BOSS, "/plans")
    assert english.text is not None
    assert "23 tasks · 23 open · 🔴 1 🟡 0 🟢 22" in english.text


async def test_a_liaison_sees_the_plans_of_their_agency(office: BotHarness) -> None:
    """科技部 has ten tasks in each of the three plans."""
    [reply] = await office.send(LIAISON, "/plans")
    assert reply.text is not None
    assert reply.text.count("10 项任务 · 在办 10") == 3


@pytest.mark.parametrize("typed", ["gf-2019-3", "国发〔2019〕3号", "国发[2019]3号", "营商环境"])
async def test_a_plan_is_named_by_code_number_or_a_word_of_its_title(
    office: BotHarness, typed: str
) -> None:
    """/chart takes the plan in any of its forms."""
    [photo] = await office.send(BOSS, f"/chart {typed}")
    assert photo.caption is not None
    assert photo.caption.startswith("国发〔2019〕3号任务进度")


async def test_without_a_plan_the_bot_asks_with_buttons(office: BotHarness) -> None:
    """/chart with three plans: one button per plan; pressing one draws that plan."""
    [question] = await office.send(BOSS, "/chart")
    assert question.text is not None
    assert question.text.startswith("哪一个计划？")
    assert choices(question) == ["国办发〔2020〕1号", "国发〔2015〕5号", "国发〔2019〕3号"]
    [photo] = await office.press(BOSS, question.message_id, button(question, "国办发〔2020〕1号"))
    assert photo.caption is not None
    assert photo.caption.startswith("国办发〔2020〕1号任务进度")


async def test_a_word_that_fits_several_plans_asks_among_them(office: BotHarness) -> None:
    """“国发” fits two plans: the bot offers those two."""
    [question] = await office.send(ENGLISH_BOSS, "/chart 国发")
    assert question.text is not None
    assert question.text.startswith("Several plans match “国发”.")
    assert choices(question) == ["国发〔2015〕5号", "国发〔2019〕3号"]


async def test_calendar_digest_and_export_take_a_plan(office: BotHarness) -> None:
    """Each works with the plan named, and asks without one."""
    [link, agencies] = await office.send(BOSS, "/calendar 国办发〔2020〕1号")
    assert link.text is not None
    assert link.text.startswith("📅 日历：国办发〔2020〕1号 全部任务")
    assert agencies.buttons
    office.clock.advance(minutes=5)  # past /export's and /digest's ration
    replies = await office.send(BOSS, "/digest gf-2019-3")
    assert replies[0].text is not None
    assert "国发〔2019〕3号" in replies[0].text or "gf-2019-3" in replies[0].text
    office.clock.advance(minutes=5)
    [document] = await office.send(BOSS, "/export xlsx 营商环境")
    assert document.document is not None
    assert document.document.filename is not None
    assert "gf-2019-3" in document.document.filename
    for command in ("/calendar", "/digest", "/export xlsx"):
        office.clock.advance(minutes=5)
        [question] = await office.send(BOSS, command)
        assert len(choices(question)) == 3, command
    office.clock.advance(minutes=5)
    [question] = await office.send(BOSS, "/export csv")
    [matrix, _history] = await office.press(
        BOSS, question.message_id, button(question, "国发〔2015〕5号")
    )
    assert matrix.document is not None
    assert matrix.document.filename is not None
    assert matrix.document.filename.startswith("annexbot-gf-2015-5-")


async def test_tasks_of_one_plan(office: BotHarness) -> None:
    """/tasks PLAN lists that plan's tasks, numbered without the plan; its pages keep it."""
    [page] = await office.send(BOSS, "/tasks gf-2019-3 open")
    assert page.text is not None
    assert page.text.startswith("任务（国发〔2019〕3号 · 在办任务）")
    assert "gf-2015-5/" not in page.text
    [everything] = await office.send(BOSS, "/tasks")
    assert everything.text is not None
    assert "gbf-2020-1/1" in everything.text


async def test_an_unknown_plan_is_one_polite_line(office: BotHarness) -> None:
    """A name no plan has points to /plans."""
    [reply] = await office.send(ENGLISH_BOSS, "/chart 不存在")
    assert reply.text == "No plan matches “不存在”. /plans lists them."


async def test_an_archived_plan_leaves_every_list_and_comes_back_whole(
    office: BotHarness,
) -> None:
    """Open tasks refuse a plain archive; carried over, the plan is gone from lists and
    commands, listed as archived, and restored as it was; liaisons may not archive."""
    [refused] = await office.send(BOSS, "/plans archive gf-2019-3")
    assert refused.text == (
        "国发〔2019〕3号 仍有 23 项任务未完成。"
        "请先办结，或在命令末尾加上 carry 将其记为结转后归档。"
    )
    [refused] = await office.send(LIAISON, "/plans archive gf-2019-3 carry")
    assert refused.text is not None
    assert refused.text == "只有协调人可以执行此操作。"
    [done] = await office.send(ENGLISH_BOSS, "/plans archive 营商环境 carry")
    assert done.text == "国发〔2019〕3号 is archived; 23 open tasks are noted as carried over."
    [listed] = await office.send(BOSS, "/plans")
    assert listed.text is not None
    assert listed.text.startswith("计划（2）")
    assert "gf-2019-3" not in listed.text
    [mine] = await office.send(LIAISON, "/plans")
    assert mine.text is not None
    assert mine.text.count("10 项任务") == 2
    [gone] = await office.send(BOSS, "/chart 营商环境")
    assert gone.text == "没有与“营商环境”相符的计划。/plans 可查看全部计划。"
    [everything] = await office.send(BOSS, "/tasks")
    assert everything.text is not None
    assert "共 46 项" in everything.text
    [archived] = await office.send(BOSS, "/plans archived")
    assert archived.text is not None
    assert archived.text.startswith("已归档的计划（1）")
    assert "国发〔2019〕3号 · gf-2019-3" in archived.text
    [back] = await office.send(BOSS, "/plans restore 国发〔2019〕3号")
    assert back.text == "国发〔2019〕3号 已恢复，重新出现在各类列表、提醒和日历订阅中。"
    [listed] = await office.send(BOSS, "/plans")
    assert listed.text is not None
    assert (
        "国发〔2019〕3号 · gf-2019-3\n国务院关于优化营商环境的意见\n23 项任务 · 在办 23"
        in listed.text
    )


async def test_a_liaisons_list_tells_the_plans_apart(office: BotHarness) -> None:
    """科技部 has task 3 in each plan: each line and button names its plan's code."""
    [page] = await office.send(LIAISON, "/mytasks")
    assert page.text is not None
    for code in ("gbf-2020-1/3", "gf-2015-5/3", "gf-2019-3/3"):
        assert f" {code} · 牵头" in page.text
    assert any(label.endswith(" gf-2019-3/3") for label in choices(page))


async def test_a_task_number_in_several_plans_asks_for_the_plan(office: BotHarness) -> None:
    """/task 3 with three plans names them in natural order; PLAN/3 opens the one."""
    [zh] = await office.send(BOSS, "/task 3")
    assert zh.text == (
        "第 3 项任务存在于多个计划（gbf-2020-1, gf-2015-5, gf-2019-3）中，请写作“计划代码/3”。"
    )
    [card] = await office.send(BOSS, "/task gf-2019-3/3")
    assert (card.text or "").splitlines()[0] == "🟢 第 3 项任务 · gf-2019-3"


def test_plan_codes_sort_as_people_count() -> None:
    """gf-2017-2 comes before gf-2017-10; text parts compare as text."""
    codes = ["gf-2017-10", "gbf-2017-2", "gf-2017-2", "gf-2016-30"]
    assert sorted(codes, key=natural_order) == [
        "gbf-2017-2",
        "gf-2016-30",
        "gf-2017-2",
        "gf-2017-10",
    ]
