"""`annexbot demo`: the bundled plan played for a few weeks against the sandbox, offline."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path
from typing import Annotated

import typer

from bot.cli.common import execute, fail, stdout


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
        console = stdout()
        now = dt.datetime.now(dt.UTC)
        result = execute(lambda: play(target, language=lang, console=console, now=now))
        summary(console, result, lang)
