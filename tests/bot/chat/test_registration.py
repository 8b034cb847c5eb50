"""Joining through the bot: CLI bootstrap, /invite, /start CODE, notices, /leave, /language."""

from __future__ import annotations

import asyncio
import datetime as dt
import re

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from bot.cli.main import app
from db.enums import MemberRole
from db.models import Assignment
from tests.bot.harness import BotHarness
from tests.conftest import ThrowawayDatabase
from workflows.invites import create_invite
from workflows.members import add_coordinator

BOSS, LI, WANG, STRANGER, ALIEN = 100, 200, 201, 300, 301
HINT_ZH = "您尚未注册。请向协调人索取邀请链接。"
HINT_EN = "You are not registered yet. Ask your coordinator for an invite link."
REFUSED = "该邀请链接无法使用：可能已过期或已被使用。请向协调人索取新的链接。"
CODE = re.compile(r"\?start=([A-Za-z0-9_-]+)")


async def _bootstrap(
    harness: BotHarness, database: ThrowawayDatabase, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first coordinator, as an operator makes one: `annexbot invite --coordinator`."""
    if database.backend == "sqlite":
        monkeypatch.setenv("ANNEXBOT_DATABASE_URL", database.url)
        made = await asyncio.to_thread(CliRunner().invoke, app, ["invite", "--coordinator"])
        assert made.exit_code == 0, made.output
        code = re.search(r"Code: (\S+)", made.output)
        assert code is not None
        assert f"/start {code[1]}" in made.output
        secret = code[1]
    else:  # the CLI cannot carry the throwaway schema's search_path: call what it calls
        async with harness.runtime.session() as session:
            secret = (
                await create_invite(
                    session=session, by_telegram_id=None, now=harness.clock(), coordinator=True
                )
            ).code
    harness.sandbox.add_user(BOSS, "督查室")
    [welcome] = await harness.send(BOSS, f"/start {secret}")
    assert "您已注册为协调人。" in (welcome.text or "")


async def _invite(harness: BotHarness, words: str) -> str:
    """A coordinator's /invite; returns the code from the deep link."""
    [reply] = await harness.send(BOSS, f"/invite {words}")
    found = CODE.search(reply.text or "")
    assert found is not None, reply.text
    return found[1]


async def test_liaison_joins_and_signs_for_the_agency_tasks(
    harness: BotHarness, test_database: ThrowawayDatabase, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Bootstrap, /invite, /start CODE, grouped notices with 签收, a second press is harmless."""
    await harness.import_bundled()
    await _bootstrap(harness, test_database, monkeypatch)
    [reply] = await harness.send(BOSS, "/invite 科技部")
    assert "科技部联络员邀请链接，有效期至 2016年3月8日 10:00" in (reply.text or "")
    assert "https://t.me/annex_sandbox_bot?start=" in (reply.text or "")
    code = CODE.search(reply.text or "")
    assert code is not None
    harness.sandbox.add_user(LI, "李联络", username="li")
    welcome, *notices = await harness.send(LI, f"/start {code[1]}")
    assert "欢迎，李联络！" in (welcome.text or "")
    assert "您已注册为科技部联络员。" in (welcome.text or "")
    menu = dict(harness.sandbox.commands(scope={"type": "chat", "chat_id": LI}))
    assert "mytasks" in menu
    assert "assign" not in menu
    assert len(notices) == 1
    notice = notices[0]
    assert "科技部的分工任务" in (notice.text or "")
    labels = [text for row in notice.buttons for text, _ in row]
    assert len(labels) > 1
    assert labels[0] == f"✅ 全部签收（{len(labels) - 1} 项）"
    assert all(label.startswith("签收第 ") for label in labels[1:])

    harness.sandbox.add_user(WANG, "王副", language_code="en")
    deputy_code = await _invite(harness, "科技部 deputy")
    welcome_en, notice_en = await harness.send(WANG, f"/start {deputy_code}")
    assert "deputy liaison of 科技部" in (welcome_en.text or "")
    assert notice_en.buttons[0][0][0].startswith("✅ Acknowledge all ")
    assert notice_en.buttons[1][0][0].startswith("Acknowledge task ")

    first = notice.callback_data[1]
    assert await harness.press(LI, notice.message_id, first) == []
    signed = harness.sandbox.messages(LI)[-1]
    assert signed.message_id == notice.message_id
    assert "✅ 李联络 已于 2016年3月1日 10:00 签收" in (signed.text or "")
    assert first not in signed.callback_data
    assert len(signed.callback_data) == len(labels) - 1  # one fewer to sign, and 全部签收
    answers = harness.sandbox.calls("answerCallbackQuery")
    assert "已签收" in str(answers[-1].params.get("text"))

    harness.clock.advance(hours=1)
    await harness.press(WANG, notice_en.message_id, first)
    assert "already signed for by 李联络" in str(
        harness.sandbox.calls("answerCallbackQuery")[-1].params.get("text")
    )
    assert first not in harness.sandbox.messages(WANG)[-1].callback_data
    li = await harness.member(LI)
    assert li is not None
    async with harness.runtime.session() as session:
        acknowledged = list(
            await session.execute(
                select(Assignment.acknowledged_by_id, Assignment.acknowledged_at).where(
                    Assignment.acknowledged_at.is_not(None)
                )
            )
        )
    assert [tuple(row) for row in acknowledged] == [
        (li.id, harness.clock() - dt.timedelta(hours=1))
    ]


async def test_bad_codes_are_refused_politely(harness: BotHarness) -> None:
    """Used, expired and made-up codes get one polite refusal; a member is told they are one."""
    await harness.import_bundled()
    await harness.add_member(BOSS, "督查室", role=MemberRole.COORDINATOR)
    used = await _invite(harness, "科技部")
    expiring = await _invite(harness, "公安部")
    harness.sandbox.add_user(LI, "李联络")
    harness.sandbox.add_user(STRANGER, "路人")
    await harness.send(LI, f"/start {used}")
    [again] = await harness.send(LI, f"/start {expiring}")
    assert again.text == "您已是科技部的注册成员。如需更改，请先发送 /leave 退出。"
    harness.clock.advance(days=8)
    for code in (used, expiring, "c2VjcmV0LWd1ZXNz", "x"):
        [refusal] = await harness.send(STRANGER, f"/start {code}")
        assert refusal.text == REFUSED
    assert await harness.member(STRANGER) is None


async def test_coordinator_commands_are_refused_to_a_liaison(harness: BotHarness) -> None:
    """/invite, /members and /agencies answer a liaison with a refusal."""
    await harness.import_bundled()
    await harness.add_member(LI, "李联络", agency="科技部")
    for command in ("/invite 科技部", "/invite", "/members", "/agencies"):
        [reply] = await harness.send(LI, command)
        assert reply.text == "只有协调人可以执行此操作。"


async def test_leave_after_confirming(harness: BotHarness) -> None:
    """/leave asks first; staying changes nothing; leaving ends the membership."""
    await harness.import_bundled()
    await harness.add_member(LI, "李联络", agency="科技部")
    [question] = await harness.send(LI, "/leave")
    assert question.callback_data == ["leave:yes", "leave:no"]
    await harness.press(LI, question.message_id, "leave:no")
    assert harness.last(LI).text == "您仍保持注册。"
    [question] = await harness.send(LI, "/leave")
    await harness.press(LI, question.message_id, "leave:yes")
    assert harness.last(LI).text == "您已退出。如需重新加入，请向协调人索取新的邀请链接。"
    assert harness.sandbox.commands(scope={"type": "chat", "chat_id": LI}) == []
    member = await harness.member(LI)
    assert member is not None
    assert member.left_at == harness.clock()
    [hint] = await harness.send(LI, "/mytasks")
    assert hint.text == HINT_ZH


async def test_language_switch(harness: BotHarness) -> None:
    """/language offers 中文 / English; the choice changes the language of replies."""
    await harness.import_bundled()
    await harness.add_member(LI, "李联络", agency="科技部")
    [choice] = await harness.send(LI, "/language")
    assert [text for row in choice.buttons for text, _ in row] == ["中文", "English"]
    await harness.press(LI, choice.message_id, "lang:en")
    assert harness.last(LI).text == "From now on I will write to you in this language."
    english_menu = dict(harness.sandbox.commands(scope={"type": "chat", "chat_id": LI}))
    assert english_menu["mytasks"].isascii()
    [me] = await harness.send(LI, "/start")
    assert me.text == "You are registered as a liaison of 科技部."
    [choice] = await harness.send(LI, "/language")
    await harness.press(LI, choice.message_id, "lang:zh")
    assert harness.last(LI).text == "今后将使用中文与您联系。"


async def test_strangers_get_the_registration_hint(harness: BotHarness) -> None:
    """Anything an unknown user writes gets the short hint, in their Telegram language."""
    harness.sandbox.add_user(STRANGER, "路人", language_code="zh-hans")
    harness.sandbox.add_user(ALIEN, "Alien", language_code="en")
    for text in ("你好", "/start", "/members", "/agencies", "/leave", "/language"):
        [reply] = await harness.send(STRANGER, text)
        assert reply.text == HINT_ZH
    [reply] = await harness.send(ALIEN, "hello")
    assert reply.text == HINT_EN


async def test_cli_coordinator_add_then_invite(
    harness: BotHarness, test_database: ThrowawayDatabase, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`annexbot coordinator add ID` makes a coordinator whose /invite works at once."""
    await harness.import_bundled()
    if test_database.backend == "sqlite":
        monkeypatch.setenv("ANNEXBOT_DATABASE_URL", test_database.url)
        added = await asyncio.to_thread(
            CliRunner().invoke, app, ["coordinator", "add", str(BOSS), "--name", "督查室"]
        )
        assert added.exit_code == 0, added.output
    else:
        async with harness.runtime.session() as session:
            await add_coordinator(
                session=session, telegram_id=BOSS, name="督查室", now=harness.clock()
            )
    harness.sandbox.add_user(BOSS, "督查室")
    assert await _invite(harness, "发展改革委")
    member = await harness.member(BOSS)
    assert member is not None
    assert member.role is MemberRole.COORDINATOR


async def test_a_bare_start_gives_a_shell_added_member_their_menu(harness: BotHarness) -> None:
    """A coordinator added with `annexbot coordinator add` gets their menu on first contact."""
    await harness.add_member(4001, "王主任", role=MemberRole.COORDINATOR)
    scope = {"type": "chat", "chat_id": 4001}
    assert harness.sandbox.commands(scope=scope) == []
    [reply] = await harness.send(4001, "/start")
    assert "协调人" in (reply.text or "")
    assert ("assign", "将任务分配给单位") in harness.sandbox.commands(scope=scope)
