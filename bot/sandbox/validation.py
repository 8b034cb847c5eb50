"""Validation shared by the message methods: chats, text formatting, keyboards, replies."""

from __future__ import annotations

import re
from typing import Any

from bot.sandbox.errors import bad_request
from bot.sandbox.markup import Formatted, HtmlParseError, parse_html, utf16_len
from bot.sandbox.models import Button, Chat
from bot.sandbox.params import Params
from bot.sandbox.state import SandboxState

_ACTION_KEYS = frozenset(
    {
        "switch_inline_query", "switch_inline_query_current_chat",
        "switch_inline_query_chosen_chat", "login_url", "web_app", "pay", "callback_game",
        "copy_text",
    }
)  # fmt: skip
_BUTTON_URL = re.compile(r"(?:https?|tg)://\S+", re.IGNORECASE)


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
    """Applies parse_mode like Telegram; HTML is validated, Markdown is passed through as is."""
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
    if utf16_len(text) > 4096:
        raise bad_request(too_long)


def parse_markup(raw: Any) -> tuple[dict[str, Any] | None, tuple[tuple[Button, ...], ...]]:
    """Validates reply_markup; inline keyboards come back as rows of (text, target)."""
    if raw is None:
        return None, ()
    if not isinstance(raw, dict):
        raise bad_request("can't parse reply keyboard markup JSON object")
    if "inline_keyboard" not in raw:
        return raw, ()
    rows = raw["inline_keyboard"]
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise bad_request("can't parse inline keyboard markup JSON object")
    if sum(len(row) for row in rows) > 100:
        raise bad_request("reply markup is too long")
    parsed = tuple(tuple(button_of(button) for button in row) for row in rows)
    return (raw, parsed) if any(parsed) else (None, ())


def button_of(button: Any) -> Button:
    """One inline button as (text, callback_data or url), validated like Telegram."""
    if not isinstance(button, dict) or not isinstance(button.get("text"), str):
        raise bad_request(
            'can\'t parse inline keyboard button: Field "text" must be of type String'
        )
    data = button.get("callback_data")
    if data is not None:
        if not isinstance(data, str) or not 1 <= len(data.encode("utf-8")) <= 64:
            raise bad_request("BUTTON_DATA_INVALID")
        return button["text"], data
    url = button.get("url")
    if url is not None:
        if not isinstance(url, str) or not _BUTTON_URL.fullmatch(url):
            raise bad_request("BUTTON_URL_INVALID")
        return button["text"], url
    if not _ACTION_KEYS & button.keys():
        raise bad_request(
            "can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard"
        )
    return button["text"], ""


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
