"""/digest, /digest AGENCY and the weekly digest sweep, end to end against the sandbox."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from bot.chat.application import SENDER_KEY
from bot.chat.handlers.digest import JOB_NAME, digest_args, digest_chart, sweep
from bot.files.chart import cjk_family
from db.models import Agency, Assignment, Delivery, Plan, Task
from tests.bot.harness import BotHarness
from tests.kit.beijing import beijing
from tests.kit.cast import coordinator, liaison
from tests.kit.plan_limits import limit
from tests.kit.sweeps import run_sweep
from workflows.errors import InvalidInputError
from workflows.importing.model import DocumentInfo
from workflows.importing.service import bundled_annex, import_annex

MIIT, MOST, BOSS, BOSS_EN = 3001, 3002, 3009, 3010  # 工信部 and 科技部 liaisons, coordinators


async def setup(harness: BotHarness) -> None:
    """The bundled plan, two liaisons and two coordinators (one reads English)."""
    await harness.cast(
        liaison(MIIT, "工信部", "Miit"),
        liaison(MOST, "科技部", "Most"),
        coordinator(BOSS, "Boss"),
        coordinator(BOSS_EN, "Chief", language="en"),
    )


async def task_ids_of(harness: BotHarness, agency: str) -> set[int]:
    """The ids of the tasks an agency leads or co-handles."""
    async with harness.runtime.session() as session:
        rows = await session.scalars(
            select(Assignment.task_id).join(Agency).where(Agency.name == agency)
        )
        return set(rows)


async def test_a_coordinator_gets_the_digest_now(harness: BotHarness) -> None:
    """/digest: the coordinators' digest, buttons open a task card; the chart follows."""
    await setup(harness)
    replies = await harness.send(BOSS_EN, "/digest")
    texts = [m for m in replies if m.text is not None]
    assert texts[0].text is not None
    assert texts[0].text.startswith("📊 Weekly digest · gf-2015-5 · 2016-03-01\nTasks: 🔴 ")
    assert all(len(m.text or "") <= 4096 for m in texts)
    photos = [m for m in replies if m.photo is not None]
    if cjk_family() is not None:
        [photo] = photos
        assert photo.caption == "📈 Progress chart · gf-2015-5 · 2016-03-01"
    button = next(m for m in texts if m.callback_data)
    number = button.buttons[0][0][0]
    [card] = await harness.press(BOSS_EN, button.message_id, button.callback_data[0])
    assert card.text is not None
    assert card.text.splitlines()[0].endswith(f"Task {number}")


async def test_an_agency_digest_shows_only_that_agencys_tasks(harness: BotHarness) -> None:
    """/digest 工信部 (an alias): only 工业和信息化部's tasks, as lead and co-responsible."""
    await setup(harness)
    replies = await harness.send(BOSS, "/digest 工信部")
    [message] = [m for m in replies if m.text is not None]
    assert message.text is not None
    assert message.text.startswith("📋 工业和信息化部每周简报 · gf-2015-5 · 2016年3月1日\n")
    assert "牵头任务（9 项）" in message.text
    assert "配合任务（10 项）" in message.text
    assert not [m for m in replies if m.photo is not None]
    own = await task_ids_of(harness, "工业和信息化部")
    shown = {int(data.split(":")[1]) for data in message.callback_data}
    assert shown
    assert shown <= own
    others = await task_ids_of(harness, "商务部") - own
    assert not shown & others


async def test_a_liaison_gets_only_their_own_agencys_digest(harness: BotHarness) -> None:
    """A liaison's /digest is their agency's; another agency's is refused."""
    await setup(harness)
    [mine] = await harness.send(MOST, "/digest")
    assert mine.text is not None
    assert mine.text.startswith("📋 科技部每周简报")
    [refused] = await harness.send(MOST, "/digest 工信部")
    assert refused.text == "只有协调人可以执行此操作。"


async def test_the_weekly_sweep_sends_a_period_once(harness: BotHarness) -> None:
    """Monday 09:00: each member gets their digest once, however often the sweep runs."""
    assert JOB_NAME in harness.job_names
    await setup(harness)
    assert await run_sweep(harness, sweep, beijing(2016, 3, 7, 8, 59)) == 0
    assert await run_sweep(harness, sweep, beijing(2016, 3, 7, 9, 0)) == 4
    assert await run_sweep(harness, sweep, beijing(2016, 3, 7, 9, 5)) == 0
    assert await run_sweep(harness, sweep, beijing(2016, 3, 10, 9, 5)) == 0
    for user, heading in [
        (MIIT, "📋 工业和信息化部每周简报 · gf-2015-5 · 2016年3月7日\n"),
        (MOST, "📋 科技部每周简报 · gf-2015-5 · 2016年3月7日\n"),
        (BOSS, "📊 每周督办简报 · gf-2015-5 · 2016年3月7日\n"),
        (BOSS_EN, "📊 Weekly digest · gf-2015-5 · 2016-03-07\n"),
    ]:
        texts = [m for m in harness.sandbox.messages(user) if m.text is not None]
        assert [m.text.startswith(heading) for m in texts if m.text] == [True], user
    if cjk_family() is not None:
        assert [m.caption for m in harness.sandbox.messages(BOSS) if m.photo is not None] == [
            "📈 进度图 · gf-2015-5 · 2016年3月7日"
        ]
    # The next Monday is a new period.
    assert await run_sweep(harness, sweep, beijing(2016, 3, 14, 9, 0)) == 4


async def test_down_over_monday_morning_the_digest_goes_once_marked_late(
    harness: BotHarness,
) -> None:
    """The bot was off from Sunday to Monday afternoon: on restart the digest goes once, late."""
    await setup(harness)
    assert await run_sweep(harness, sweep, beijing(2016, 3, 6, 18, 0)) == 0
    assert await run_sweep(harness, sweep, beijing(2016, 3, 7, 15, 0)) == 4
    assert await run_sweep(harness, sweep, beijing(2016, 3, 7, 15, 5)) == 0
    [zh] = [m for m in harness.sandbox.messages(MOST) if m.text is not None]
    assert zh.text is not None
    assert zh.text.startswith(
        "📋 科技部每周简报 · gf-2015-5 · 2016年3月7日 （延迟送达：机器人曾离线）\n"
    )
    [en] = [m for m in harness.sandbox.messages(BOSS_EN) if m.text is not None]
    assert en.text is not None
    assert en.text.startswith(
        "📊 Weekly digest · gf-2015-5 · 2016-03-07 (late: the bot was offline)\n"
    )
    async with harness.runtime.session() as session:
        late = list(await session.scalars(select(Delivery.late).where(Delivery.kind == "digest")))
    assert late
    assert all(late)


# Two more documents sharing the bundled annex's agencies (its text, under other names).
OTHERS = (("gf-2019-3", "国发〔2019〕3号"), ("gbf-2020-1", "国办发〔2020〕1号"))


async def three_plans(harness: BotHarness) -> dict[int, int]:
    """The bundled plan, two more of the same units, and the members of setup(); returns how
    many messages each member has had so far (the new plans' task notices)."""
    await setup(harness)
    async with harness.runtime.session() as session:
        for code, number in OTHERS:
            await import_annex(
                session=session,
                data=bundled_annex("gf-2015-5"),
                now=harness.clock(),
                timezone="Asia/Shanghai",
                plan_code=code,
                document=DocumentInfo(number=number, title=None),
            )
    await harness.application.bot_data[SENDER_KEY].drain()  # the new plans' task notices
    return {user: len(harness.sandbox.messages(user)) for user in (MIIT, MOST, BOSS, BOSS_EN)}


async def test_a_member_on_three_plans_gets_one_digest_a_week(harness: BotHarness) -> None:
    """Three plans sharing agencies: Monday 09:00 brings each member one digest (one title,
    a section per plan), not three; no chart across plans; a button names its plan and opens
    that plan's task; the week's digest is not sent again."""
    before = await three_plans(harness)
    queued = await run_sweep(harness, sweep, beijing(2016, 3, 7, 9, 0))
    assert await run_sweep(harness, sweep, beijing(2016, 3, 9, 9, 0)) == 0
    received = 0
    for user, title in [
        (MIIT, "📋 工业和信息化部每周简报 · 3 个计划 · 2016年3月7日\n"),
        (MOST, "📋 科技部每周简报 · 3 个计划 · 2016年3月7日\n"),
        (BOSS, "📊 每周督办简报 · 3 个计划 · 2016年3月7日\n"),
        (BOSS_EN, "📊 Weekly digest · 3 plans · 2016-03-07\n"),
    ]:
        messages = harness.sandbox.messages(user)[before[user] :]
        texts = [m.text for m in messages if m.text is not None]
        assert [t.startswith(title) for t in texts] == [True] + [False] * (len(texts) - 1), (
            user,
            [t[:80] for t in texts],
        )
        whole = "\n".join(texts)
        for heading in ("▸ 国办发〔2020〕1号 · gbf-2020-1", "▸ 国发〔2015〕5号 · gf-2015-5"):
            assert whole.count(f"\n{heading}\n") == 1, (user, heading)
        assert "▸ 国发〔2019〕3号 · gf-2019-3" in whole
        assert not [m for m in messages if m.photo is not None]
        received += len(texts)
    assert received == queued
    digest = [m for m in harness.sandbox.messages(BOSS_EN)[before[BOSS_EN] :] if m.text]
    assert digest[-1].text is not None
    assert digest[-1].text.endswith("Charts: /chart PLAN draws one plan's.")
    shown = [
        label
        for m in harness.sandbox.messages(MOST)[before[MOST] :]
        for row in m.buttons
        for label, _ in row
    ]
    assert {label.split("/")[0] for label in shown} == {"gbf-2020-1", "gf-2015-5", "gf-2019-3"}
    assert len(shown) == len(set(shown)) == 30  # 科技部's ten tasks in each plan
    mine, label, data = next(
        (m, label, data)
        for m in harness.sandbox.messages(MOST)[before[MOST] :]
        for row in m.buttons
        for label, data in row
        if label.startswith("gf-2019-3/")
    )
    async with harness.runtime.session() as session:
        task = await session.get(Task, int(data.split(":")[1]))
        assert task is not None
        plan = await session.get(Plan, task.plan_id)
    assert plan is not None
    assert (plan.code, str(task.number)) == ("gf-2019-3", label.split("/")[1])
    [card] = await harness.press(MOST, mine.message_id, data)
    assert card.text is not None
    assert card.text.startswith(f"🟢 第 {task.number} 项任务")


async def test_a_limited_coordinator_reads_a_digest_of_their_plans_only(
    harness: BotHarness,
) -> None:
    """Limited to gf-2019-3: Monday's digest is that plan's (with its chart); the others keep 3."""
    before = await three_plans(harness)
    await limit(harness, BOSS_EN, "gf-2019-3")
    await run_sweep(harness, sweep, beijing(2016, 3, 7, 9, 0))
    limited = harness.sandbox.messages(BOSS_EN)[before[BOSS_EN] :]
    [title, *_] = [m.text for m in limited if m.text is not None]
    assert title.splitlines()[0] == "📊 Weekly digest · gf-2019-3 · 2016-03-07"
    assert [m for m in limited if m.photo is not None]  # one plan: its chart comes too
    whole = "\n".join(m.text or "" for m in limited)
    assert "gf-2015-5" not in whole
    assert "gbf-2020-1" not in whole
    unlimited = "\n".join(m.text or "" for m in harness.sandbox.messages(BOSS)[before[BOSS] :])
    assert "3 个计划" in unlimited


async def test_digest_with_a_plan_shows_that_plan_only(harness: BotHarness) -> None:
    """With three plans: a liaison's /digest is one digest of all three, /digest PLAN (any of
    its names) only that plan's; a coordinator's /digest AGENCY is one digest of that agency's
    plans, /digest PLAN that plan with its chart."""
    await three_plans(harness)
    replies = await harness.send(MOST, "/digest")
    texts = [m.text for m in replies if m.text is not None]
    assert texts[0].startswith("📋 科技部每周简报 · 3 个计划 · 2016年3月1日\n")
    assert sum(t.startswith("📋") for t in texts) == 1
    harness.clock.advance(minutes=5)
    [one] = await harness.send(MOST, "/digest 国发〔2019〕3号")
    assert one.text is not None
    assert one.text.startswith("📋 科技部每周简报 · gf-2019-3 · 2016年3月1日\n")
    assert "▸" not in one.text
    harness.clock.advance(minutes=5)
    replies = await harness.send(BOSS, "/digest 工信部")
    texts = [m.text for m in replies if m.text is not None]
    assert texts[0].startswith("📋 工业和信息化部每周简报 · 3 个计划 · 2016年3月1日\n")
    assert sum(t.startswith("📋") for t in texts) == 1
    assert not [m for m in replies if m.photo is not None]
    harness.clock.advance(minutes=5)
    replies = await harness.send(BOSS_EN, "/digest gbf-2020-1")
    texts = [m.text for m in replies if m.text is not None]
    assert texts[0].startswith("📊 Weekly digest · gbf-2020-1 · 2016-03-01\nTasks: ")
    if cjk_family() is not None:
        [photo] = [m for m in replies if m.photo is not None]
        assert photo.caption == "📈 Progress chart · gbf-2020-1 · 2016-03-01"


async def test_the_digest_chart_is_titled_with_the_plans_label(
    harness: BotHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The chart a coordinator's digest sends names its plan by document number, as /chart."""
    await three_plans(harness)
    titles: list[str | None] = []

    def drawn(rows: object, *, today: object, language: str, title: str | None) -> None:
        titles.append(title)

    monkeypatch.setattr("bot.chat.handlers.chart.render_chart", drawn)
    async with harness.runtime.session() as session:
        plan_id = await session.scalar(select(Plan.id).where(Plan.code == "gf-2019-3"))
        assert plan_id is not None
        await digest_chart(session, plan_id=plan_id, now=harness.clock(), language="en")
    assert titles == ["国发〔2019〕3号: progress on 2016-03-01"]


@given(st.text(max_size=80))
def test_digest_arguments_are_an_agency_name_or_nothing(text: str) -> None:
    """Any argument text: nothing, a tidy name of at most 64 characters, or the usage."""
    tidy = " ".join(unicodedata.normalize("NFKC", text).split())
    if len(tidy) > 64:
        with pytest.raises(InvalidInputError, match="Usage: /digest"):
            digest_args(text)
        return
    agency = digest_args(text)
    if agency is None:
        assert not unicodedata.normalize("NFKC", text).split()
    else:
        assert len(agency) <= 64
        assert agency == " ".join(agency.split())


def test_digest_arguments_fold_full_width_forms() -> None:
    """Full-width letters and ideographic spaces typed on a phone are folded."""
    assert digest_args("　ＭＩＩＴ  ") == "MIIT"
    assert digest_args("") is None
