"""/web: a single-use sign-in link to the plan board, and the Mini App button; /web off."""

from __future__ import annotations

import logging
import zoneinfo

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    MenuButtonWebApp,
    Update,
    WebAppInfo,
)
from telegram.error import TelegramError
from telegram.ext import Application, CommandHandler, ContextTypes

from bot.chat.commands import incoming, reply_html
from bot.i18n import tr
from bot.render import esc, fmt_datetime
from bot.runtime import Runtime, runtime_of
from workflows.web_access import issue_sign_in, revoke_sessions

log = logging.getLogger(__name__)
OFF = frozenset({"off", "stop", "退出"})


def board_button(runtime: Runtime, language: str) -> InlineKeyboardButton | None:
    """The "Open the board" Mini App button; Telegram takes only https Mini Apps."""
    base = runtime.settings.public_base_url.rstrip("/")
    if not base.startswith("https://"):
        return None
    return InlineKeyboardButton(
        tr(language, "📱 Open the board"), web_app=WebAppInfo(url=f"{base}/app")
    )


async def on_web(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/web: a sign-in link valid a few minutes (and the Mini App); /web off ends every session."""
    message, user_id, argument = incoming(update)
    runtime = runtime_of(context)
    if argument.strip().lower() in OFF:
        async with runtime.session() as session:
            ended = await revoke_sessions(session=session, telegram_id=user_id, now=runtime.now())
        await message.reply_text(
            tr(
                ended.language,
                "Signed out of the plan board everywhere ({count} sessions).",
                count=ended.count,
            )
        )
        return
    async with runtime.session() as session:
        link = await issue_sign_in(session=session, telegram_id=user_id, now=runtime.now())
    language = link.language
    base = runtime.settings.public_base_url.rstrip("/")
    until = fmt_datetime(link.expires_at, zoneinfo.ZoneInfo(runtime.settings.timezone), language)
    text = tr(
        language,
        "🖥 Your sign-in link to the plan board. It works once, until {time}; do not pass it "
        "on. Send /web off to sign out everywhere.",
        time=until,
    )
    rows = [
        [InlineKeyboardButton(tr(language, "🔑 Sign in"), url=f"{base}/web/sign-in/{link.token}")]
    ]
    mini = board_button(runtime, language)
    if mini is not None:
        rows.append([mini])
    await reply_html(message, [esc(text)], InlineKeyboardMarkup(rows))
    if mini is not None and mini.web_app is not None:
        await _menu_button(context, user_id, tr(language, "Board"), mini.web_app)


async def _menu_button(
    context: ContextTypes.DEFAULT_TYPE, user_id: int, text: str, web_app: WebAppInfo
) -> None:
    """Put the board behind the chat's menu button too (a refusal is only logged)."""
    try:
        await context.bot.set_chat_menu_button(
            chat_id=user_id, menu_button=MenuButtonWebApp(text, web_app)
        )
    except TelegramError as error:
        log.warning("could not set the board menu button of user %s: %s", user_id, error)


def register(application: Application) -> None:  # type: ignore[type-arg]
    """Add /web."""
    application.add_handler(CommandHandler("web", on_web))
