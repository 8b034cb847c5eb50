"""The report, extension and review workflow tests' cast: three agencies, two coordinators."""

from __future__ import annotations

import datetime as dt

from tests.kit.cast import Sessions, cast, coordinator, deputy, liaison
from tests.kit.cast import task_id as task_id

NOW = dt.datetime(2016, 3, 1, 2, 0, tzinfo=dt.UTC)
LEAD, LEAD2, CO, OTHER, BOSS, BOSS2 = 1, 2, 3, 4, 9, 10


async def setup(sessions: Sessions) -> None:
    """The bundled plan; people of 科技部 (one a deputy), 发展改革委, 公安部; two coordinators."""
    await cast(
        sessions,
        liaison(LEAD, "科技部"),
        deputy(LEAD2, "科技部"),
        liaison(CO, "发展改革委"),
        liaison(OTHER, "公安部"),
        coordinator(BOSS),
        coordinator(BOSS2),
        now=NOW,
    )
