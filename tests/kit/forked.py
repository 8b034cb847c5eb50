"""Real processes that start without paying for Python's start-up and imports each time.

A multiprocessing fork server imports the application once; each process is forked from it and
then runs a command's `main(argv)` with its own environment, working directory and log, as
`python -m <module>` would. It is a separate process (own connections, own sockets) that a
SIGKILL ends at any instruction; only the interpreter's start and the imports are shared.
"""

from __future__ import annotations

import asyncio
import importlib
import multiprocessing
import os
from collections.abc import Mapping, Sequence
from multiprocessing.context import ForkServerProcess
from pathlib import Path

_CONTEXT = multiprocessing.get_context("forkserver")


def _nothing() -> None:
    """A process that only shows the fork server is up."""


async def ready(*modules: str) -> None:
    """Start the fork server with these modules imported (unless it already runs), off the loop."""
    _CONTEXT.set_forkserver_preload([__name__, *modules])

    def first() -> None:
        process = _CONTEXT.Process(target=_nothing)
        process.start()
        process.join()
        assert process.exitcode == 0

    await asyncio.to_thread(first)


def _run(module: str, argv: list[str], env: dict[str, str], cwd: str, log: str) -> None:
    """In the forked process: the environment, directory and output of `python -m module`."""
    output = os.open(log, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    os.dup2(output, 1)
    os.dup2(output, 2)
    os.close(output)
    os.environ.clear()
    os.environ.update(env)
    os.chdir(cwd)
    importlib.import_module(module).main(argv)


class Forked:
    """A forked process, with the part of asyncio.subprocess.Process's interface the tests use."""

    def __init__(self, process: ForkServerProcess) -> None:
        assert process.pid is not None  # started
        self._process = process
        self.pid: int = process.pid

    @property
    def returncode(self) -> int | None:
        """The exit code (minus the signal's number when killed), None while it runs."""
        return self._process.exitcode

    def send_signal(self, signal: int) -> None:
        """Send a signal to the process."""
        os.kill(self.pid, signal)

    async def wait(self) -> int:
        """Wait until the process ends; its exit code."""
        await asyncio.to_thread(self._process.join)
        code = self._process.exitcode
        assert code is not None
        return code


def start(
    module: str, argv: Sequence[str], *, env: Mapping[str, str], cwd: Path, log: Path
) -> Forked:
    """Fork `module.main(argv)` from the fork server, as `python -m module argv` would run."""
    process = _CONTEXT.Process(
        target=_run, args=(module, list(argv), dict(env), str(cwd), str(log))
    )
    process.start()
    return Forked(process)
