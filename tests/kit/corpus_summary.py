"""Prints the annex corpus figure (tasks read exactly / tasks) at the end of a run, with xdist too.

Each worker hands its tally to the controller when it finishes; the controller prints the sum.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.workflows.importing.corpus import TALLY, Tally

OUTPUT_KEY = "annex_corpus"


def pytest_configure(config: pytest.Config) -> None:
    config.stash[TALLY] = Tally()


def pytest_sessionfinish(session: pytest.Session) -> None:
    output = getattr(session.config, "workeroutput", None)
    if output is not None:  # an xdist worker: send the tally to the controller
        output[OUTPUT_KEY] = session.config.stash[TALLY].exact


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: object) -> None:
    tally = node.config.stash[TALLY]
    for name, (exact, total, layout) in node.workeroutput.get(OUTPUT_KEY, {}).items():
        tally.exact[name] = (exact, total, layout)


def pytest_terminal_summary(
    terminalreporter: pytest.TerminalReporter, config: pytest.Config
) -> None:
    if hasattr(config, "workeroutput"):
        return
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
