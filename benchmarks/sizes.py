"""The named sizes of a benchmark run: tiny (the smoke test), default, large."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Sizes:
    """How big each benchmark is, and how many runs each figure is the median of."""

    runs: int
    update_runs: int
    liaisons: int
    concurrency: int
    broadcast_members: int
    broadcast_runs: int
    milestones: tuple[int, ...]
    members: int
    feed_events: int
    csv_rows: int
    import_runs: int
    memory_tasks: int
    memory_members: int
    memory_timeout: float
    memory_wait_for_digest: bool = True
    request_seconds: float = 2.0  # how long each feed request rate is measured
    budget_deliveries: int = 1000  # 7: deliveries drained by one, two and three processes
    budget_processes: tuple[int, ...] = (1, 2, 3)
    budget_runs: int = 3

    def replace(self, **changes: Any) -> Sizes:
        """A copy with some sizes changed."""
        return dataclasses.replace(self, **changes)


SIZES = {
    "tiny": Sizes(
        runs=1,
        update_runs=1,
        liaisons=4,
        concurrency=3,
        broadcast_members=12,
        broadcast_runs=1,
        milestones=(2000,),
        members=300,
        feed_events=200,
        csv_rows=100,
        import_runs=1,
        memory_tasks=200,
        memory_members=30,
        memory_timeout=6.0,
        memory_wait_for_digest=False,
        request_seconds=0.2,
        budget_deliveries=30,
        budget_processes=(1,),  # one start: the smoke test has 90 s for everything
        budget_runs=1,
    ),
    "default": Sizes(
        runs=5,
        update_runs=3,
        liaisons=60,
        concurrency=10,
        broadcast_members=1000,
        broadcast_runs=3,
        milestones=(10_000, 100_000, 1_000_000),
        members=10_000,
        feed_events=10_000,
        csv_rows=10_000,
        import_runs=3,
        memory_tasks=10_000,
        memory_members=1000,
        memory_timeout=240.0,
    ),
    "large": Sizes(
        runs=7,
        update_runs=5,
        liaisons=200,
        concurrency=20,
        broadcast_members=3000,
        broadcast_runs=3,
        milestones=(10_000, 100_000, 1_000_000, 3_000_000),
        members=30_000,
        feed_events=30_000,
        csv_rows=10_000,
        import_runs=3,
        memory_tasks=30_000,
        memory_members=3000,
        memory_timeout=600.0,
    ),
}
