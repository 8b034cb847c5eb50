"""The `annexbot coordinator add` and `annexbot invite` commands: bootstrapping people."""

from __future__ import annotations

import zoneinfo
from typing import Annotated, Any

import typer
from telegram import Bot
from telegram.error import InvalidToken, TelegramError

from bot.chat.proxy import proxied_requests
from bot.cli.common import CommandError, execute, load_settings, said, stdout, utc_now
from bot.database import open_database
from bot.settings import Settings
from workflows.errors import ConflictError
from workflows.invites import InviteView, create_invite
from workflows.members import add_coordinator


def register(app: typer.Typer) -> None:
    """Add the member commands to the annexbot command line."""
    coordinator_app = typer.Typer(
        help="Coordinators: the supervising office.", no_args_is_help=True, rich_markup_mode=None
    )
    app.add_typer(coordinator_app, name="coordinator")

    @coordinator_app.command("add")
    def coordinator_add(
        telegram_id: Annotated[
            int,
            typer.Argument(metavar="TELEGRAM_ID", help="The person's numeric Telegram user id."),
        ],
        name: Annotated[
            str, typer.Option(metavar="NAME", help="How the person is shown to others.")
        ] = "",
    ) -> None:
        """Make a Telegram user a coordinator."""

        async def work() -> Any:
            async with open_database(load_settings()) as sessions, sessions() as session:
                try:
                    return await add_coordinator(
                        session=session, telegram_id=telegram_id, name=name, now=utc_now()
                    )
                except ConflictError as error:
                    raise CommandError(f"Telegram user {telegram_id} is {said(error)}") from error

        added = execute(work)
        stdout().print(
            f"Coordinator {added.display_name} (Telegram {added.telegram_id}) added.",
            markup=False,
            highlight=False,
        )

    @app.command("invite")
    def invite_command(
        coordinator: Annotated[
            bool, typer.Option("--coordinator", help="Invite a coordinator.")
        ] = False,
        agency: Annotated[
            str | None,
            typer.Option(
                metavar="NAME", help="Invite a liaison of this agency (any of its names)."
            ),
        ] = None,
        deputy: Annotated[
            bool, typer.Option("--deputy", help="With --agency: invite the agency's deputy.")
        ] = False,
    ) -> None:
        """Make a single-use invite code (valid 7 days) for a coordinator or an agency's liaison."""

        async def work() -> tuple[InviteView, str, str]:
            if coordinator == (agency is not None):
                raise CommandError("give --coordinator or --agency NAME")
            if deputy and agency is None:
                raise CommandError("--deputy needs --agency NAME")
            settings = load_settings()
            link = await _link_start(settings)
            async with open_database(settings) as sessions, sessions() as session:
                made = await create_invite(
                    session=session,
                    by_telegram_id=None,
                    now=utc_now(),
                    agency=agency,
                    coordinator=coordinator,
                    deputy=deputy,
                )
            return made, link, settings.timezone

        made, link, timezone = execute(work)
        who = (
            "a coordinator"
            if made.role == "coordinator"
            else f"a {made.role} of {made.agency_name}"
        )
        until = made.expires_at.astimezone(zoneinfo.ZoneInfo(timezone))
        out = stdout()
        for line in (
            f"Invite for {who}, single use, valid until {until:%Y-%m-%d %H:%M} ({timezone}).",
            f"Code: {made.code}",
            f"Link: {link}{made.code}" if link.startswith("https://") else f"Link: {link}",
            f"Or send the bot: /start {made.code}",
        ):
            out.print(line, markup=False, highlight=False)


async def _link_start(settings: Settings) -> str:
    """`https://t.me/BOT?start=` from the bot's username (getMe), or a sentence saying why not."""
    if settings.telegram_token is None:
        return "none yet: set ANNEXBOT_TELEGRAM_TOKEN to print the t.me link"
    api = settings.telegram_api_url
    proxy = settings.telegram_proxy
    request, _ = proxied_requests(None if proxy is None else proxy.get_secret_value())
    bot = Bot(
        settings.telegram_token.get_secret_value(),
        base_url=f"{api}/bot",
        base_file_url=f"{api}/file/bot",
        request=request,
    )
    try:
        async with bot:
            return f"https://t.me/{bot.username}?start="
    except InvalidToken:
        return "unknown: Telegram rejected ANNEXBOT_TELEGRAM_TOKEN"
    except TelegramError as error:
        return f"unknown: the Bot API at {api} did not answer getMe ({error.message})"
