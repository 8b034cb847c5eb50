"""setMyCommands, getMyCommands, deleteMyCommands: scopes and languages checked like Telegram."""

from __future__ import annotations

import json
import re
from typing import Any

from bot.sandbox.errors import bad_request
from bot.sandbox.limits import MAX_COMMAND, MAX_COMMAND_DESCRIPTION, MAX_COMMANDS
from bot.sandbox.params import Params
from bot.sandbox.state import Handler, SandboxState

_COMMAND = re.compile(r"[a-z0-9_]+")
_LANGUAGE = re.compile(r"[a-z]{2}")
_PLAIN_SCOPES = frozenset(
    {"default", "all_private_chats", "all_group_chats", "all_chat_administrators"}
)
_CHAT_SCOPES = frozenset({"chat", "chat_administrators", "chat_member"})
_SCOPE = "can't parse BotCommandScope: "
_COMMAND_ERROR = "can't parse BotCommand: "


def scope_key(scope: dict[str, Any] | None, language_code: str) -> tuple[str, str]:
    """How the sandbox files a command list: the scope as canonical JSON, and the language."""
    return json.dumps(scope or {"type": "default"}, sort_keys=True), language_code


def _scope(state: SandboxState, params: Params) -> dict[str, Any]:
    raw = params.opt_json("scope")
    if raw is None:
        return {"type": "default"}
    if not isinstance(raw, dict):
        raise bad_request(_SCOPE + "BotCommandScope must be an Object")
    kind = _string_field(raw, "type", _SCOPE)
    if kind in _PLAIN_SCOPES:
        return {"type": kind}
    if kind not in _CHAT_SCOPES:
        raise bad_request(_SCOPE + "Unsupported type specified")
    chat = _string_field(raw, "chat_id", _SCOPE)
    if not chat:
        raise bad_request(_SCOPE + "Empty chat_id specified")
    scope: dict[str, Any] = {"type": kind, "chat_id": _known_chat(state, chat)}
    if kind == "chat_member":
        if "user_id" not in raw:
            raise bad_request(_SCOPE + 'Can\'t find field "user_id"')
        try:
            user_id = int(raw["user_id"])
        except (TypeError, ValueError):
            raise bad_request(_SCOPE + 'Field "user_id" must be a valid Number') from None
        if user_id <= 0:
            raise bad_request(_SCOPE + "Invalid user_id specified")
        scope["user_id"] = user_id
    return scope


def _known_chat(state: SandboxState, chat: str) -> int:
    try:
        chat_id = int(chat)
    except ValueError:
        chat_id = 0  # an @username: the sandbox's chats have none
    if chat_id not in state.chats:
        raise bad_request("chat not found")
    return chat_id


def _string_field(raw: dict[str, Any], name: str, prefix: str) -> str:
    if name not in raw:
        raise bad_request(prefix + f'Can\'t find field "{name}"')
    value = raw[name]
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)  # Telegram reads numbers given for strings as their text
    if not isinstance(value, str):
        raise bad_request(prefix + f'Field "{name}" must be of type String')
    return value


def _language(params: Params) -> str:
    code = params.opt_str("language_code") or ""
    if code and not _LANGUAGE.fullmatch(code):
        raise bad_request("invalid language code specified")
    return code


def _commands(params: Params) -> list[dict[str, str]]:
    raw = params.opt_json("commands")
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise bad_request("expected an Array of BotCommand")
    parsed = []
    for command in raw:
        if not isinstance(command, dict):
            raise bad_request(_COMMAND_ERROR + "expected an Object")
        name = _string_field(command, "command", _COMMAND_ERROR)
        description = _string_field(command, "description", _COMMAND_ERROR)
        parsed.append({"command": name, "description": description})
    return parsed


def _checked(commands: list[dict[str, str]]) -> list[dict[str, str]]:
    # TDLib trims both and drops a leading "/", then checks lengths; the server checks the rest.
    checked = []
    for command in commands:
        name = command["command"].strip().removeprefix("/")
        description = command["description"].strip()
        if not name:
            raise bad_request("command must be non-empty")
        if len(name) > MAX_COMMAND:
            raise bad_request(f"command length must not exceed {MAX_COMMAND}")
        if not description:
            raise bad_request("command description must be non-empty")
        if len(description) > MAX_COMMAND_DESCRIPTION:
            raise bad_request(
                f"command description length must not exceed {MAX_COMMAND_DESCRIPTION}"
            )
        if not _COMMAND.fullmatch(name):
            raise bad_request("BOT_COMMAND_INVALID")
        checked.append({"command": name, "description": description})
    if len(checked) > MAX_COMMANDS:
        raise bad_request("BOT_COMMANDS_TOO_MUCH")
    return checked


async def set_my_commands(state: SandboxState, params: Params) -> bool:
    """setMyCommands for a scope and language."""
    commands = _commands(params)
    scope = _scope(state, params)
    key = scope_key(scope, _language(params))
    state.commands[key] = _checked(commands)
    return True


async def get_my_commands(state: SandboxState, params: Params) -> list[dict[str, str]]:
    """getMyCommands for exactly that scope and language (no fallback, like Telegram)."""
    scope = _scope(state, params)
    return state.commands.get(scope_key(scope, _language(params)), [])


async def delete_my_commands(state: SandboxState, params: Params) -> bool:
    """deleteMyCommands for a scope and language."""
    scope = _scope(state, params)
    state.commands.pop(scope_key(scope, _language(params)), None)
    return True


COMMAND_METHODS: dict[str, Handler] = {
    "setMyCommands": set_my_commands,
    "getMyCommands": get_my_commands,
    "deleteMyCommands": delete_my_commands,
}
