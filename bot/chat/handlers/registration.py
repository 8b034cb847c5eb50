"""Joining and leaving: /start with an invite code, /leave and /language."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
)

from bot.chat.callbacks import pack, pattern, unpack
from bot.chat.errors import language_of
from bot.chat.menus import set_member_menu
from bot.i18n import normalise_language, tr
from bot.render import esc
from bot.runtime import runtime_of
from db.enums import MemberRole
from workflows.invites import redeem_invite
from workflows.members import MemberView, my_membership, set_language
from workflows.offboarding import leave

NOT_REGISTERED = "You are not registered yet. Ask your coordinator for an invite link."
LEAVE = "leave"
LANGUAGE = "lang"


def _who(member: MemberView, language: str) -> str:
    """What a member is registered as, in a sentence."""
    agency = esc(member.agency_name or "")
    if member.role == "coordinator":
        return tr(language, "You are registered as a coordinator.")
    if member.role == "deputy":
        return tr(language, "You are registered as the deputy liaison of {agency}.", agency=agency)
    return tr(language, "You are registered as a liaison of {agency}.", agency=agency)


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/start CODE registers with an invite; bare /start says who you are."""
    message, user = update.effective_message, update.effective_user
    assert message is not None
    assert user is not None
    if not context.args:
        me = await _member_or_hint(update, context)
        if me is not None:
            await message.reply_text(_who(me, me.language), parse_mode=ParseMode.HTML)
            # A member added from the shell has no menu until their first contact.
            await set_member_menu(context.bot, user.id, MemberRole(me.role), me.language)
        return
    runtime = runtime_of(context)
    async with runtime.session() as session:
        registration = await redeem_invite(
            session=session,
            code=context.args[0],
            telegram_id=user.id,
            name=user.full_name,
            username=user.username,
            language=normalise_language(user.language_code),
            now=runtime.now(),
        )
    me = registration.member
    lines = [tr(me.language, "Welcome, {name}!", name=esc(me.display_name)), _who(me, me.language)]
    if me.agency_name:
        lines.append(tr(me.language, "New tasks of your agency will come here."))
    await message.reply_text("\n".join(lines), parse_mode=ParseMode.HTML)
    runtime.wake_sender()
    await set_member_menu(context.bot, user.id, MemberRole(me.role), me.language)


async def _member_or_hint(update: Update, context: ContextTypes.DEFAULT_TYPE) -> MemberView | None:
    """The sender's membership; a stranger is told how to register instead."""
    user, message = update.effective_user, update.effective_message
    assert user is not None
    assert message is not None
    async with runtime_of(context).session() as session:
        me = await my_membership(session=session, telegram_id=user.id)
    if me is None:
        await message.reply_text(tr(normalise_language(user.language_code), NOT_REGISTERED))
    return me


async def ask_leave(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/leave asks for confirmation with buttons."""
    me = await _member_or_hint(update, context)
    if me is None:
        return
    language = me.language
    buttons = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(tr(language, "Yes, leave"), callback_data=pack(LEAVE, "yes")),
                InlineKeyboardButton(tr(language, "Stay"), callback_data=pack(LEAVE, "no")),
            ]
        ]
    )
    text = tr(language, "Leave? You will get no more messages until you register again.")
    assert update.effective_message is not None
    await update.effective_message.reply_text(text, reply_markup=buttons)


async def on_leave(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The answer to /leave's question."""
    query = update.callback_query
    assert query is not None
    language = await language_of(update, context)
    if unpack(query.data)[1] != ["yes"]:
        await query.answer()
        await query.edit_message_text(tr(language, "You are still registered."))
        return
    runtime = runtime_of(context)
    async with runtime.session() as session:
        await leave(session=session, telegram_id=query.from_user.id, now=runtime.now())
    runtime.wake_sender()
    await query.answer()
    await set_member_menu(context.bot, query.from_user.id, None, language)
    await query.edit_message_text(
        tr(language, "You have left. To come back, ask your coordinator for a new invite.")
    )


async def ask_language(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/language offers 中文 / English."""
    me = await _member_or_hint(update, context)
    if me is None:
        return
    language = me.language
    buttons = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton("中文", callback_data=pack(LANGUAGE, "zh")),
                InlineKeyboardButton("English", callback_data=pack(LANGUAGE, "en")),
            ]
        ]
    )
    assert update.effective_message is not None
    await update.effective_message.reply_text(
        tr(language, "Choose your language:"), reply_markup=buttons
    )


async def on_language(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Switch the member's language and confirm in it."""
    query = update.callback_query
    assert query is not None
    args = unpack(query.data)[1]
    runtime = runtime_of(context)
    async with runtime.session() as session:
        me = await set_language(
            session=session,
            telegram_id=query.from_user.id,
            language=args[0] if args else "",
            now=runtime.now(),
        )
    await query.answer()
    await query.edit_message_text(
        tr(me.language, "From now on I will write to you in this language.")
    )
    await set_member_menu(context.bot, query.from_user.id, MemberRole(me.role), me.language)


def register(application: Application) -> None:  # type: ignore[type-arg]
    """Add /start, /leave, /language and their buttons."""
    application.add_handler(CommandHandler("start", start))
    application.add_handler(CommandHandler("leave", ask_leave))
    application.add_handler(CommandHandler("language", ask_language))
    application.add_handler(CallbackQueryHandler(on_leave, pattern=pattern(LEAVE)))
    application.add_handler(CallbackQueryHandler(on_language, pattern=pattern(LANGUAGE)))
