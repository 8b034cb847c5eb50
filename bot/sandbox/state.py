"""The sandbox's in-memory world: chats and their messages, files, pending updates and calls."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from typing import Any

from bot.sandbox.models import (
    ApiCall,
    Attachment,
    Chat,
    ChatMessage,
    InjectedUpdate,
    User,
    WebhookConfig,
    WebhookDelivery,
)
from bot.sandbox.params import Params


@dataclass
class SandboxState:
    """Everything the sandbox knows; shared by the HTTP side and the control API."""

    token: str
    bot: User
    clock: Callable[[], float]
    wall_clock: Callable[[], float]
    users: dict[int, User] = field(default_factory=dict)
    chats: dict[int, Chat] = field(default_factory=dict)
    history: dict[int, list[ChatMessage]] = field(default_factory=dict)
    pending: list[dict[str, Any]] = field(default_factory=list)
    outbox: asyncio.Queue[dict[str, Any]] = field(default_factory=asyncio.Queue)
    files: dict[str, Attachment] = field(default_factory=dict)
    commands: dict[tuple[str, str], list[dict[str, str]]] = field(default_factory=dict)
    menu_buttons: dict[int | None, dict[str, Any]] = field(default_factory=dict)
    webhook: WebhookConfig | None = None
    deliveries: list[WebhookDelivery] = field(default_factory=list)
    calls: list[ApiCall] = field(default_factory=list)
    open_queries: dict[str, tuple[int, int]] = field(default_factory=dict)
    answers: dict[str, dict[str, Any]] = field(default_factory=dict)
    changed: asyncio.Condition = field(default_factory=asyncio.Condition)
    closing: asyncio.Event = field(default_factory=asyncio.Event)
    poll_generation: int = 0
    _next_update_id: int = 1
    _counter: int = 0
    _notifiers: set[asyncio.Task[None]] = field(default_factory=set)

    def now(self) -> int:
        """Unix time for message dates."""
        return int(self.wall_clock())

    def next_serial(self) -> int:
        """A fresh number for file ids and callback query ids."""
        self._counter += 1
        return self._counter

    def next_message_id(self, chat_id: int) -> int:
        """The next message id in a chat (ids grow per chat, as in private chats and groups)."""
        messages = self.history.setdefault(chat_id, [])
        return messages[-1].message_id + 1 if messages else 1

    def add_message(self, message: ChatMessage) -> None:
        """Appends a new message to its chat."""
        self.history.setdefault(message.chat_id, []).append(message)

    def get_message(self, chat_id: int, message_id: int) -> ChatMessage | None:
        """A message by chat and id, deleted ones included."""
        for message in self.history.get(chat_id, []):
            if message.message_id == message_id:
                return message
        return None

    def update_message(self, message: ChatMessage, **changes: Any) -> ChatMessage:
        """Replaces a stored message by a changed copy and returns the copy."""
        changed = replace(message, **changes)
        messages = self.history[message.chat_id]
        index = next(i for i, m in enumerate(messages) if m.message_id == message.message_id)
        messages[index] = changed
        return changed

    def push_update(self, body: dict[str, Any]) -> InjectedUpdate:
        """Queues an update for getUpdates, or for the webhook when one is set."""
        update = {"update_id": self._next_update_id, **body}
        self._next_update_id += 1
        if self.webhook is not None:
            self.outbox.put_nowait(update)
        else:
            self.pending.append(update)
        self.touch()
        return InjectedUpdate(update["update_id"], update)

    def render(self, message: ChatMessage, *, with_reply: bool = True) -> dict[str, Any]:
        """The Bot API Message object for a stored message."""
        sender = self.bot if message.from_bot else self.users[message.sender_id]
        data: dict[str, Any] = {
            "message_id": message.message_id,
            "date": message.date,
            "chat": self.chats[message.chat_id].to_api(),
            "from": sender.to_api(),
        }
        if message.text is not None:
            data["text"] = message.text
            if message.entities:
                data["entities"] = list(message.entities)
        if message.caption is not None:
            data["caption"] = message.caption
            if message.entities:
                data["caption_entities"] = list(message.entities)
        if message.document is not None:
            data["document"] = _file_api(message.document) | {
                "file_name": message.document.filename,
                "mime_type": message.document.mime_type,
            }
        if message.photo is not None:
            photo = message.photo
            data["photo"] = [_file_api(photo) | {"width": photo.width, "height": photo.height}]
        if message.media_group_id is not None:
            data["media_group_id"] = message.media_group_id
        if message.reply_markup is not None and "inline_keyboard" in message.reply_markup:
            data["reply_markup"] = message.reply_markup
        if message.edit_date is not None:
            data["edit_date"] = message.edit_date
        replied = self.get_message(message.chat_id, message.reply_to or 0)
        if with_reply and replied is not None:
            data["reply_to_message"] = self.render(replied, with_reply=False)
        return data

    def touch(self) -> None:
        """Wakes every waiter soon; for synchronous code that cannot take the condition's lock."""
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return
        task = loop.create_task(self.notify())
        self._notifiers.add(task)
        task.add_done_callback(self._notifiers.discard)

    async def notify(self) -> None:
        """Wakes every waiter so it re-checks its condition."""
        async with self.changed:
            self.changed.notify_all()

    async def wait_until(self, predicate: Callable[[], bool], within: float) -> bool:
        """Waits (on the condition, no polling) until predicate() holds; False on timeout."""
        try:
            async with asyncio.timeout(within), self.changed:
                await self.changed.wait_for(lambda: predicate() or self.closing.is_set())
        except TimeoutError:
            return predicate()
        return predicate()


def _file_api(attachment: Attachment) -> dict[str, Any]:
    return {
        "file_id": attachment.file_id,
        "file_unique_id": attachment.file_unique_id,
        "file_size": attachment.size,
    }


Handler = Callable[[SandboxState, Params], Awaitable[Any]]
"""A Bot API method: answers a call's parameters with its result (or raises ApiError)."""
