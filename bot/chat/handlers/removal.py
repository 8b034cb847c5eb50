"""Removing a member: /members remove MEMBER with a confirm button, and the note to coordinators."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.ext import Application, CallbackQueryHandler, ContextTypes

from bot.chat.callbacks import int_arg, pack, pattern, unpack
from bot.chat.errors import language_of
from bot.chat.menus import set_member_menu
from bot.delivery.sender import Rendered, renderer
from bot.i18n import tr
from bot.render import esc
from bot.runtime import runtime_of
from workflows.errors import ConflictError
from workflows.members import MemberView
from workflows.offboarding import (
    MEMBER_DEPARTED,
    MEMBER_REMOVED,
    REMOVED,
    Departure,
    removable_member,
    remove_member,
)
from workflows.outbox.sending import OutgoingMessage

REMOVE = "mrm"


def _who(name: str, agency: str | None, language: str) -> str:
    """A member's name, with their agency when they have one (HTML)."""
    if not agency:
        return esc(name)
    return f"{esc(name)}（{esc(agency)}）" if language == "zh" else f"{esc(name)} ({esc(agency)})"


def revoked_line(labels: Sequence[str], language: str) -> str:
    """Which feed links were revoked with a change, or that none were."""
    if not labels:
        return tr(language, "No calendar links depended on this.")
    return tr(language, "Calendar links revoked: {links}.", links=esc("、".join(labels)))


def invites_line(numbers: Sequence[int], language: str) -> str:
    """Which open invites a departed member had made were revoked ('' for none)."""
    if not numbers:
        return ""
    listed = "、".join(str(number) for number in numbers)
    return "\n" + tr(
        language, "Invites they made and nobody used, revoked: {numbers}.", numbers=listed
    )


async def ask_remove(update: Update, context: ContextTypes.DEFAULT_TYPE, who: str) -> None:
    """/members remove MEMBER: who that is, and a button to confirm."""
    assert update.effective_message is not None
    assert update.effective_user is not None
    async with runtime_of(context).session() as session:
        member = await removable_member(
            session=session, by_telegram_id=update.effective_user.id, who=who
        )
    language = await language_of(update, context)
    buttons = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    tr(language, "Yes, remove"), callback_data=pack(REMOVE, member.member_id)
                ),
                InlineKeyboardButton(tr(language, "Cancel"), callback_data=pack(REMOVE, 0)),
            ]
        ]
    )
    text = tr(
        language,
        "Remove {member}? They will get no more messages, their buttons and commands will be "
        "refused, and calendar links that depend on them stop working.",
        member=_describe(member, language),
    )
    await update.effective_message.reply_text(text, parse_mode=ParseMode.HTML, reply_markup=buttons)


def _describe(member: MemberView, language: str) -> str:
    """Name, @username and agency of a member (HTML)."""
    text = _who(member.display_name, member.agency_name, language)
    return f"{text} @{esc(member.username)}" if member.username else text


async def on_remove(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The answer to /members remove's question."""
    query = update.callback_query
    assert query is not None
    member_id = int_arg(unpack(query.data)[1], 0)
    if member_id is None:
        raise ConflictError("This button is out of date.")
    language = await language_of(update, context)
    if member_id == 0:
        await query.answer()
        await query.edit_message_text(tr(language, "Nobody was removed."))
        return
    runtime = runtime_of(context)
    async with runtime.session() as session:
        departure = await remove_member(
            session=session,
            by_telegram_id=query.from_user.id,
            member_id=member_id,
            now=runtime.now(),
        )
    await query.answer()
    gone = departure.member
    await set_member_menu(context.bot, gone.telegram_id, None, gone.language)
    runtime.wake_sender()
    await query.edit_message_text(_removed_text(departure, language), parse_mode=ParseMode.HTML)


def _removed_text(departure: Departure, language: str) -> str:
    """What a removal did, for the coordinator who made it."""
    gone = departure.member
    head = tr(
        language,
        "{member} was removed.",
        member=_who(gone.display_name, gone.agency_name, language),
    )
    links = revoked_line(departure.revoked_links, language)
    return f"{head}\n{links}{invites_line(departure.revoked_invites, language)}"


@renderer(MEMBER_DEPARTED)
async def render_departed(message: OutgoingMessage, _session: AsyncSession) -> Rendered:
    """To the other coordinators: who left or was removed (by whom), and which links died."""
    payload, language = message.payload, message.language
    who = _who(str(payload.get("member", "?")), payload.get("agency"), language)
    if payload.get("how") != REMOVED:
        head = tr(language, "👋 {member} has left with /leave.", member=who)
    elif payload.get("by"):
        head = tr(language, "👋 {member} was removed by {by}.", member=who, by=esc(payload["by"]))
    else:
        head = tr(language, "👋 {member} was removed on the command line.", member=who)
    links = revoked_line(payload.get("links") or [], language)
    return Rendered(f"{head}\n{links}{invites_line(payload.get('invites') or [], language)}")


@renderer(MEMBER_REMOVED)
async def render_removed(message: OutgoingMessage, _session: AsyncSession) -> Rendered:
    """To the removed member: that they were removed, what stops, whom to ask."""
    language, by = message.language, message.payload.get("by")
    if by:
        head = tr(language, "You were removed from the task supervision by {by}.", by=esc(by))
    else:
        head = tr(language, "You were removed from the task supervision.")
    rest = tr(
        language,
        "You will get no more reminders, and your buttons and commands no longer work. "
        "If this is a mistake, ask a coordinator for a new invite.",
    )
    return Rendered(f"{head}\n{rest}")


def register(application: Application) -> None:  # type: ignore[type-arg]
    """Add the confirm button of /members remove (the command is /members')."""
    application.add_handler(CallbackQueryHandler(on_remove, pattern=pattern(REMOVE)))
