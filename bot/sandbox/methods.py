"""Bot-level methods (identity, updates, webhook, commands, menu, files) and the registry."""

from __future__ import annotations

import re
from typing import Any

from bot.sandbox.commands import COMMAND_METHODS
from bot.sandbox.errors import ApiError, bad_request
from bot.sandbox.keyboards import web_app_url
from bot.sandbox.messaging import MESSAGING_METHODS
from bot.sandbox.models import WebhookConfig
from bot.sandbox.params import Params
from bot.sandbox.state import Handler, SandboxState
from bot.sandbox.validation import chat_of

_SECRET = re.compile(r"[A-Za-z0-9_-]{1,256}")


async def get_me(state: SandboxState, params: Params) -> dict[str, Any]:
    """getMe: the bot user."""
    return state.bot.to_api() | {
        "can_join_groups": True,
        "can_read_all_group_messages": False,
        "supports_inline_queries": False,
    }


async def get_updates(state: SandboxState, params: Params) -> list[dict[str, Any]]:
    """getUpdates with offset/limit and real long polling (returns as soon as an update exists)."""
    if state.webhook is not None:
        raise ApiError(
            409,
            "Conflict: can't use getUpdates method while webhook is active; "
            "use deleteWebhook to delete the webhook first",
        )
    offset = params.opt_int("offset")
    if offset is not None and offset < 0:
        del state.pending[:offset]
    elif offset is not None:
        state.pending[:] = [u for u in state.pending if u["update_id"] >= offset]
    limit = min(max(params.opt_int("limit") or 100, 1), 100)
    timeout = min(max(params.opt_int("timeout") or 0, 0), 50)
    state.poll_generation += 1
    generation = state.poll_generation
    await state.notify()
    if timeout:
        await state.wait_until(
            lambda: (
                bool(state.pending)
                or state.poll_generation != generation
                or state.webhook is not None
            ),
            timeout,
        )
    if state.poll_generation != generation:
        raise ApiError(
            409,
            "Conflict: terminated by other getUpdates request; "
            "make sure that only one bot instance is running",
        )
    return state.pending[:limit]


async def set_webhook(state: SandboxState, params: Params) -> bool:
    """setWebhook; http:// URLs are allowed so tests can use a loopback receiver."""
    url = params.opt_str("url") or ""
    if not url:
        return await delete_webhook(state, params)
    if not url.lower().startswith(("http://", "https://")):
        raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
    secret = params.opt_str("secret_token")
    if secret is not None and not _SECRET.fullmatch(secret):
        raise bad_request("secret token contains unallowed characters")
    if params.opt_bool("drop_pending_updates"):
        state.pending.clear()
    allowed = params.opt_json("allowed_updates")
    state.webhook = WebhookConfig(
        url=url,
        secret_token=secret,
        max_connections=params.opt_int("max_connections") or 40,
        allowed_updates=allowed if isinstance(allowed, list) else None,
    )
    for update in state.pending:
        state.outbox.put_nowait(update)
    state.pending.clear()
    await state.notify()
    return True


async def delete_webhook(state: SandboxState, params: Params) -> bool:
    """deleteWebhook (optionally dropping pending updates)."""
    state.webhook = None
    if params.opt_bool("drop_pending_updates"):
        state.pending.clear()
    await state.notify()
    return True


async def get_webhook_info(state: SandboxState, params: Params) -> dict[str, Any]:
    """getWebhookInfo."""
    hook = state.webhook
    info: dict[str, Any] = {
        "url": hook.url if hook else "",
        "has_custom_certificate": False,
        "pending_update_count": len(state.pending) + state.outbox.qsize(),
    }
    if hook is not None:
        info["max_connections"] = hook.max_connections
        if hook.allowed_updates is not None:
            info["allowed_updates"] = hook.allowed_updates
        if hook.last_error_date is not None:
            info["last_error_date"] = hook.last_error_date
            info["last_error_message"] = hook.last_error_message
    return info


async def set_chat_menu_button(state: SandboxState, params: Params) -> bool:
    """setChatMenuButton for one chat, or the default when chat_id is absent."""
    chat_id = chat_of(state, params).id if params.has("chat_id") else None
    button = params.opt_json("menu_button") or {"type": "default"}
    if not isinstance(button, dict) or button.get("type") not in ("commands", "web_app", "default"):
        raise bad_request("can't parse menu button JSON object")
    if button["type"] == "web_app":
        if not isinstance(button.get("text"), str) or not button["text"]:
            raise bad_request("menu button text must be non-empty")
        web_app_url(button.get("web_app"))
    state.menu_buttons[chat_id] = button
    return True


async def get_chat_menu_button(state: SandboxState, params: Params) -> dict[str, Any]:
    """getChatMenuButton."""
    chat_id = chat_of(state, params).id if params.has("chat_id") else None
    return state.menu_buttons.get(chat_id) or state.menu_buttons.get(None) or {"type": "default"}


async def get_file(state: SandboxState, params: Params) -> dict[str, Any]:
    """getFile: a download path served under /file/bot<token>/."""
    attachment = state.files.get(params.opt_str("file_id") or "")
    if attachment is None:
        raise bad_request("invalid file_id")
    return {
        "file_id": attachment.file_id,
        "file_unique_id": attachment.file_unique_id,
        "file_size": attachment.size,
        "file_path": attachment.file_path,
    }


METHODS: dict[str, Handler] = {
    "getMe": get_me,
    "getUpdates": get_updates,
    "setWebhook": set_webhook,
    "deleteWebhook": delete_webhook,
    "getWebhookInfo": get_webhook_info,
    "setChatMenuButton": set_chat_menu_button,
    "getChatMenuButton": get_chat_menu_button,
    "getFile": get_file,
    **COMMAND_METHODS,
    **MESSAGING_METHODS,
}
_BY_LOWER = {name.lower(): name for name in METHODS}


def canonical(method: str) -> str | None:
    """The Bot API name of a method (Telegram matches names case-insensitively), or None."""
    return _BY_LOWER.get(method.lower())
