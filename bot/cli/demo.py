"""`annexbot demo`: the bundled plan played for a few weeks against the sandbox, offline."""

from __future__ import annotations

import datetime as dt
import shlex
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from bot.cli.common import execute, fail


def register(app: typer.Typer) -> None:
    """Add the `demo` command to the annexbot CLI."""

    @app.command("demo")
    def demo_command(
        lang: Annotated[
            str,
            typer.Option(
                "--lang",
                "--language",
                metavar="zh|en",
                help="zh (default) or en: the people's and the bot's.",
            ),
        ] = "zh",
        directory: Annotated[
            Path | None,
            typer.Option(
                "--dir",
                metavar="DIR",
                help="Where to keep the demo's database, chart and feed (default: temp).",
            ),
        ] = None,
    ) -> None:
        """Play a few weeks of the bundled plan with a scripted cast; no token, no network."""
        from bot.demo.story import play, summary

        if lang not in ("zh", "en"):
            fail("--lang: zh or en")
        target = directory or Path(tempfile.mkdtemp(prefix="annexbot-demo-"))
        target.mkdir(parents=True, exist_ok=True)
        if any(target.iterdir()):
            fail(f"--dir: {target} is not empty")
        # As wide as the terminal (or COLUMNS); the transcript wraps its lines to it.
        console = Console(soft_wrap=True, width=shutil.get_terminal_size().columns)
        now = dt.datetime.now(dt.UTC)
        result = execute(lambda: play(target, language=lang, console=console, now=now))
        summary(console, result, lang, command=_this_command())


def _this_command() -> str:
    """How the closing hint runs annexbot: as this run was started (.venv/bin/annexbot)."""
    started = Path(sys.argv[0])
    return shlex.quote(str(started)) if started.name == "annexbot" else "annexbot"
