"""/digest, /digest AGENCY and the weekly digest sweep, end to end against the sandbox."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from bot.chat.handlers.digest import JOB_NAME, digest_args, sweep
from bot.files.chart import cjk_family
from db.models import Agency, Assignment, Delivery
from tests.bot.harness import BotHarness
from tests.kit.beijing import beijing
from tests.kit.cast import coordinator, liaison
from tests.kit.sweeps import run_sweep
from workflows.errors import InvalidInputError

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
