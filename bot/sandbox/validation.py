"""Validation shared by the message methods: chats, text and caption formatting, replies."""

from __future__ import annotations

from typing import Any

from bot.sandbox.errors import bad_request
from bot.sandbox.limits import MAX_CAPTION, MAX_ENTITIES, MAX_TEXT, stricter
from bot.sandbox.markup import Formatted, HtmlParseError, parse_html, utf16_len
from bot.sandbox.models import Chat
from bot.sandbox.params import Params
from bot.sandbox.state import SandboxState


def chat_of(state: SandboxState, params: Params) -> Chat:
    """The chat named by chat_id; 400 "chat not found" for unknown ids or @usernames."""
    value = params.values.get("chat_id")
    if value is None or value == "":
        raise bad_request("chat_id is empty")
    try:
        chat = state.chats.get(int(value))
    except (TypeError, ValueError):
        chat = None
    if chat is None:
        raise bad_request("chat not found")
    return chat


def format_text(text: str, parse_mode: str | None, entities: Any) -> Formatted:
    """Applies parse_mode like Telegram (HTML validated, Markdown passed through as is).

    More than 100 entities, nested ones included, are refused: Telegram would drop the rest.
    """
    formatted = _formatted(text, parse_mode, entities)
    if len(formatted.entities) > MAX_ENTITIES:
        raise stricter(
            f"too many entities: {len(formatted.entities)}, Telegram keeps the first {MAX_ENTITIES}"
        )
    return formatted


def _formatted(text: str, parse_mode: str | None, entities: Any) -> Formatted:
    mode = (parse_mode or "").lower()
    if mode == "html":
        try:
            return parse_html(text)
        except HtmlParseError as error:
            raise bad_request(f"can't parse entities: {error}") from None
    if mode in ("markdown", "markdownv2"):
        return Formatted(text)
    if mode:
        raise bad_request("unsupported parse_mode")
    return Formatted(text, tuple(entities) if isinstance(entities, list) else ())


def check_text(text: str, too_long: str) -> None:
    """Telegram's 1..4096 limit on text after entity parsing (counted in UTF-16 units)."""
    if not text.strip():
        raise bad_request("message text is empty")
    if utf16_len(text) > MAX_TEXT:
        raise bad_request(too_long)


def format_caption(source: Any, parse_mode: Any, entities: Any) -> Formatted | None:
    """A media caption after entity parsing (at most 1024 UTF-16 units); None when it is empty."""
    if source is None or source == "":
        return None
    if not isinstance(source, str) or not isinstance(parse_mode, str | None):
        raise bad_request('field "caption" must be of type String')
    caption = format_text(source, parse_mode, entities)
    if utf16_len(caption.text) > MAX_CAPTION:
        raise bad_request("message caption is too long")
    return caption


def reply_target(state: SandboxState, chat_id: int, params: Params) -> int | None:
    """The message id to reply to, from reply_to_message_id or reply_parameters."""
    message_id = params.opt_int("reply_to_message_id")
    allow = params.opt_bool("allow_sending_without_reply")
    reply = params.opt_json("reply_parameters")
    if isinstance(reply, dict):
        message_id = int(reply["message_id"]) if "message_id" in reply else None
        allow = allow or bool(reply.get("allow_sending_without_reply"))
    if message_id is None:
        return None
    target = state.get_message(chat_id, message_id)
    if target is None or target.deleted:
        if allow:
            return None
        raise bad_request("message to be replied not found")
    return message_id
