"""Many plans in the chat: /plans, a plan named in any form, and buttons when none is named."""

from __future__ import annotations

import pytest

from bot.chat.application import SENDER_KEY
from bot.sandbox.models import ChatMessage
from tests.bot.harness import BotHarness
from tests.kit.office import BILINGUAL_OFFICE, BOSS, ENGLISH_BOSS, LIAISON
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
    assert link.text.startswith("📅 日历：gbf-2020-1 全部任务")
    assert agencies.buttons
    replies = await office.send(BOSS, "/digest gf-2019-3")
    assert replies[0].text is not None
    assert "国发〔2019〕3号" in replies[0].text or "gf-2019-3" in replies[0].text
    [document] = await office.send(BOSS, "/export xlsx 营商环境")
    assert document.document is not None
    assert document.document.filename is not None
    assert "gf-2019-3" in document.document.filename
    for command in ("/calendar", "/digest", "/export xlsx"):
        [question] = await office.send(BOSS, command)
        assert len(choices(question)) == 3, command
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
