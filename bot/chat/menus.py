"""The command menus: what each role sees in Telegram's menu, in each language."""

from __future__ import annotations

import logging

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from telegram import Bot, BotCommand, BotCommandScopeChat, BotCommandScopeDefault
from telegram.error import TelegramError

from bot.i18n import LANGUAGES, N_, tr
from db.enums import MemberRole
from workflows.members import menu_members

log = logging.getLogger(__name__)

LIAISON_COMMANDS: tuple[tuple[str, str], ...] = (
    ("mytasks", N_("Your agency's tasks and their status")),
    ("plans", N_("The plans your agency has tasks in")),
    ("digest", N_("Your agency's weekly digest, now")),
    ("chart", N_("The progress chart as a picture")),
    ("extend", N_("Ask for more time on a task")),
    ("calendar", N_("Subscribe to your agency's deadlines in your calendar")),
    ("feeds", N_("Your calendar links: revoke or renew them")),
    ("language", N_("Switch between Chinese and English")),
    ("leave", N_("Stop receiving messages from the bot")),
    ("help", N_("What the bot can do for you")),
)
COORDINATOR_COMMANDS: tuple[tuple[str, str], ...] = (
    ("plans", N_("The plans, with their tasks and lights")),
    ("tasks", N_("All tasks with their lights")),
    ("task", N_("One task: units, dates and reports")),
    ("assign", N_("Assign a task to an agency")),
    ("unassign", N_("Remove an agency from a task")),
    ("due", N_("Set a task's due date")),
    ("milestone", N_("Add a milestone to a task")),
    ("nudge", N_("Remind an agency about a task")),
    ("audit", N_("The change history of a task")),
    ("invite", N_("Create an invite link for a new member")),
    ("members", N_("Registered members")),
    ("agencies", N_("Agencies and their tasks")),
    ("digest", N_("The weekly digest now, or an agency's")),
    ("chart", N_("The progress chart as a picture")),
    ("export", N_("Status matrix and history as CSV or Excel, milestones as .ics")),
    ("calendar", N_("Calendar links for the plan and each agency")),
    ("feeds", N_("Calendar links: list, revoke, rotate")),
    ("settings", N_("See and change reminders, quiet hours and the digest time")),
    ("holidays", N_("Holidays and worked weekend days of a year")),
    ("language", N_("Switch between Chinese and English")),
    ("help", N_("What the bot can do for you")),
)
# Commands some handler answers even when no menu shows them.
KNOWN_COMMANDS: frozenset[str] = frozenset(
    {"start"} | {name for name, _ in LIAISON_COMMANDS + COORDINATOR_COMMANDS}
)


def commands_for(role: MemberRole | None, language: str) -> list[BotCommand]:
    """The menu of a role (liaisons and deputies share one) in a language."""
    entries = COORDINATOR_COMMANDS if role is MemberRole.COORDINATOR else LIAISON_COMMANDS
    return [BotCommand(name, tr(language, description)) for name, description in entries]


async def set_default_menus(bot: Bot) -> None:
    """The menu everyone sees: liaison commands, Chinese unless Telegram's language is English."""
    await bot.set_my_commands(commands_for(None, "zh"), scope=BotCommandScopeDefault())
    for language in LANGUAGES:
        await bot.set_my_commands(
            commands_for(None, language), scope=BotCommandScopeDefault(), language_code=language
        )


async def set_member_menu(
    bot: Bot, telegram_id: int, role: MemberRole | None, language: str
) -> bool:
    """Give one member the menu of their role in their language; role None removes it (left).

    Returns False when Telegram refused (e.g. the user blocked the bot); that is only logged.
    """
    scope = BotCommandScopeChat(telegram_id)
    try:
        if role is None:
            await bot.delete_my_commands(scope=scope)
        else:
            await bot.set_my_commands(commands_for(role, language), scope=scope)
    except TelegramError as error:
        log.warning("could not set the menu of user %s: %s", telegram_id, error)
        return False
    return True


async def refresh_member_menus(bot: Bot, sessions: async_sessionmaker[AsyncSession]) -> int:
    """Set every active member's menu (after an upgrade the texts may have changed)."""
    refreshed = 0
    async with sessions() as session:
        members = await menu_members(session=session)
    for telegram_id, role, language in members:
        refreshed += await set_member_menu(bot, telegram_id, role, language)
    return refreshed


def command_name(text: str, bot_username: str) -> str | None:
    """The command a message starts with, lower-case; None if it is addressed to another bot."""
    if not text.startswith("/"):
        return None
    head = text.split(maxsplit=1)[0][1:]
    name, _, target = head.partition("@")
    if target and target.lower() != bot_username.lower():
        return None
    return name.lower()
