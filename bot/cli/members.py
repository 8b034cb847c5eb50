"""The `annexbot coordinator add` and `annexbot invite` commands: bootstrapping people."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from bot.cli.common import CommandError, execute, load_settings, said, stdout, utc_now
from bot.database import open_database
from workflows.errors import ConflictError
from workflows.invites import create_invite
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

        async def work() -> Any:
            if coordinator == (agency is not None):
                raise CommandError("give --coordinator or --agency NAME")
            if deputy and agency is None:
                raise CommandError("--deputy needs --agency NAME")
            async with open_database(load_settings()) as sessions, sessions() as session:
                return await create_invite(
                    session=session,
                    by_telegram_id=None,
                    now=utc_now(),
                    agency=agency,
                    coordinator=coordinator,
                    deputy=deputy,
                )

        made = execute(work)
        who = (
            "a coordinator"
            if made.role == "coordinator"
            else f"a {made.role} of {made.agency_name}"
        )
        out = stdout()
        out.print(
            f"Invite for {who}, single use, valid until {made.expires_at:%Y-%m-%d %H:%M} UTC.",
            markup=False,
            highlight=False,
        )
        out.print(f"Code: {made.code}", markup=False, highlight=False)
        out.print(f"Link: https://t.me/<bot>?start={made.code}", markup=False, highlight=False)
        out.print(f"Or send the bot: /start {made.code}", markup=False, highlight=False)
