"""Plain records of the sandbox world: users, chats, messages, files, updates, calls."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

Button = tuple[str, str]
"""An inline button as a test reads it: (text, callback_data or url)."""


@dataclass(frozen=True)
class User:
    """A Telegram user (or the bot itself)."""

    id: int
    first_name: str
    username: str | None = None
    language_code: str | None = None
    is_bot: bool = False

    def to_api(self) -> dict[str, Any]:
        """The Bot API User object."""
        data: dict[str, Any] = {"id": self.id, "is_bot": self.is_bot, "first_name": self.first_name}
        if self.username:
            data["username"] = self.username
        if self.language_code:
            data["language_code"] = self.language_code
        return data


@dataclass(frozen=True)
class Chat:
    """A private chat (id = the user's id) or a group (negative id)."""

    id: int
    type: str
    title: str | None = None
    first_name: str | None = None
    username: str | None = None

    def to_api(self) -> dict[str, Any]:
        """The Bot API Chat object."""
        data: dict[str, Any] = {"id": self.id, "type": self.type}
        for key in ("title", "first_name", "username"):
            if getattr(self, key):
                data[key] = getattr(self, key)
        return data


@dataclass(frozen=True)
class Attachment:
    """A file the bot sent: its kind (photo, document), bytes (None if sent by URL), name, type."""

    file_id: str
    file_unique_id: str
    file_path: str
    filename: str | None
    mime_type: str
    data: bytes | None
    url: str | None = None
    kind: str = "document"
    width: int = 0
    height: int = 0

    @property
    def size(self) -> int:
        """Size in bytes (0 for files sent by URL)."""
        return len(self.data or b"")


@dataclass(frozen=True)
class ChatMessage:
    """One message in a chat as the sandbox keeps it, with its current state."""

    chat_id: int
    message_id: int
    sender_id: int
    date: int
    from_bot: bool = True
    text: str | None = None
    entities: tuple[dict[str, Any], ...] = ()
    source: str | None = None
    parse_mode: str | None = None
    caption: str | None = None
    buttons: tuple[tuple[Button, ...], ...] = ()
    reply_markup: dict[str, Any] | None = None
    reply_to: int | None = None
    document: Attachment | None = None
    photo: Attachment | None = None
    media_group_id: str | None = None
    edited: bool = False
    edit_date: int | None = None
    deleted: bool = False
    history: tuple[str | None, ...] = ()

    @property
    def callback_data(self) -> list[str]:
        """Every button target on the message, in reading order."""
        return [target for row in self.buttons for _, target in row]


@dataclass(frozen=True)
class InjectedUpdate:
    """An update the sandbox produced for the bot, as Telegram would send it."""

    update_id: int
    data: dict[str, Any]

    @property
    def kind(self) -> str:
        """The update's type: message, edited_message, callback_query, my_chat_member, ..."""
        return next(key for key in self.data if key != "update_id")

    @property
    def message_id(self) -> int | None:
        """The id of the message this update carries or refers to."""
        body = self.data[self.kind]
        message = body.get("message", body)
        return message.get("message_id") if isinstance(message, dict) else None

    @property
    def query_id(self) -> str | None:
        """The callback query id, for callback_query updates."""
        query = self.data.get("callback_query")
        return str(query["id"]) if query else None


@dataclass
class ApiCall:
    """One Bot API request the bot made, with its decoded parameters and outcome."""

    method: str
    params: dict[str, Any]
    at: float
    status: int | None = None
    description: str | None = None

    @property
    def ok(self) -> bool:
        """Whether the sandbox answered it successfully."""
        return self.status == 200


@dataclass
class WebhookConfig:
    """The webhook set with setWebhook, and how delivery to it has gone."""

    url: str
    secret_token: str | None = None
    max_connections: int = 40
    allowed_updates: list[str] | None = None
    last_error_date: int | None = None
    last_error_message: str | None = None


@dataclass(frozen=True)
class WebhookDelivery:
    """One POST of an update to the webhook and the HTTP status it got (None if it failed)."""

    update_id: int
    url: str
    status: int | None
    error: str | None = None
