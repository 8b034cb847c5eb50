"""Labels that name a task's fields in the labelled layouts: 牵头单位： 完成时限： ……"""

from __future__ import annotations

import re

from workflows.importing.readers.common import Field

LABELS: dict[str, Field] = {
    "牵头单位": "lead",
    "牵头部门": "lead",
    "牵头负责单位": "lead",
    "牵头负责部门": "lead",
    "牵头责任单位": "lead",
    "责任单位": "units",
    "负责单位": "units",
    "责任部门": "units",
    "负责部门": "units",
    "承办单位": "units",
    "配合单位": "co",
    "参与单位": "co",
    "配合部门": "co",
    "参与部门": "co",
    "协办单位": "co",
    "协同单位": "co",
    "协同责任单位": "co",
    # 指导单位： stays labelled in the units text, where its units read as guides.
    "指导单位": "units",
    "指导部门": "units",
    "完成时限": "schedule",
    "时间进度": "schedule",
    "完成时间": "schedule",
    "进度安排": "schedule",
    "时间安排": "schedule",
    "完成期限": "schedule",
    "时间节点": "schedule",
    "工作任务": "text",
    "任务内容": "text",
    # Labels naming people: their lines stay labelled in the units text, which makes them a note.
    "牵头负责领导": "units",
    "责任领导": "units",
    "牵头领导": "units",
    "分管领导": "units",
}
PEOPLE_LABELS = frozenset(label for label in LABELS if label.endswith("领导"))
# Labels kept in the text they fill, for the units parser to read (people, guides).
KEPT_LABELS = PEOPLE_LABELS | {"指导单位", "指导部门"}
_ALTERNATION = "|".join(sorted(LABELS, key=len, reverse=True))
LABEL = re.compile(r"[【\[]?(" + _ALTERNATION + r")[】\]]?\s*[:：]")


def label_field(label: str) -> Field:
    """The field a label such as 牵头单位 fills."""
    return LABELS[label]
