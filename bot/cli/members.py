"""`annexbot coordinator add`, `invite` (list, revoke) and `member remove`: people in and out."""

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
from workflows.offboarding import Departure, removable_member, remove_member
from workflows.open_invites import OpenInvite, list_open_invites, revoke_invite
from workflows.plan_grants import PlanLimit, limit_coordinator, unlimit_coordinator


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

    invite_app = typer.Typer(
        help="Invites: make one (--coordinator or --agency NAME), list or revoke them."
    )
    app.add_typer(invite_app, name="invite")
    member_app = typer.Typer(
        help="Members: remove one, or limit a coordinator to some plans.", no_args_is_help=True
    )
    app.add_typer(member_app, name="member")
    _register_revocation(invite_app, member_app)
    _register_limits(member_app)

    @invite_app.callback(invoke_without_command=True)
    def invite_command(
        context: typer.Context,
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
        if context.invoked_subcommand is not None:
            return

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


def _register_revocation(invite_app: typer.Typer, member_app: typer.Typer) -> None:
    """Add `annexbot invite list`, `annexbot invite revoke ID` and `annexbot member remove`."""

    @invite_app.command("list")
    def invite_list() -> None:
        """List the invites that can still be redeemed."""

        async def work() -> list[OpenInvite]:
            async with open_database(load_settings()) as sessions, sessions() as session:
                return await list_open_invites(session=session, by_telegram_id=None, now=utc_now())

        out = stdout()
        found = execute(work)
        if not found:
            out.print("No open invites.", markup=False, highlight=False)
        for invite in found:
            whom = (
                invite.role
                if invite.agency_name is None
                else f"{invite.role} of {invite.agency_name}"
            )
            by = f", made by {invite.created_by}" if invite.created_by else ""
            until = f"{invite.expires_at:%Y-%m-%d %H:%M} UTC"
            out.print(
                f"{invite.invite_id}  {whom}{by}, valid until {until}",
                markup=False,
                highlight=False,
            )

    @invite_app.command("revoke")
    def invite_revoke(
        invite_id: Annotated[int, typer.Argument(help="The invite's number (`invite list`).")],
    ) -> None:
        """Revoke an invite so that its code no longer works."""

        async def work() -> OpenInvite:
            async with open_database(load_settings()) as sessions, sessions() as session:
                return await revoke_invite(
                    session=session, by_telegram_id=None, invite_id=invite_id, now=utc_now()
                )

        revoked = execute(work)
        stdout().print(f"Invite {revoked.invite_id} revoked.", markup=False, highlight=False)

    @member_app.command("remove")
    def member_remove(
        member: Annotated[str, typer.Argument(help="A name, @username or Telegram id.")],
    ) -> None:
        """End a member's access: messages, commands, buttons and their calendar links."""

        async def work() -> Departure:
            async with open_database(load_settings()) as sessions, sessions() as session:
                found = await removable_member(session=session, by_telegram_id=None, who=member)
                return await remove_member(
                    session=session, by_telegram_id=None, member_id=found.member_id, now=utc_now()
                )

        departure = execute(work)
        gone = departure.member
        agency = f" ({gone.agency_name})" if gone.agency_name else ""
        out = stdout()
        out.print(
            f"Removed {gone.display_name}{agency}, Telegram {gone.telegram_id}.",
            markup=False,
            highlight=False,
        )
        links = "、".join(departure.revoked_links) or "none"
        out.print(f"Calendar links revoked: {links}.", markup=False, highlight=False)
        if departure.revoked_invites:
            numbers = ", ".join(str(number) for number in departure.revoked_invites)
            out.print(f"Open invites they made, revoked: {numbers}.", markup=False, highlight=False)
        out.print(
            "Their command menu in Telegram is cleared when the bot next starts.",
            markup=False,
            highlight=False,
        )


def _register_limits(member_app: typer.Typer) -> None:
    """Add `annexbot member limit NAME PLAN…` and `annexbot member unlimit NAME`."""

    @member_app.command("limit")
    def member_limit(
        member: Annotated[str, typer.Argument(help="A coordinator: name, @username or id.")],
        plans: Annotated[
            list[str], typer.Argument(help="The plans they supervise: code, number or title word.")
        ],
    ) -> None:
        """Limit a coordinator to some plans: they see and change no other."""

        async def work() -> PlanLimit:
            async with open_database(load_settings()) as sessions, sessions() as session:
                return await limit_coordinator(
                    session=session, by_telegram_id=None, who=member, plans=plans, now=utc_now()
                )

        _print_limit(execute(work))

    @member_app.command("unlimit")
    def member_unlimit(
        member: Annotated[str, typer.Argument(help="A coordinator: name, @username or id.")],
    ) -> None:
        """Let a limited coordinator supervise every plan again."""

        async def work() -> PlanLimit:
            async with open_database(load_settings()) as sessions, sessions() as session:
                return await unlimit_coordinator(
                    session=session, by_telegram_id=None, who=member, now=utc_now()
                )

        _print_limit(execute(work))


def _print_limit(done: PlanLimit) -> None:
    """Which plans the coordinator supervises now, and whether that changed."""
    scope = "only " + ", ".join(done.plans) if done.plans else "every plan"
    unchanged = "" if done.changed else " (unchanged)"
    out = stdout()
    out.print(f"{done.member} supervises {scope}{unchanged}.", markup=False, highlight=False)
    if done.revoked_links:
        links = "、".join(done.revoked_links)
        out.print(f"Calendar links revoked: {links}.", markup=False, highlight=False)
