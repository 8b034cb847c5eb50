"""`annexbot serve`: the HTTP app (calendar feeds, health) alone, with no Telegram token.

Also `annexbot feed-link`, which makes a feed link from the shell for a plan or an agency.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Callable
from typing import Annotated

import typer

from bot.cli.common import CommandError, execute, load_settings
from bot.cli.run import port_failure
from bot.database import open_database
from bot.logs import configure_logging
from bot.run import _stop_on_signals
from bot.runtime import Runtime
from bot.settings import Settings
from bot.web.app import build_web_app, module_routes, serve
from bot.web.feeds import feed_urls
from db.enums import FeedScope
from workflows.feeds.tokens import create_link

log = logging.getLogger(__name__)


async def run_server(
    settings: Settings,
    *,
    host: str,
    port: int,
    stop: asyncio.Event | None = None,
    on_ready: Callable[[int], None] = lambda _port: None,
) -> None:
    """Serve feeds and the health check until SIGINT/SIGTERM or `stop`; no bot runs."""
    stop = stop or asyncio.Event()
    async with open_database(settings) as sessions:
        runtime = Runtime(settings=settings, sessions=sessions)
        app = build_web_app(runtime, routes=module_routes(runtime))
        with _stop_on_signals(stop):
            async with serve(app, host=host, port=port) as bound:
                log.info("serving calendar feeds on %s:%s", host, bound)
                on_ready(bound)
                await stop.wait()


def register(app: typer.Typer) -> None:
    """Add `serve` and `feed-link` to the annexbot CLI."""

    @app.command("serve")
    def serve_command(
        host: Annotated[
            str | None,
            typer.Option(
                metavar="HOST",
                help="Address to listen on (default: ANNEXBOT_HTTP_HOST, 127.0.0.1).",
            ),
        ] = None,
        port: Annotated[
            int | None,
            typer.Option(
                metavar="PORT", help="Port to listen on (default: ANNEXBOT_HTTP_PORT, 8080)."
            ),
        ] = None,
    ) -> None:
        """Serve calendar feeds and /healthz without the bot; upgrades the database first."""

        async def work() -> None:
            settings = load_settings()
            configure_logging(settings.log_format)
            where = host or settings.http_host
            try:
                await run_server(
                    settings, host=where, port=settings.http_port if port is None else port
                )
            except OSError as error:
                raise CommandError(port_failure(error, where, settings.http_port, port)) from error

        execute(work)

    @app.command("feed-link")
    def feed_link_command(
        plan: Annotated[
            str | None, typer.Option(metavar="CODE", help="Plan code (default: the only plan).")
        ] = None,
        agency: Annotated[
            str | None,
            typer.Option(metavar="NAME", help="An agency's feed instead of the whole plan's."),
        ] = None,
    ) -> None:
        """Make a calendar feed link for a plan or an agency and print it (shown only once)."""

        async def work() -> None:
            settings = load_settings()
            async with open_database(settings) as sessions, sessions() as session:
                token, view = await create_link(
                    session=session,
                    scope=FeedScope.PLAN if agency is None else FeedScope.AGENCY,
                    now=dt.datetime.now(dt.UTC),
                    plan_code=plan,
                    agency=agency,
                )
            https, webcal = feed_urls(settings.public_base_url, token)
            typer.echo(f"{view.label} (link {view.token_id})")
            typer.echo(https)
            typer.echo(webcal)

        execute(work)
