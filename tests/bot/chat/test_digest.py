"""Rendering the digest: expected text in Chinese and English, escaping, splitting, buttons."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from bot.chat.digest import (
    Line,
    coordinator_blocks,
    digest_buttons,
    plain,
    render_digest,
    render_digests,
    split_blocks,
)
from bot.limits import MESSAGE_LIMIT, measure
from workflows.digest.model import (
    AgencyDigest,
    ChangeItem,
    CoordinatorDigest,
    DatedItem,
    DigestTask,
    ExtensionItem,
    FinishedItem,
    SilentUnit,
    Totals,
    WaitingItem,
)
from workflows.lights import Light

PERIOD = dt.date(2016, 3, 7)
AT = dt.datetime(2016, 3, 1, 2, tzinfo=dt.UTC)
HTML_TEXT = "建设<b>云</b>&平台"


def coordinators(**changes: object) -> CoordinatorDigest:
    """A small coordinators' digest with a task text full of HTML."""
    digest = CoordinatorDigest(
        plan_id=1,
        plan_code="gf-2015-5",
        period=PERIOD,
        totals=Totals(red=1, yellow=2, green=3, done=1, closed=4),
        finished=(FinishedItem(14, 4, "持续推进工作", "closed", "科技部"),),
        overdue=(
            DatedItem(
                13,
                3,
                "开展试点",
                "due",
                "",
                dt.date(2015, 12, 31),
                67,
                ("财政部", "工信部"),
                units_en=("Ministry of Finance", None),  # 工信部: no English name known
            ),
        ),
        upcoming=(
            DatedItem(
                11, 1, HTML_TEXT, "custom", "中期<评估>", dt.date(2016, 3, 8), 1, ("科技部",)
            ),
        ),
        silent=(SilentUnit("发展改革委", (1, 2), 35),),
        extensions=(ExtensionItem(11, 1, "科技部", dt.date(2016, 3, 31), dt.date(2016, 4, 30)),),
        reviews=(FinishedItem(15, 5, "编制指南", "done", "发展改革委"),),
        changes=(
            ChangeItem(12, 2, "date_moved", "2016-06-30", "2016-07-31", AT),
            ChangeItem(13, 3, "unit_added", "工业和信息化部", "co", AT),
            ChangeItem(12, 2, "returned", None, "缺少<附件>&说明", AT),
        ),
    )
    return digest if not changes else CoordinatorDigest(**{**digest.__dict__, **changes})


EN = """\
📊 <b>Weekly digest</b> · gf-2015-5 · 2016-03-07
Tasks: 🔴 1 · 🟡 2 · 🟢 3 · awaiting review 1 · closed 4

<b>Done or closed since the last digest</b>
• <b>4</b> 持续推进工作 — closed (销号)

<b>Overdue</b>
• <b>3</b> 开展试点 — falls due 2015-12-31: 67 days overdue · Ministry of Finance, 工信部

<b>Due in the next 14 days</b>
• <b>1</b> 建设&lt;b&gt;云&lt;/b&gt;&amp;平台 — 中期&lt;评估&gt; 2016-03-08: in 1 day · 科技部

<b>Silent in the last check-in cycle</b>
• 发展改革委: tasks 1, 2, silent 35 days

<b>Awaiting your decision</b>
• extension: <b>1</b> 科技部 asks 2016-04-30 (now 2016-03-31)
• closing (办结): <b>5</b> 编制指南 — 发展改革委

<b>Changes since the last digest</b>
• <b>2</b> due date moved 2016-06-30 → 2016-07-31
• <b>3</b> 工业和信息化部 added (co-responsible)
• <b>2</b> returned (退办): 缺少&lt;附件&gt;&amp;说明"""

ZH = """\
📊 <b>每周督办简报</b> · gf-2015-5 · 2016年3月7日
任务：🔴 1 · 🟡 2 · 🟢 3 · 待审核 1 · 已销号 4

<b>上期以来完成或销号</b>
• <b>4</b> 持续推进工作 — 已销号

<b>已逾期</b>
• <b>3</b> 开展试点 — 截止 2015年12月31日：已逾期 67 天 · 财政部、工信部

<b>未来 14 天内到期</b>
• <b>1</b> 建设&lt;b&gt;云&lt;/b&gt;&amp;平台 — 中期&lt;评估&gt; 2016年3月8日：还有 1 天 · 科技部

<b>上一询问周期未报告的单位</b>
• 发展改革委：第 1, 2 项，35 天未报告

<b>待您决定</b>
• 延期申请：第 <b>1</b> 项，科技部申请延至 2016年4月30日（现为 2016年3月31日）
• 办结审核：<b>5</b> 编制指南 — 发展改革委

<b>上期以来的变更</b>
• <b>2</b> 完成时限调整：2016年6月30日 → 2016年7月31日
• <b>3</b> 新增工业和信息化部（配合）
• <b>2</b> 已退办：缺少&lt;附件&gt;&amp;说明"""


def agency() -> AgencyDigest:
    """A small agency digest."""
    return AgencyDigest(
        plan_id=1,
        plan_code="gf-2015-5",
        period=PERIOD,
        agency_id=7,
        agency="科技部",
        lead=(
            DigestTask(11, 1, HTML_TEXT, "科技部", Light.YELLOW, dt.date(2016, 3, 8), "open"),
            DigestTask(14, 4, "持续推进工作", "科技部", Light.GREEN, None, "closed"),
        ),
        co=(DigestTask(12, 2, "制定标准", "发展改革委", Light.RED, None, "open"),),
        overdue=(DatedItem(12, 2, "制定标准", "due", "", dt.date(2016, 3, 1), 6, ()),),
        upcoming=(),
        unreported=(SilentUnit("科技部", (2,), 20),),
        waiting=(WaitingItem(12, 2, "制定标准", "returned", "缺<附件>"),),
    )


AGENCY_EN = """\
📋 <b>Weekly digest for 科技部</b> · gf-2015-5 · 2016-03-07 (late: the bot was offline)

<b>Tasks you lead (2)</b>
🟡 <b>1</b> 建设&lt;b&gt;云&lt;/b&gt;&amp;平台 · next 2016-03-08
✅ <b>4</b> 持续推进工作 · closed (销号)

<b>Tasks you co-handle (1)</b>
🔴 <b>2</b> 制定标准

<b>Overdue</b>
• <b>2</b> 制定标准 — falls due 2016-03-01: 6 days overdue

<b>Not reported in the last check-in cycle</b>
• task 2: no report for 20 days

<b>Waiting for your agency</b>
• <b>2</b> 制定标准 — returned (退办): 缺&lt;附件&gt;"""

AGENCY_ZH = """\
📋 <b>科技部每周简报</b> · gf-2015-5 · 2016年3月7日 （延迟送达：机器人曾离线）

<b>牵头任务（2 项）</b>
🟡 <b>1</b> 建设&lt;b&gt;云&lt;/b&gt;&amp;平台 · 下一节点 2016年3月8日
✅ <b>4</b> 持续推进工作 · 已销号

<b>配合任务（1 项）</b>
🔴 <b>2</b> 制定标准

<b>已逾期</b>
• <b>2</b> 制定标准 — 截止 2016年3月1日：已逾期 6 天

<b>上一询问周期未报告</b>
• 第 2 项：20 天未报告

<b>等待本单位办理</b>
• <b>2</b> 制定标准 — 已退办：缺&lt;附件&gt;"""


def test_the_coordinators_digest_in_english_and_chinese() -> None:
    """One message each, escaped, with a button per task it names, in order."""
    [en] = render_digest(coordinators(), "en")
    [zh] = render_digest(coordinators(), "zh")
    assert en.text == EN
    assert zh.text == ZH
    assert en.tasks == zh.tasks == ((14, 4), (13, 3), (11, 1), (15, 5), (12, 2))


def test_a_task_of_many_units_names_a_line_of_them_and_counts_the_rest() -> None:
    """Fifteen units: those that fit a phone's line, then how many more (the card lists all)."""
    names = ("发展改革委", "科技部", "工业和信息化部", "财政部", "商务部") * 3
    english = ("National Development and Reform Commission", "Ministry of Science and Technology")
    [item] = coordinators().overdue
    many = replace(item, units=names, units_en=english * 7 + english[:1])
    [en] = render_digest(coordinators(overdue=(many,)), "en")
    [zh] = render_digest(coordinators(overdue=(many,)), "zh")
    line_en = next(line for line in en.text.splitlines() if "开展试点" in line)
    line_zh = next(line for line in zh.text.splitlines() if "开展试点" in line)
    assert line_en.endswith(" · National Development and Reform Commission +14 others")
    shown_zh = "、".join(names[:7])  # 35 characters; an eighth would pass 40
    assert line_zh.endswith(f" · {shown_zh} 另 8 家")


def test_an_agency_digest_in_english_and_chinese_marked_late() -> None:
    """The agency's tasks by role, what is due, unreported and waited for; late after downtime."""
    [en] = render_digest(agency(), "en", True)
    [zh] = render_digest(agency(), "zh", True)
    assert en.text == AGENCY_EN
    assert zh.text == AGENCY_ZH


def test_an_empty_agency_digest_says_so() -> None:
    """No tasks: one line saying so, no buttons."""
    empty = AgencyDigest(1, "p", PERIOD, 7, "科技部", (), (), (), (), (), ())
    [en] = render_digest(empty, "en")
    assert en.text.splitlines()[1] == "Your agency has no tasks in this plan."
    assert en.tasks == ()
    assert digest_buttons(en.tasks) is None


def test_a_long_digest_is_split_between_sections_then_lines() -> None:
    """300 overdue milestones: several messages within Telegram's limits, none cut mid-line,
    sections kept whole where they fit, and together exactly the whole digest."""
    many = tuple(
        DatedItem(1000 + n, n, f"任务<{n}>&" * 3, "due", "", dt.date(2016, 1, 1), 66, ("财政部",))
        for n in range(1, 301)
    )
    digest = coordinators(overdue=many)
    for language in ("en", "zh"):
        parts = render_digest(digest, language)
        assert len(parts) >= 3
        assert all(measure(p.text).fits() for p in parts)  # as Telegram counts: parsed, UTF-16
        assert max(len(p.text) for p in parts) > MESSAGE_LIMIT  # the markup is not counted
        # Together the parts are the whole digest, cut only between lines.
        lines = [line for p in parts for line in p.text.split("\n")]
        assert [line for line in lines if line] == [
            line for line in _full_lines(digest, language) if line
        ]
        # The sections after the long one fit one message, so they are not split.
        heading = "Changes since the last digest" if language == "en" else "上期以来的变更"
        [changes] = [p for p in parts if heading in p.text]
        assert changes.text.endswith(_full_lines(digest, language)[-1])
        assert "<b>Awaiting" in changes.text or "<b>待您决定" in changes.text
        assert all(len(p.tasks) <= 20 for p in parts)


def _full_lines(digest: CoordinatorDigest, language: str) -> list[str]:
    """Every line of a digest, unsplit."""
    blocks = coordinator_blocks(digest, language, late=False)
    return [line.text for block in blocks for line in block]


def test_split_keeps_sections_together() -> None:
    """Three sections that fit two by two: the split falls between sections."""
    block = [Line("x" * 40)] * 2
    parts = split_blocks([block, block, block], limit=200)
    assert [len(p) for p in parts] == [5, 2]
    assert parts[0][2].text == ""


def test_buttons_open_the_task_card() -> None:
    """A button per task, five to a row, with the "open task" callback the reminders use."""
    markup = digest_buttons([(11, 1), (12, 2), (13, 3), (14, 4), (15, 5), (16, 6)])
    assert markup is not None
    rows = markup.inline_keyboard
    assert [[b.text for b in row] for row in rows] == [["1", "2", "3", "4", "5"], ["6"]]
    assert rows[0][0].callback_data == "myt:11"


def test_plain_text_for_the_terminal() -> None:
    """Tags dropped and entities read back."""
    [en] = render_digest(coordinators(), "en")
    text = plain(en.text)
    assert "<b>Weekly digest</b>" not in text
    assert text.startswith("📊 Weekly digest · gf-2015-5 · 2016-03-07\n")
    assert "• 1 建设<b>云</b>&平台 — 中期<评估> 2016-03-08: in 1 day · 科技部" in text


def _other_plan(digest: AgencyDigest) -> AgencyDigest:
    """The same agency's digest of a second plan (国发〔2019〕3号), with task ids of its own."""
    return replace(
        digest,
        plan_id=2,
        plan_code="gf-2019-3",
        plan_label="国发〔2019〕3号",
        lead=tuple(replace(t, task_id=t.task_id + 100) for t in digest.lead),
        co=tuple(replace(t, task_id=t.task_id + 100) for t in digest.co),
        overdue=(),
        unreported=(),
        waiting=(),
    )


AGENCY_TWO_PLANS_EN = """📋 <b>Weekly digest for 科技部</b> · 2 plans · 2016-03-07

▸ <b>gf-2015-5</b>

<b>Tasks you lead (2)</b>
🟡 <b>1</b> 建设&lt;b&gt;云&lt;/b&gt;&amp;平台 · next 2016-03-08
✅ <b>4</b> 持续推进工作 · closed (销号)

<b>Tasks you co-handle (1)</b>
🔴 <b>2</b> 制定标准

<b>Overdue</b>
• <b>2</b> 制定标准 — falls due 2016-03-01: 6 days overdue

<b>Not reported in the last check-in cycle</b>
• task 2: no report for 20 days

<b>Waiting for your agency</b>
• <b>2</b> 制定标准 — returned (退办): 缺&lt;附件&gt;

▸ <b>国发〔2019〕3号</b> · gf-2019-3

<b>Tasks you lead (2)</b>
🟡 <b>1</b> 建设&lt;b&gt;云&lt;/b&gt;&amp;平台 · next 2016-03-08
✅ <b>4</b> 持续推进工作 · closed (销号)

<b>Tasks you co-handle (1)</b>
🔴 <b>2</b> 制定标准"""


def test_an_agency_on_two_plans_gets_one_digest_with_a_section_each() -> None:
    """One title for both plans, each plan's sections under its name; the buttons name the
    plan of each task; one plan alone renders as before."""
    first = agency()
    [en] = render_digests([first, _other_plan(first)], "en")
    assert en.text == AGENCY_TWO_PLANS_EN
    assert en.tasks == ((11, 1), (14, 4), (12, 2), (111, 1), (114, 4), (112, 2))
    assert en.plans == ("gf-2015-5",) * 3 + ("gf-2019-3",) * 3
    markup = digest_buttons(en.tasks, en.plans)
    assert markup is not None
    assert [[b.text for b in row] for row in markup.inline_keyboard] == [
        ["gf-2015-5/1", "gf-2015-5/4", "gf-2015-5/2"],
        ["gf-2019-3/1", "gf-2019-3/4", "gf-2019-3/2"],
    ]
    assert markup.inline_keyboard[1][0].callback_data == "myt:111"
    [zh] = render_digests([first, _other_plan(first)], "zh", True)
    assert zh.text.startswith("📋 <b>科技部每周简报</b> · 2 个计划 · 2016年3月7日 （延迟送达")
    assert "\n▸ <b>国发〔2019〕3号</b> · gf-2019-3\n" in zh.text
    [alone] = render_digests([first], "en", True)
    assert alone.text == AGENCY_EN
    assert alone.plans == ()


def test_coordinators_on_several_plans_are_told_where_the_charts_are() -> None:
    """The coordinators' digest of two plans ends with a pointer to /chart PLAN (no chart)."""
    second = replace(coordinators(), plan_id=2, plan_code="gf-2019-3", plan_label="国发〔2019〕3号")
    [zh] = render_digests([coordinators(), second], "zh")
    assert zh.text.startswith(
        "📊 <b>每周督办简报</b> · 2 个计划 · 2016年3月7日\n\n▸ <b>gf-2015-5</b>\n"
    )
    assert zh.text.count("任务：🔴 1 · 🟡 2 · 🟢 3") == 2
    assert zh.text.endswith("\n\n进度图：发送 /chart 计划，查看一个计划的图。")
    [terminal] = render_digests([coordinators(), second], "en", limit=10**9, chart_note=False)
    assert "/chart" not in terminal.text


def test_a_long_digest_of_several_plans_names_the_plan_where_a_message_goes_on() -> None:
    """Three plans of 120 overdue milestones each: every part within Telegram's limits (4096
    units, 100 entities), each part after the first opens with its plan's name, and together
    the parts hold every line once."""
    many = tuple(
        DatedItem(1000 + n, n, f"任务<{n}>&" * 3, "due", "", dt.date(2016, 1, 1), 66, ("财政部",))
        for n in range(1, 121)
    )
    digests = [
        replace(
            coordinators(overdue=many), plan_id=i, plan_code=f"p{i}", plan_label=f"国发〔{i}〕号"
        )
        for i in (1, 2, 3)
    ]
    parts = render_digests(digests, "en")
    assert len(parts) >= 6
    assert all(measure(p.text).fits() for p in parts)
    for part in parts[1:]:
        assert part.text.startswith("▸ <b>国发〔"), part.text[:40]
    continued = [p for p in parts if p.text.split("\n")[0].endswith("(continued)")]
    assert continued
    lines = [line for p in parts for line in p.text.split("\n") if line]
    overdue = [line for line in lines if "days overdue" in line]
    assert len(overdue) == 360
    assert all(len(p.tasks) == len(p.plans) <= 20 for p in parts)


def _busy_agency() -> AgencyDigest:
    """An agency on 150 lead tasks (30 red, 40 yellow, 75 green, 5 closed), 105 not signed for."""
    lights = [Light.RED] * 30 + [Light.YELLOW] * 40 + [Light.GREEN] * 80
    lead = tuple(
        DigestTask(100 + n, n, f"任务{n}", "科技部", light, None, "closed" if n > 145 else "open")
        for n, light in enumerate(lights, start=1)
    )
    waiting = tuple(WaitingItem(100 + n, n, f"任务{n}", "unsigned", None) for n in range(1, 106))
    return replace(agency(), lead=lead, co=(), overdue=(), unreported=(), waiting=waiting)


def test_a_busy_agency_reads_its_digest_in_one_message() -> None:
    """150 lead tasks: counted by light, the 10 reddest listed; 105 unsigned tasks in one line."""
    [zh] = render_digest(_busy_agency(), "zh")
    lines = zh.text.splitlines()
    head = lines.index("<b>牵头任务（150 项）</b>")
    assert lines[head + 1] == "🔴 30 · 🟡 40 · 🟢 75 · ✅ 5"
    listed = lines[head + 2 : head + 12]
    assert all(line.startswith("🔴 <b>") for line in listed)
    assert lines[head + 12] == "……另有 140 项，见 /mytasks"
    waiting = lines[lines.index("<b>等待本单位办理</b>") + 1 :]
    assert len(waiting) == 1
    assert waiting[0].startswith("• 尚未签收：第 1、2、3、")
    assert waiting[0].endswith("29、30… 项（共 105 项）— /mytasks")
    [en] = render_digest(_busy_agency(), "en")
    assert "• not signed for yet (签收): tasks 1、2、3、" in en.text
    assert "… and 140 more: /mytasks" in en.text
