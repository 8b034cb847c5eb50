"""The one error handler: domain errors become a polite reply, anything else is logged."""

from __future__ import annotations

import contextlib
import logging
from typing import Any

from telegram import Update
from telegram.error import BadRequest, TelegramError
from telegram.ext import CallbackContext

from bot.i18n import normalise_language, tr
from bot.limits import CALLBACK_ANSWER_LIMIT, MESSAGE_LIMIT, trim_units
from bot.render import trim
from bot.runtime import runtime_of
from workflows.access import find_actor
from workflows.errors import AnnexbotError

log = logging.getLogger(__name__)

NOT_MODIFIED = "message is not modified"
QUOTE_WIDTH = 80


async def language_of(update: Update, context: CallbackContext[Any, Any, Any, Any]) -> str:
    """The language of the user behind an update: their member setting, else Telegram's."""
    user = update.effective_user
    if user is None:
        return "zh"
    async with runtime_of(context).session() as session:
        actor = await find_actor(session, user.id)
    return actor.language if actor else normalise_language(user.language_code)


async def on_error(update: object, context: CallbackContext[Any, Any, Any, Any]) -> None:
    """Tell the user what went wrong in their language; log what was not expected."""
    error = context.error
    if isinstance(error, BadRequest) and NOT_MODIFIED in error.message.lower():
        # A double tap edits a message into what it already says: nothing went wrong.
        if isinstance(update, Update) and update.callback_query is not None:
            with contextlib.suppress(TelegramError):
                await update.callback_query.answer()
        return
    if not isinstance(error, AnnexbotError):
        log.error("unhandled error on update %r", update, exc_info=error)
    if not isinstance(update, Update):
        return
    language = await language_of(update, context)
    if isinstance(error, AnnexbotError):
        # What the user typed comes back quoted: short, so the reply stays one small message.
        params = {
            key: trim(value, QUOTE_WIDTH) if isinstance(value, str) else value
            for key, value in error.params.items()
        }
        text = trim_units(tr(language, error.template, **params), MESSAGE_LIMIT)
    else:
        text = tr(
            language,
            "Something went wrong on our side. Please try again; the coordinators have been told.",
        )
    try:
        if update.callback_query is not None:
            await update.callback_query.answer(
                trim_units(text, CALLBACK_ANSWER_LIMIT), show_alert=True
            )
        elif update.effective_message is not None:
            await update.effective_message.reply_text(text)
    except TelegramError:
        log.warning("could not tell the user about an error", exc_info=True)
