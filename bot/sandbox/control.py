"""The in-process control API: people and chats, what users do, and what the bot did."""

from __future__ import annotations

import json
import mimetypes
import time
from collections.abc import Callable
from pathlib import PurePosixPath
from typing import Any

from bot.sandbox.errors import SandboxError
from bot.sandbox.faults import Faults
from bot.sandbox.markup import command_entities
from bot.sandbox.models import Attachment, Chat, ChatMessage, InjectedUpdate, User
from bot.sandbox.observe import SandboxObservations
from bot.sandbox.state import SandboxState

DEFAULT_TOKEN = "123456:SANDBOX-TOKEN"


class SandboxControl(SandboxObservations):
    """Drives the sandbox like Telegram's users would, and reads back what the bot sent."""

    def __init__(
        self,
        token: str = DEFAULT_TOKEN,
        *,
        bot_username: str = "annex_sandbox_bot",
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], float] = time.time,
    ) -> None:
        prefix = token.split(":", 1)[0]
        bot_id = int(prefix) if prefix.isdigit() else 1_000_000
        bot = User(bot_id, "Annex Sandbox", bot_username, is_bot=True)
        self.state = SandboxState(token=token, bot=bot, clock=clock, wall_clock=wall_clock)
        self.faults = Faults(clock)

    @property
    def token(self) -> str:
        """The only token the sandbox accepts."""
        return self.state.token

    @property
    def bot(self) -> User:
        """The bot's own user, as getMe reports it."""
        return self.state.bot

    def add_user(
        self,
        user_id: int,
        first_name: str,
        *,
        username: str | None = None,
        language_code: str | None = "zh-hans",
    ) -> User:
        """Registers a user who has a private chat with the bot (chat id = user id)."""
        if user_id <= 0:
            raise SandboxError("user ids are positive")
        user = User(user_id, first_name, username, language_code)
        self.state.users[user_id] = user
        chat = Chat(user_id, "private", first_name=first_name, username=username)
        self.state.chats[user_id] = chat
        return user

    def add_to_group(
        self, chat_id: int, title: str, *, by_user: int | None = None
    ) -> InjectedUpdate:
        """Adds the bot to a group (ids starting -100 are supergroups); a my_chat_member update."""
        if chat_id >= 0:
            raise SandboxError("group chat ids are negative")
        kind = "supergroup" if str(chat_id).startswith("-100") else "group"
        chat = Chat(chat_id, kind, title=title)
        self.state.chats[chat_id] = chat
        return self._member_update(chat, by_user, "left", "member")

    def block_user(self, user_id: int, *, notify: bool = True) -> InjectedUpdate | None:
        """The user blocks the bot: sends get 403; if notify, a my_chat_member "kicked" update."""
        self.faults.block(user_id)
        if not notify:
            return None
        return self._member_update(self._chat(user_id), user_id, "member", "kicked")

    def _member_update(self, chat: Chat, by_user: int | None, old: str, new: str) -> InjectedUpdate:
        users = list(self.state.users)
        if by_user is None and not users:
            raise SandboxError("add a user first: a my_chat_member update needs who did it")
        actor = self._user(by_user if by_user is not None else users[0])
        bot = self.state.bot.to_api()
        extra: dict[str, Any] = {"until_date": 0} if new == "kicked" else {}
        return self.state.push_update(
            {
                "my_chat_member": {
                    "chat": chat.to_api(),
                    "from": actor.to_api(),
                    "date": self.state.now(),
                    "old_chat_member": {"status": old, "user": bot},
                    "new_chat_member": {"status": new, "user": bot, **extra},
                }
            }
        )

    def _user(self, user_id: int) -> User:
        if user_id not in self.state.users:
            raise SandboxError(f"unknown user {user_id}: add_user() (POST /sandbox/users) first")
        return self.state.users[user_id]

    def _chat(self, chat_id: int) -> Chat:
        if chat_id not in self.state.chats:
            raise SandboxError(
                f"unknown chat {chat_id}: add_user() (POST /sandbox/users) or add_to_group() first"
            )
        return self.state.chats[chat_id]

    def _message(self, chat_id: int, message_id: int) -> ChatMessage:
        message = self.state.get_message(chat_id, message_id)
        if message is None or message.deleted:
            raise SandboxError(f"no message {message_id} in chat {chat_id} (or it was deleted)")
        return message

    def send_text(self, user_id: int, text: str, *, chat_id: int | None = None) -> InjectedUpdate:
        """The user sends text (to the private chat, or to chat_id); a leading /cmd is a command."""
        return self._user_message(user_id, text, chat_id, None)

    def reply_to(
        self, user_id: int, message_id: int, text: str, *, chat_id: int | None = None
    ) -> InjectedUpdate:
        """The user replies to a message with text."""
        self._message(user_id if chat_id is None else chat_id, message_id)
        return self._user_message(user_id, text, chat_id, message_id)

    def _user_message(
        self, user_id: int, text: str, chat_id: int | None, reply_to: int | None
    ) -> InjectedUpdate:
        self._user(user_id)
        chat = self._chat(user_id if chat_id is None else chat_id)
        if not text:
            raise SandboxError("Telegram clients cannot send empty text")
        message = ChatMessage(
            chat_id=chat.id,
            message_id=self.state.next_message_id(chat.id),
            sender_id=user_id,
            date=self.state.now(),
            from_bot=False,
            text=text,
            entities=command_entities(text),
            reply_to=reply_to,
        )
        self.state.add_message(message)
        return self.state.push_update({"message": self.state.render(message)})

    def send_document(
        self,
        user_id: int,
        filename: str,
        data: bytes,
        *,
        caption: str | None = None,
        mime_type: str | None = None,
    ) -> InjectedUpdate:
        """The user sends a file to their private chat with the bot (with an optional caption)."""
        self._user(user_id)
        chat = self._chat(user_id)
        if not data:
            raise SandboxError("Telegram clients cannot send an empty file")
        serial = self.state.next_serial()
        attachment = Attachment(
            file_id=f"SANDBOX-UPLOAD-{serial:06d}",
            file_unique_id=f"U{serial:06d}",
            file_path=f"documents/upload_{serial}{PurePosixPath(filename).suffix}",
            filename=filename,
            mime_type=mime_type or mimetypes.guess_type(filename)[0] or "application/octet-stream",
            data=data,
        )
        self.state.files[attachment.file_id] = attachment
        message = ChatMessage(
            chat_id=chat.id,
            message_id=self.state.next_message_id(chat.id),
            sender_id=user_id,
            date=self.state.now(),
            from_bot=False,
            caption=caption,
            document=attachment,
        )
        self.state.add_message(message)
        return self.state.push_update({"message": self.state.render(message)})

    def press(
        self, user_id: int, message_id: int, callback_data: str, *, chat_id: int | None = None
    ) -> InjectedUpdate:
        """The user presses the inline button carrying callback_data; it must be on the message."""
        user = self._user(user_id)
        message = self._message(user_id if chat_id is None else chat_id, message_id)
        rows = (message.reply_markup or {}).get("inline_keyboard", [])
        offered = [b.get("callback_data") for row in rows for b in row if "callback_data" in b]
        if callback_data not in offered:
            shown = json.dumps(message.buttons, ensure_ascii=False)
            raise SandboxError(
                f"no button with callback_data {callback_data!r} on message {message_id} "
                f"in chat {message.chat_id}; buttons: {shown}"
            )
        query_id = str(4_000_000_000 + self.state.next_serial())
        self.state.open_queries[query_id] = (message.chat_id, message_id)
        return self.state.push_update(
            {
                "callback_query": {
                    "id": query_id,
                    "from": user.to_api(),
                    "message": self.state.render(message),
                    "chat_instance": f"sandbox{message.chat_id}",
                    "data": callback_data,
                }
            }
        )

    def edit_text(
        self, user_id: int, message_id: int, new_text: str, *, chat_id: int | None = None
    ) -> InjectedUpdate:
        """The user edits one of their own messages; an edited_message update."""
        message = self._message(user_id if chat_id is None else chat_id, message_id)
        if message.from_bot or message.sender_id != user_id:
            raise SandboxError(f"message {message_id} was not sent by user {user_id}")
        changed = self.state.update_message(
            message,
            text=new_text,
            entities=command_entities(new_text),
            edited=True,
            edit_date=self.state.now(),
            history=(*message.history, message.text),
        )
        return self.state.push_update({"edited_message": self.state.render(changed)})
