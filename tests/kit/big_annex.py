"""A plan as large as anyone may import: numbered tasks, each with a lead and a co unit."""

from __future__ import annotations

UNITS = ("科技部", "工业和信息化部", "发展改革委", "财政部", "教育部")


def big_annex(count: int) -> bytes:
    """A text annex of `count` tasks, each led by one ministry with another co-responsible."""
    rows = ["序号\t工作任务\t负责单位\t时间进度"]
    for n in range(1, count + 1):
        units = f"{UNITS[n % 5]}、{UNITS[(n + 1) % 5]}"
        rows.append(f"{n}\t推进第{n}项工作。\t{units}\t2027年底前完成")
    return "\n".join(rows).encode()
