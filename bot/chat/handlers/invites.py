"""/invites: the invites not yet used, each with a button that revokes it."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, ContextTypes

from bot.chat.callbacks import int_arg, pack, pattern, unpack
from bot.chat.errors import language_of
from bot.chat.paging import keyboard, page_buttons, page_label, page_of
from bot.i18n import tr
from bot.render import esc, fmt_datetime
from bot.runtime import runtime_of
from workflows.errors import ConflictError
from workflows.open_invites import OpenInvite, list_open_invites, revoke_invite

INVITES_PAGE, REVOKE = "ivp", "ivr"
INVITES_PER_PAGE = 20


def _invite_line(invite: OpenInvite, language: str, zone: dt.tzinfo) -> str:
    """One open invite: number, for whom, by whom, until when (HTML)."""
    if invite.role == "coordinator":
        whom = tr(language, "a coordinator")
    elif invite.role == "deputy":
        whom = tr(language, "the deputy liaison of {agency}", agency=esc(invite.agency_name))
    else:
        whom = tr(language, "a liaison of {agency}", agency=esc(invite.agency_name))
    until = tr(
        language, "valid until {until}", until=fmt_datetime(invite.expires_at, zone, language)
    )
    by = f" · {esc(invite.created_by)}" if invite.created_by else ""
    return f"<b>{invite.invite_id}</b> · {whom}{by} · {until}"


def render_invites(
    invites: list[OpenInvite], language: str, zone: dt.tzinfo, number: int = 0
) -> tuple[str, InlineKeyboardMarkup | None]:
    """A page of the open invites with a revoke button each, and ◀ ▶."""
    if not invites:
        return tr(language, "There are no open invites. /invite makes one."), None
    lines = [_invite_line(invite, language, zone) for invite in invites]

    def heading(page: int, pages: int) -> str:
        title = tr(language, "<b>Open invites ({count})</b>", count=len(invites))
        return title + esc(page_label(page, pages, language))

    page = page_of(heading, lines, number, lines_per_page=INVITES_PER_PAGE)
    buttons = [
        InlineKeyboardButton(
            tr(language, "🗑 Revoke {id}", id=invite.invite_id),
            callback_data=pack(REVOKE, invite.invite_id, page.number),
        )
        for invite in invites[page.first : page.last + 1]
    ]
    return page.text, keyboard(buttons, 2, page_buttons(INVITES_PAGE, page))


async def _show(
    update: Update, context: ContextTypes.DEFAULT_TYPE, number: int, head: str = ""
) -> None:
    """Send (a command) or edit into (a button) a page of the open invites."""
    assert update.effective_user is not None
    runtime = runtime_of(context)
    async with runtime.session() as session:
        invites = await list_open_invites(
            session=session, by_telegram_id=update.effective_user.id, now=runtime.now()
        )
    language = await language_of(update, context)
    zone = zoneinfo.ZoneInfo(runtime.settings.timezone)
    text, buttons = render_invites(invites, language, zone, number)
    text = f"{head}\n\n{text}" if head else text
    query = update.callback_query
    if query is None:
        assert update.effective_message is not None
        await update.effective_message.reply_text(
            text, parse_mode=ParseMode.HTML, reply_markup=buttons
        )
        return
    await query.answer()
    await query.edit_message_text(text, parse_mode=ParseMode.HTML, reply_markup=buttons)


async def invites(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/invites: the open invites, a page at a time."""
    await _show(update, context, 0)


async def on_page(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """◀ ▶ under /invites: another page, read again."""
    query = update.callback_query
    assert query is not None
    number = int_arg(unpack(query.data)[1], 0)
    if number is None:
        raise ConflictError("This button is out of date.")
    await _show(update, context, number)


async def on_revoke(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """🗑 under /invites: revoke that invite, then show the list as it is now."""
    query = update.callback_query
    assert query is not None
    args = unpack(query.data)[1]
    invite_id, number = int_arg(args, 0), int_arg(args, 1)
    if invite_id is None or number is None:
        raise ConflictError("This button is out of date.")
    runtime = runtime_of(context)
    async with runtime.session() as session:
        await revoke_invite(
            session=session,
            by_telegram_id=query.from_user.id,
            invite_id=invite_id,
            now=runtime.now(),
        )
    language = await language_of(update, context)
    head = tr(language, "Invite {id} is revoked: its link no longer works.", id=invite_id)
    await _show(update, context, number, head)


def register(application: Application) -> None:  # type: ignore[type-arg]
    """Add /invites with its page and revoke buttons."""
    application.add_handler(CommandHandler("invites", invites))
    application.add_handler(CallbackQueryHandler(on_page, pattern=pattern(INVITES_PAGE)))
    application.add_handler(CallbackQueryHandler(on_revoke, pattern=pattern(REVOKE)))
