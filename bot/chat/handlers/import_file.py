"""A coordinator sends an annex file: a preview with buttons, and the import once confirmed.

Nothing is kept between the preview and the press: the preview replies to the file, so the
press finds the file (and downloads it again) from the message the buttons sit under, and a
restart in between loses nothing. The plan's code rides in the button.
"""

from __future__ import annotations

from telegram import Document, InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.constants import ChatAction, ParseMode
from telegram.ext import Application, CallbackQueryHandler, ContextTypes, MessageHandler, filters

from bot.chat.callbacks import pack, pattern, unpack
from bot.chat.commands import answering
from bot.chat.decisions import mark_decided
from bot.chat.errors import language_of
from bot.chat.import_preview import imported_text, preview_text
from bot.i18n import tr
from bot.runtime import Runtime, runtime_of
from workflows.errors import ConflictError, InvalidInputError
from workflows.importing.by_member import import_confirmed, preview_import
from workflows.importing.service import ImportResult

IMPORT, NAME, CANCEL = "imp", "imn", "imx"
# Telegram lets bots download up to 20 MB; an annex is far smaller (the readers' own limits).
MAX_FILE_BYTES = 20 << 20
STALE = "This button is out of date."
MAX_CODE_LENGTH = 40


def _buttons(result: ImportResult, language: str) -> InlineKeyboardMarkup | None:
    """Import (or apply the changes), name the plan, cancel; none when nothing would change."""
    if not result.plan_created and result.diff.is_empty:
        return None
    try:
        confirm = pack(IMPORT, result.plan_code)
    except ValueError:  # a code too long for a button: the coordinator names the plan
        confirm = None
    label = tr(language, "✅ Import") if result.plan_created else tr(language, "✅ Apply changes")
    row = [InlineKeyboardButton(label, callback_data=confirm)] if confirm else []
    if result.plan_created:
        row.append(InlineKeyboardButton(tr(language, "✏️ Name the plan"), callback_data=NAME))
    row.append(InlineKeyboardButton(tr(language, "Never mind"), callback_data=CANCEL))
    return InlineKeyboardMarkup([row])


async def _download(document: Document) -> bytes:
    """The file's bytes; a file too large for an annex is refused before it is fetched."""
    if document.file_size is not None and document.file_size > MAX_FILE_BYTES:
        raise InvalidInputError(
            "The file is too large for an annex ({size} MB; at most {limit} MB).",
            size=f"{document.file_size / (1 << 20):.1f}",
            limit=MAX_FILE_BYTES >> 20,
        )
    telegram_file = await document.get_file()
    return bytes(await telegram_file.download_as_bytearray())


async def _preview(
    file_message: Message, user_id: int, plan_code: str | None, language: str, runtime: Runtime
) -> None:
    """Read a file without writing anything and answer, under the file, with what it holds."""
    document = file_message.document
    assert document is not None
    await file_message.chat.send_action(ChatAction.TYPING)
    data = await _download(document)
    async with runtime.session() as session:
        result = await preview_import(
            session=session,
            telegram_id=user_id,
            data=data,
            filename=document.file_name,
            plan_code=plan_code,
            now=runtime.now(),
            timezone=runtime.settings.timezone,
        )
    await file_message.reply_text(
        preview_text(result, document.file_name or "annex", language),
        parse_mode=ParseMode.HTML,
        reply_markup=_buttons(result, language),
        do_quote=True,
        disable_web_page_preview=True,
    )


async def on_document(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A file in a private chat: preview it as an annex (the caption may name the plan)."""
    message, user = update.effective_message, update.effective_user
    assert message is not None
    assert message.document is not None
    assert user is not None
    caption = (message.caption or "").strip()
    language = await language_of(update, context)
    await _preview(message, user.id, caption or None, language, runtime_of(context))


async def on_name_reply(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Text replying to one's own file names the plan: preview it again under that code."""
    message, user_id = answering(update)
    assert message.reply_to_message is not None
    code = (message.text or "").strip()
    language = await language_of(update, context)
    if len(code) > MAX_CODE_LENGTH:
        await message.reply_text(tr(language, "A plan code is short, such as gf-2019-3."))
        return
    await _preview(message.reply_to_message, user_id, code, language, runtime_of(context))


def _file_of(message: object) -> Document:
    """The file a preview answered, or the button is out of date."""
    replied = message.reply_to_message if isinstance(message, Message) else None
    if replied is None or replied.document is None:
        raise ConflictError(STALE)
    return replied.document


async def on_import(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """✅ Import / Apply changes: download the file again and import it for real."""
    query = update.callback_query
    assert query is not None
    _, args = unpack(query.data)
    if len(args) != 1:
        raise ConflictError(STALE)
    document = _file_of(query.message)
    runtime = runtime_of(context)
    data = await _download(document)
    async with runtime.session() as session:
        result = await import_confirmed(
            session=session,
            telegram_id=query.from_user.id,
            data=data,
            filename=document.file_name,
            plan_code=args[0],
            now=runtime.now(),
            timezone=runtime.settings.timezone,
        )
    language = await language_of(update, context)
    await query.answer()
    await mark_decided(query.message, imported_text(result, language))
    runtime.wake_sender()


async def on_name(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """✏️ Name the plan: say how (reply to the file with a code, or resend it with a caption)."""
    query = update.callback_query
    assert query is not None
    language = await language_of(update, context)
    await query.answer(
        tr(
            language,
            "Reply to your file with the plan's code (such as gf-2019-3), "
            "or send the file again with the code as its caption.",
        ),
        show_alert=True,
    )


async def on_cancel(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Cancel: nothing was written; say so on the preview."""
    query = update.callback_query
    assert query is not None
    language = await language_of(update, context)
    await query.answer()
    await mark_decided(query.message, tr(language, "Cancelled; nothing was imported."))


class ReplyToOwnFile(filters.MessageFilter):
    """A text reply to a file the same user sent."""

    def filter(self, message: Message) -> bool:
        """True when the replied-to message is the sender's own document."""
        replied = message.reply_to_message
        return (
            replied is not None
            and replied.document is not None
            and replied.from_user is not None
            and message.from_user is not None
            and replied.from_user.id == message.from_user.id
        )


def register(application: Application) -> None:  # type: ignore[type-arg]
    """Add the file upload, the naming reply and the preview's buttons."""
    private = filters.ChatType.PRIVATE
    application.add_handler(MessageHandler(private & filters.Document.ALL, on_document))
    application.add_handler(
        MessageHandler(private & filters.TEXT & ~filters.COMMAND & ReplyToOwnFile(), on_name_reply)
    )
    for action, callback in ((IMPORT, on_import), (NAME, on_name), (CANCEL, on_cancel)):
        application.add_handler(CallbackQueryHandler(callback, pattern=pattern(action)))
