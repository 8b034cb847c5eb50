"""The words a feed is written in, per language, and the light marks."""

from __future__ import annotations

from workflows.lights import Light

LABELS: dict[str, dict[str, str]] = {
    "zh": {
        "start": "启动",
        "checkpoint": "年度节点",
        "due": "完成时限",
        "custom": "节点",
        "red": "红灯",
        "yellow": "黄灯",
        "green": "绿灯",
        "open": "推进中",
        "done": "已完成待审核",
        "closed": "已办结",
        "removed": "已取消",
        "on_track": "正常推进",
        "at_risk": "存在风险",
        "blocked": "受阻",
        "lead": "牵头",
        "co": "配合",
        "and_others": "等",
        "aside": "（{}）",
        "cancelled_mark": "已取消 · ",
        "closed_mark": "已办结 · ",
        "task": "任务",
        "schedule": "时间进度",
        "light": "状态",
        "reports": "最新报告",
        "no_reports": "尚无报告",
        "language": "ZH",
        "plan": "全部任务",
        "member": "我的任务",
        "bot": "机器人",
        "alarm": "即将到期",
        "sep": "：",
        "list_sep": "、",
    },
    "en": {
        "start": "start",
        "checkpoint": "checkpoint",
        "due": "due",
        "custom": "milestone",
        "red": "red",
        "yellow": "yellow",
        "green": "green",
        "open": "in progress",
        "done": "done, awaiting review",
        "closed": "closed",
        "removed": "cancelled",
        "on_track": "on track",
        "at_risk": "at risk",
        "blocked": "blocked",
        "lead": "Lead",
        "co": "Co-responsible",
        "and_others": " and others",
        "aside": " ({})",
        "cancelled_mark": "Cancelled · ",
        "closed_mark": "Closed · ",
        "task": "Task",
        "schedule": "Schedule",
        "light": "Status",
        "reports": "Latest reports",
        "no_reports": "no reports yet",
        "language": "EN",
        "plan": "All tasks",
        "member": "My tasks",
        "bot": "Bot",
        "alarm": "Coming up",
        "sep": ": ",
        "list_sep": ", ",
    },
}


LIGHT_MARKS = {Light.RED: "🔴", Light.YELLOW: "🟡", Light.GREEN: "🟢"}


def words_for(language: str) -> dict[str, str]:
    """The words of a feed in a language (Chinese unless English is asked for)."""
    return LABELS["en" if language == "en" else "zh"]


def english(words: dict[str, str]) -> bool:
    """True for the English words."""
    return words is LABELS["en"]
