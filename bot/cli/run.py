"""`annexbot run`: start the bot (long polling, or a webhook with --webhook)."""

from __future__ import annotations

import errno
from typing import Annotated

import typer
from telegram.error import InvalidToken, NetworkError, TelegramError

from bot.chat.proxy import proxy_failure
from bot.cli.common import CommandError, execute, load_settings
from bot.logs import configure_logging
from bot.settings import Settings

API_URL = "ANNEXBOT_TELEGRAM_API_URL"
NO_TOKEN = "set ANNEXBOT_TELEGRAM_TOKEN to the bot's token from @BotFather"


def register(app: typer.Typer) -> None:
    """Add the `run` command to the annexbot CLI."""

    @app.command("run")
    def run_command(
        webhook: Annotated[
            str | None,
            typer.Option(
                "--webhook",
                metavar="URL",
                help="Public https URL Telegram should POST updates to (default: long polling).",
            ),
        ] = None,
        host: Annotated[
            str | None,
            typer.Option(
                metavar="HOST",
                help="Address of the HTTP app (default: ANNEXBOT_HTTP_HOST, 127.0.0.1).",
            ),
        ] = None,
        port: Annotated[
            int | None,
            typer.Option(
                metavar="PORT", help="Port of the HTTP app (default: ANNEXBOT_HTTP_PORT, 8080)."
            ),
        ] = None,
    ) -> None:
        """Run the bot until Ctrl-C or SIGTERM; upgrades the database first."""
        from bot.run import run_bot

        async def work() -> None:
            settings = load_settings()
            if settings.telegram_token is None:
                raise CommandError(NO_TOKEN)
            configure_logging(settings.log_format)
            try:
                await run_bot(
                    settings,
                    webhook_url=webhook,
                    host=host or settings.http_host,
                    port=settings.http_port if port is None else port,
                )
            except InvalidToken as error:  # its message repeats the token
                raise CommandError("Telegram rejected ANNEXBOT_TELEGRAM_TOKEN") from error
            except NetworkError as error:
                failure = proxy_failure(error, settings) or unreachable(error, settings)
                raise CommandError(failure) from error
            except OSError as error:
                raise CommandError(
                    port_failure(error, host or settings.http_host, settings.http_port, port)
                ) from error
            except TelegramError as error:
                raise CommandError(f"Telegram: {error}") from error

        execute(work)


def unreachable(error: NetworkError, settings: Settings) -> str:
    """One line naming the Bot API server that could not be reached."""
    detail = error.message.removeprefix("httpx.")
    return f"cannot reach the Bot API at {settings.telegram_api_url} ({API_URL}): {detail}"


def port_failure(error: OSError, host: str, configured: int, given: int | None) -> str:
    """One line naming the port that is taken, or the error as it is."""
    port = configured if given is None else given
    if error.errno == errno.EADDRINUSE:
        return (
            f"port {port} on {host} is in use (another annexbot?); choose another with --port "
            "or ANNEXBOT_HTTP_PORT"
        )
    return str(error)
