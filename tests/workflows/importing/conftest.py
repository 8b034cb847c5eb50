"""Prints the annex corpus figure (tasks read exactly / tasks) at the end of a run."""

from __future__ import annotations

import pytest

from tests.workflows.importing.corpus import TALLY, Tally


def pytest_configure(config: pytest.Config) -> None:
    config.stash[TALLY] = Tally()


def pytest_terminal_summary(
    terminalreporter: pytest.TerminalReporter, config: pytest.Config
) -> None:
    tally = config.stash.get(TALLY, None)
    if not tally or not tally.exact:
        return
    terminalreporter.section("annex corpus")
    for name, (exact, total, layout) in sorted(tally.exact.items()):
        terminalreporter.write_line(f"{name:24} {exact:>3}/{total:<3} {layout}")
    exact = sum(e for e, _, _ in tally.exact.values())
    total = sum(t for _, t, _ in tally.exact.values())
    terminalreporter.write_line(
        f"corpus: {exact}/{total} tasks exact in {len(tally.exact)} documents"
    )
