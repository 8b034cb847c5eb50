"""Odd input: /help, unknown commands, stray text, edits, groups and channels.

A gate in the earliest group drops what the bot never acts on (edits, channel posts, group
chatter); the fallbacks sit in a late group and stay quiet for any message a handler in the
ordinary groups (0 and up) takes.
"""

from __future__ import annotations

import logging
from typing import Any

from telegram import Update
from telegram.constants import ChatMemberStatus, ChatType, ParseMode
from telegram.error import TelegramError
from telegram.ext import (
    Application,
    ApplicationHandlerStop,
    BaseHandler,
    CallbackContext,
    ChatMemberHandler,
    CommandHandler,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot.chat.arguments import (
    USAGE_ASSIGN,
    USAGE_AUDIT,
    USAGE_DUE,
    USAGE_MILESTONE,
    USAGE_NUDGE,
    USAGE_TASK,
    USAGE_TASKS,
    USAGE_UNASSIGN,
)
from bot.chat.errors import language_of
from bot.chat.handlers.calendar import USAGE_FEEDS
from bot.chat.handlers.digest import USAGE_DIGEST
from bot.chat.handlers.export import USAGE_EXPORT
from bot.chat.menus import COORDINATOR_COMMANDS, KNOWN_COMMANDS, LIAISON_COMMANDS, command_name
from bot.i18n import N_, normalise_language, tr
from bot.render import esc
from bot.runtime import runtime_of
from workflows.access import Actor, find_actor

log = logging.getLogger(__name__)

Context = CallbackContext[Any, Any, Any, Any]
AnyApplication = Application[Any, Any, Any, Any, Any, Any]

# How each command that takes arguments is written, with an example (shown by /help).
LIAISON_USAGES = {
    "extend": N_("Write /extend N DATE REASON, e.g. /extend 3 2016-09-30 survey delayed."),
    "feeds": USAGE_FEEDS,
}
COORDINATOR_USAGES = {
    "tasks": USAGE_TASKS,
    "task": USAGE_TASK,
    "assign": USAGE_ASSIGN,
    "unassign": USAGE_UNASSIGN,
    "due": USAGE_DUE,
    "milestone": USAGE_MILESTONE,
    "nudge": USAGE_NUDGE,
    "audit": USAGE_AUDIT,
    "invite": N_("Usage: /invite AGENCY [deputy] or /invite coordinator, e.g. /invite 科技部"),
    "digest": USAGE_DIGEST,
    "export": USAGE_EXPORT,
    "feeds": USAGE_FEEDS,
    "settings": N_("Change: /settings KEY VALUE, e.g. /settings quiet_start 21:00"),
    "holidays": N_("Usage: /holidays [YEAR], e.g. /holidays 2027"),
}
GATE_GROUP = -100
FALLBACK_GROUP = 100
IN_CHAT = (ChatMemberStatus.MEMBER, ChatMemberStatus.ADMINISTRATOR, ChatMemberStatus.OWNER)


async def _gate(update: Update, context: Context) -> None:
    """Stop edits, channel posts, user-less updates and group messages before any handler."""
    if update.callback_query is not None or update.my_chat_member is not None:
        return
    message = update.message
    if message is None:
        if update.effective_message is not None or update.effective_user is None:
            raise ApplicationHandlerStop  # edits, channel and business posts, polls …
        return
    if update.effective_user is None:
        raise ApplicationHandlerStop
    if message.chat.type == ChatType.PRIVATE:
        return
    if command_name(message.text or "", context.bot.username) is not None:
        await _say_private_only(update, context, message.chat.id)
    raise ApplicationHandlerStop


async def _say_private_only(update: Update, context: Context, chat_id: int) -> None:
    """Tell a group that the bot works in private chats; a failure here is only logged."""
    language = await language_of(update, context)
    text = tr(
        language,
        "I work in private chats only. Please write to me directly: @{username}",
        username=esc(context.bot.username),
    )
    try:
        await context.bot.send_message(chat_id, text, parse_mode=ParseMode.HTML)
    except TelegramError as error:
        log.info("could not write to group %s: %s", chat_id, error)


class ClaimedElsewhere(BaseHandler[Update, Context, None]):
    """Matches updates a handler of another group answers, so the fallbacks stay quiet."""

    def __init__(self, application: AnyApplication) -> None:
        super().__init__(self._quiet)
        self._application = application

    def check_update(self, update: object) -> bool:
        """True for a message a handler in a group from 0 up (other than this one) takes."""
        if not isinstance(update, Update) or update.message is None:
            return False
        for group, handlers in self._application.handlers.items():
            # Negative groups are gates: what they answer, they stop, so it never gets here.
            if group < 0 or group == FALLBACK_GROUP:
                continue
            for handler in handlers:
                if isinstance(handler, TypeHandler):
                    continue  # observers of every update do not answer it
                check = handler.check_update(update)
                if check is not None and check is not False:
                    return True
        return False

    @staticmethod
    async def _quiet(_update: Update, _context: Context) -> None:
        """Do nothing: another group has it."""


async def _who(update: Update, context: Context) -> tuple[Actor | None, str]:
    """The member behind the update (if registered) and the language to answer in."""
    user = update.effective_user
    assert user is not None  # the gate lets no user-less message through
    async with runtime_of(context).session() as session:
        actor = await find_actor(session, user.id)
    return actor, actor.language if actor else normalise_language(user.language_code)


def help_text(actor: Actor | None, language: str) -> str:
    """What this member can do, as a short list of commands."""
    if actor is None:
        return tr(language, "You are not registered yet. Ask your coordinator for an invite link.")
    if actor.is_coordinator:
        title = tr(language, "What you can do as a coordinator:")
        entries, footer = COORDINATOR_COMMANDS, tr(language, "Give a task by number: /task 5")
    else:
        title = tr(language, "What you can do for {agency}:", agency=actor.agency_name or "—")
        entries = LIAISON_COMMANDS
        footer = tr(language, "Reply to my message about a task to add a note to it.")
    usages = COORDINATOR_USAGES if actor.is_coordinator else LIAISON_USAGES
    lines = []
    for name, text in entries:
        lines.append(f"/{name} — {esc(tr(language, text))}")
        if name in usages:
            lines.append(f"    <i>{esc(tr(language, usages[name]))}</i>")
    return "\n".join([f"<b>{esc(title)}</b>", *lines, "", esc(footer)])


async def _help(update: Update, context: Context) -> None:
    """/help (and /start when nothing else answers it): the commands of the user's role."""
    actor, language = await _who(update, context)
    assert update.effective_message is not None
    await update.effective_message.reply_text(help_text(actor, language), parse_mode=ParseMode.HTML)


async def _unknown_command(update: Update, context: Context) -> None:
    """A command no handler knows: say so and point to /help."""
    message = update.effective_message
    assert message is not None
    name = command_name(message.text or "", context.bot.username)
    if name is None or name in KNOWN_COMMANDS:
        return  # another bot's command, or ours while its module is not loaded
    _actor, language = await _who(update, context)
    await message.reply_text(tr(language, "Unknown command. /help lists what you can do."))


async def _plain_text(update: Update, context: Context) -> None:
    """Text that is neither a command nor a reply: a hint on how to talk to the bot."""
    actor, language = await _who(update, context)
    assert update.effective_message is not None
    if actor is None:
        text = tr(language, "You are not registered yet. Ask your coordinator for an invite link.")
    else:
        text = tr(
            language,
            "To add a note to a task, reply to my message about it. /help lists what you can do.",
        )
    await update.effective_message.reply_text(text)


async def _added_to_group(update: Update, context: Context) -> None:
    """The bot was added to a group: say it works in private chats (and nothing else)."""
    change = update.my_chat_member
    if change is None or change.chat.type not in (ChatType.GROUP, ChatType.SUPERGROUP):
        return
    if change.old_chat_member.status in IN_CHAT or change.new_chat_member.status not in IN_CHAT:
        return
    await _say_private_only(update, context, change.chat.id)


def register(application: AnyApplication) -> None:
    """The gate first of all handlers; the fallbacks after all of them."""
    application.add_handler(TypeHandler(Update, _gate), group=GATE_GROUP)
    private = filters.ChatType.PRIVATE
    for handler in (
        ClaimedElsewhere(application),
        CommandHandler(["help", "start"], _help, filters=private),
        MessageHandler(private & filters.COMMAND, _unknown_command),
        MessageHandler(private & filters.TEXT & ~filters.COMMAND & ~filters.REPLY, _plain_text),
        ChatMemberHandler(_added_to_group, ChatMemberHandler.MY_CHAT_MEMBER),
    ):
        application.add_handler(handler, group=FALLBACK_GROUP)
