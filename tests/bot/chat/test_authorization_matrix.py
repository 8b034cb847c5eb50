"""Every chat command × every kind of sender: each is answered, and refused where it must be.

One bot per sender, set up once for this module (commands run one after another against it);
the commands are read from the application's own handlers, so a new one joins the matrix.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio
from pydantic import SecretStr
from sqlalchemy import func, select
from telegram.ext import CommandHandler

from bot.chat.application import build_application
from bot.chat.menus import COORDINATOR_COMMANDS, LIAISON_COMMANDS
from bot.delivery.pacing import Pacer
from bot.runtime import Runtime
from bot.sandbox import SandboxServer
from bot.sandbox.driver import VirtualTime, running_bot
from bot.settings import Settings
from db.engine import create_engine, create_session_factory
from db.models import AuditEvent, Member, Plan
from tests.bot.harness import BotHarness, Clock
from tests.kit.cast import coordinator, deputy, liaison
from tests.kit.databases import Templates
from tests.kit.plan_limits import PLAN_B, add_plan_b

IN_MODULE_LOOP = pytest.mark.asyncio(loop_scope="module")  # the loop the module's bots run in

ME, BOSS = 6001, 6009
NOT_REGISTERED = "您尚未注册。请向协调人索取邀请链接。"
COORDINATORS_ONLY = "只有协调人可以执行此操作。"
FAILED = "系统出现问题"  # the start of the reply to an unexpected error
# "limited": a coordinator limited to plan A (gf-2015-5), with plan B (PLAN_B) beside it.
ROLES = ("unregistered", "liaison", "deputy", "left", "removed", "coordinator", "limited")
COORDINATORS = {"coordinator", "limited"}
GONE = {"unregistered", "left", "removed"}


def chat_commands() -> list[str]:
    """The commands the chat handlers answer, read from the handlers of a built application."""
    settings = Settings(telegram_token=SecretStr("123456:MATRIX"))
    sessions = create_session_factory(create_engine("sqlite+aiosqlite://"))
    application = build_application(Runtime(settings=settings, sessions=sessions))
    return sorted(
        {
            command
            for handlers in application.handlers.values()
            for handler in handlers
            if isinstance(handler, CommandHandler)
            for command in handler.commands
        }
    )


COMMANDS = chat_commands()
COORDINATOR_ONLY = {name for name, _ in COORDINATOR_COMMANDS} - {n for n, _ in LIAISON_COMMANDS}
OWN_AGENCY = {"export"}  # a liaison may export their own agency's status (not in their menu)
# An agency's own commands, from a coordinator, who has no agency.
NOT_FOR_COORDINATORS = {
    "mytasks": "只有单位联络员可以报告任务进展。",
    "extend": "协调人请用 /due 编号 日期 理由 直接调整截止日期，例如 /due 5 2016-06-30 同意延期。",
}
# What a command word leads to besides its plain form.
VARIANTS = [
    "/members remove 主任",
    "/invite coordinator",
    "/settings quiet_start 21:00",
    "/holidays 2016",
    "/feeds revoke 1",
    "/calendar 5",
]
# A liaison of 科技部 asking for what belongs to another agency (公安部) or its task (12).
OTHER_AGENCYS = {
    "/export xlsx 公安部": "您只能导出本单位（科技部）的任务。",
    "/digest 公安部": COORDINATORS_ONLY,
    "/calendar 公安部": "您只能订阅本单位的任务。",
    "/calendar 12": "第 12 项任务未分配给您的单位。",
    "/extend 12 2016-09-30 调研推迟": "第 12 项任务未分配给您的单位。",
}
# A coordinator limited to gf-2015-5 asking for plan B or its tasks, each way a plan is named.
B, B_TASK = PLAN_B[0], f"{PLAN_B[0]}/5"
NOT_SUPERVISED = "您不负责督办此计划。"
OTHER_PLANS = [
    f"/chart {B}",
    f"/chart {PLAN_B[1]}",
    "/chart 营商环境",
    f"/calendar {B}",
    f"/digest {B}",
    f"/digest {B} 科技部",
    f"/export xlsx {B}",
    f"/tasks {B}",
    f"/tasks {B} red",
    f"/task {B_TASK}",
    f"/audit {B_TASK}",
    f"/due {B_TASK} 2016-06-30 同意延期",
    f"/milestone {B_TASK} 2016-06-30 形成初稿",
    f"/assign {B_TASK} 工信部 co",
    f"/unassign {B_TASK} 工信部",
    f"/nudge {B_TASK} 科技部",
    f"/plans archive {B} carry",
]
# Arguments that would do something, so that a refusal is not just a usage line.
EXAMPLES = {
    "assign": "5 工信部 co",
    "audit": "5",
    "due": "5 2016-06-30 同意延期",
    "export": "xlsx 科技部",
    "extend": "3 2016-09-30 调研推迟",
    "invite": "科技部",
    "milestone": "5 2016-06-30 形成初稿",
    "nudge": "5 科技部",
    "task": "5",
    "unassign": "5 工信部",
}


def refusal(role: str, command: str) -> str | None:
    """The one line a sender must get instead of the command, or None where it is theirs."""
    if role in GONE:
        return NOT_REGISTERED
    if role in COORDINATORS:
        return NOT_FOR_COORDINATORS.get(command)
    if command in COORDINATOR_ONLY - OWN_AGENCY:
        return COORDINATORS_ONLY
    return None


async def _seat(harness: BotHarness, role: str) -> None:
    """The plan, a coordinator, and ME as the role (the gone ones having been members first)."""
    people = [coordinator(BOSS, "主任")]
    if role in COORDINATORS:
        people.append(coordinator(ME, "我"))
    elif role == "deputy":
        people.append(deputy(ME, "科技部", "我"))
    elif role != "unregistered":
        people.append(liaison(ME, "科技部", "我"))
    await harness.cast(*people)
    harness.sandbox.add_user(ME, "我")
    if role == "left":
        [ask] = await harness.send(ME, "/leave")
        await harness.press(ME, ask.message_id, ask.callback_data[0])
    if role == "removed":
        [ask] = await harness.send(BOSS, f"/members remove {ME}")
        await harness.press(BOSS, ask.message_id, ask.callback_data[0])
    if role == "limited":
        await add_plan_b(harness)
        [told] = await harness.send(BOSS, f"/members limit {ME} gf-2015-5")
        assert told.text == "我 只督办：国发〔2015〕5号 (gf-2015-5)。"


@pytest_asyncio.fixture(scope="module", loop_scope="module", params=ROLES)
async def sender(
    request: pytest.FixtureRequest, templates: Templates, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[tuple[str, BotHarness]]:
    """A running bot on a database of its own, with ME seated as one role."""
    role: str = request.param
    directory = tmp_path_factory.mktemp(f"matrix-{role}")
    path = directory / "bot.sqlite3"
    path.write_bytes((await templates.sqlite_file()).read_bytes())
    engine = create_engine(f"sqlite+aiosqlite:///{path}")
    async with SandboxServer() as sandbox:
        settings = Settings(
            data_dir=Path(directory),
            telegram_token=SecretStr(sandbox.token),
            telegram_api_url=sandbox.url,
            public_base_url="https://annexbot.example.org",
        )
        sessions = create_session_factory(engine)
        virtual = VirtualTime()  # replies are paced (1 a second a chat) in time that jumps
        pacer = Pacer(clock=virtual, sleep=virtual.sleep)
        async with running_bot(
            settings, sessions, Clock(), sandbox=sandbox, kind=BotHarness, pacer=pacer
        ) as harness:
            await _seat(harness, role)
            yield role, harness
    await engine.dispose()


def test_the_matrix_has_every_command() -> None:
    """The handlers answer every command of both menus, /start and the new /invites."""
    menus = {name for name, _ in COORDINATOR_COMMANDS + LIAISON_COMMANDS}
    assert menus | {"start", "invites"} <= set(COMMANDS)


@IN_MODULE_LOOP
@pytest.mark.parametrize(
    "line", [f"/{command} {EXAMPLES.get(command, '')}".strip() for command in COMMANDS] + VARIANTS
)
async def test_each_sender_is_answered_and_refused_where_due(
    sender: tuple[str, BotHarness], line: str, caplog: pytest.LogCaptureFixture
) -> None:
    """A command gets an answer, never silence or a failure; a refusal where it is not theirs."""
    role, harness = sender
    command = line.split()[0][1:]
    caplog.set_level(logging.ERROR)
    harness.clock.advance(minutes=1)  # past the ration of charts, exports and digests
    replies = await harness.send(ME, line)
    texts = [message.text or message.caption or "" for message in replies]
    assert replies, f"{line} as {role}: no answer"
    assert not any(text.startswith(FAILED) for text in texts), texts
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR], caplog.text
    wanted = refusal(role, command)
    if wanted is None:
        assert NOT_REGISTERED not in texts
        assert COORDINATORS_ONLY not in texts
    else:
        assert texts == [wanted], f"{line} as {role}"


@IN_MODULE_LOOP
@pytest.mark.parametrize("text", OTHER_AGENCYS)
async def test_a_liaison_gets_nothing_of_another_agency(
    sender: tuple[str, BotHarness], text: str
) -> None:
    """Another agency's export, digest, calendar or task: one refusal line, nothing of theirs."""
    role, harness = sender
    if role not in ("liaison", "deputy"):
        pytest.skip("a question of agencies")
    harness.clock.advance(minutes=1)
    replies = await harness.send(ME, text)
    assert [(m.text, m.document, m.photo) for m in replies] == [(OTHER_AGENCYS[text], None, None)]


@IN_MODULE_LOOP
async def test_a_limited_coordinator_lists_and_works_on_their_plan_alone(
    sender: tuple[str, BotHarness],
) -> None:
    """/plans shows plan A only; /chart and /task need no plan named, as with one plan.

    (It runs before the refusals below, in the module's order, so plan B is still live.)
    """
    role, harness = sender
    if role != "limited":
        pytest.skip("a question of plans")
    harness.clock.advance(minutes=1)
    [plans] = await harness.send(ME, "/plans")
    assert plans.text is not None
    assert "gf-2015-5" in plans.text
    assert B not in plans.text
    [chart] = await harness.send(ME, "/chart")
    assert chart.caption is not None
    assert chart.caption.startswith("国发〔2015〕5号任务进度")
    [card] = await harness.send(ME, "/task 5")
    assert card.text is not None
    assert B not in card.text


@IN_MODULE_LOOP
@pytest.mark.parametrize("text", OTHER_PLANS)
async def test_a_limited_coordinator_gets_nothing_of_another_plan(
    sender: tuple[str, BotHarness], text: str
) -> None:
    """Plan B's chart, calendar, digest, export, tasks or changes: one refusal line only."""
    role, harness = sender
    if role != "limited":
        pytest.skip("a question of plans")
    harness.clock.advance(minutes=1)
    replies = await harness.send(ME, text)
    assert [(m.text, m.document, m.photo) for m in replies] == [(NOT_SUPERVISED, None, None)]
    async with harness.runtime.session() as session:
        changed = await session.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .join(Plan, Plan.id == AuditEvent.plan_id)
            .join(Member, Member.id == AuditEvent.actor_member_id)
            .where(Plan.code == B, Member.telegram_id == ME)
        )
        archived = await session.scalar(select(Plan.archived_at).where(Plan.code == B))
    assert (changed, archived) == (0, None)
