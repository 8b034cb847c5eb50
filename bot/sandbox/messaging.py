"""Bot API methods that send, edit and delete messages and answer button presses."""

from __future__ import annotations

from typing import Any

from bot.sandbox.errors import NOT_MODIFIED, bad_request
from bot.sandbox.keyboards import parse_markup
from bot.sandbox.media import MEDIA_METHODS
from bot.sandbox.models import ChatMessage
from bot.sandbox.params import Params
from bot.sandbox.state import Handler, SandboxState
from bot.sandbox.validation import chat_of, check_text, format_text, reply_target

CHAT_ACTIONS = frozenset(
    {
        "typing", "upload_photo", "record_video", "upload_video", "record_voice", "upload_voice",
        "upload_document", "choose_sticker", "find_location", "record_video_note",
        "upload_video_note",
    }
)  # fmt: skip


async def _store(state: SandboxState, message: ChatMessage) -> dict[str, Any]:
    state.add_message(message)
    await state.notify()
    return state.render(message)


async def send_message(state: SandboxState, params: Params) -> dict[str, Any]:
    """sendMessage."""
    chat = chat_of(state, params)
    source = params.opt_str("text") or ""
    parse_mode = params.opt_str("parse_mode")
    formatted = format_text(source, parse_mode, params.opt_json("entities"))
    check_text(formatted.text, "message is too long")
    markup, buttons = parse_markup(params.opt_json("reply_markup"))
    message = ChatMessage(
        chat_id=chat.id,
        message_id=state.next_message_id(chat.id),
        sender_id=state.bot.id,
        date=state.now(),
        text=formatted.text,
        entities=formatted.entities,
        source=source,
        parse_mode=parse_mode,
        buttons=buttons,
        reply_markup=markup,
        reply_to=reply_target(state, chat.id, params),
    )
    return await _store(state, message)


def _editable(state: SandboxState, params: Params, verb: str) -> ChatMessage:
    if params.has("inline_message_id"):
        raise bad_request("inline messages are not supported by the sandbox")
    chat = chat_of(state, params)
    message = state.get_message(chat.id, params.req_int("message_id"))
    if message is None or message.deleted:
        raise bad_request(f"message to {verb} not found")
    if verb == "edit" and not message.from_bot:
        raise bad_request("message can't be edited")
    return message


async def edit_message_text(state: SandboxState, params: Params) -> dict[str, Any]:
    """editMessageText; without reply_markup the keyboard is removed, as on Telegram."""
    message = _editable(state, params, "edit")
    if message.text is None:
        raise bad_request("there is no text in the message to edit")
    source = params.opt_str("text") or ""
    parse_mode = params.opt_str("parse_mode")
    formatted = format_text(source, parse_mode, params.opt_json("entities"))
    check_text(formatted.text, "MESSAGE_TOO_LONG")
    markup, buttons = parse_markup(params.opt_json("reply_markup"), inline_only=True)
    old = (message.text, message.entities, message.reply_markup)
    if (formatted.text, formatted.entities, markup) == old:
        raise bad_request(NOT_MODIFIED)
    changed = state.update_message(
        message,
        text=formatted.text,
        entities=formatted.entities,
        source=source,
        parse_mode=parse_mode,
        buttons=buttons,
        reply_markup=markup,
        edited=True,
        edit_date=state.now(),
        history=(*message.history, message.text),
    )
    await state.notify()
    return state.render(changed)


async def edit_message_reply_markup(state: SandboxState, params: Params) -> dict[str, Any]:
    """editMessageReplyMarkup; an absent markup removes the keyboard."""
    message = _editable(state, params, "edit")
    markup, buttons = parse_markup(params.opt_json("reply_markup"), inline_only=True)
    if markup == message.reply_markup:
        raise bad_request(NOT_MODIFIED)
    changed = state.update_message(
        message, reply_markup=markup, buttons=buttons, edit_date=state.now()
    )
    await state.notify()
    return state.render(changed)


async def delete_message(state: SandboxState, params: Params) -> bool:
    """deleteMessage."""
    message = _editable(state, params, "delete")
    state.update_message(message, deleted=True)
    await state.notify()
    return True


async def answer_callback_query(state: SandboxState, params: Params) -> bool:
    """answerCallbackQuery; each query can be answered once."""
    query_id = params.opt_str("callback_query_id") or ""
    if state.open_queries.pop(query_id, None) is None:
        raise bad_request("query is too old and response timeout expired or query ID is invalid")
    text = params.opt_str("text")
    if text is not None and len(text) > 200:
        raise bad_request("MESSAGE_TOO_LONG")
    state.answers[query_id] = {
        "text": text,
        "show_alert": params.opt_bool("show_alert"),
        "url": params.opt_str("url"),
        "cache_time": params.opt_int("cache_time"),
    }
    await state.notify()
    return True


async def send_chat_action(state: SandboxState, params: Params) -> bool:
    """sendChatAction."""
    chat_of(state, params)
    if params.opt_str("action") not in CHAT_ACTIONS:
        raise bad_request("wrong parameter action in request")
    return True


MESSAGING_METHODS: dict[str, Handler] = {
    "sendMessage": send_message,
    "editMessageText": edit_message_text,
    "editMessageReplyMarkup": edit_message_reply_markup,
    "deleteMessage": delete_message,
    "answerCallbackQuery": answer_callback_query,
    "sendChatAction": send_chat_action,
    **MEDIA_METHODS,
}
