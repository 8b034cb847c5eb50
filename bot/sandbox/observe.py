"""Reading back what the bot did: messages, calls, answers, commands, webhook deliveries."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bot.sandbox.commands import scope_key
from bot.sandbox.errors import SandboxError
from bot.sandbox.models import ApiCall, ChatMessage, WebhookDelivery
from bot.sandbox.state import SandboxState


class SandboxObservations:
    """Queries and waits over the sandbox state (waits use its asyncio.Condition, never polling)."""

    state: SandboxState

    def messages(self, chat_id: int, *, include_user: bool = False) -> list[ChatMessage]:
        """Every message the bot sent to a chat, in order, with edits and deletions applied."""
        history = self.state.history.get(chat_id, [])
        return [m for m in history if include_user or m.from_bot]

    def last_message(self, chat_id: int) -> ChatMessage:
        """The bot's latest message to a chat (raises SandboxError if it sent none)."""
        sent = self.messages(chat_id)
        if not sent:
            raise SandboxError(f"the bot has sent nothing to chat {chat_id}")
        return sent[-1]

    def calls(self, method: str | None = None) -> list[ApiCall]:
        """Every Bot API call received (optionally of one method), with parameters and outcome."""
        wanted = method.lower() if method else None
        return [c for c in self.state.calls if wanted is None or c.method.lower() == wanted]

    def callback_answer(self, query_id: str) -> dict[str, Any] | None:
        """How the bot answered a callback query (text, show_alert, url, cache_time), if it did."""
        return self.state.answers.get(query_id)

    def commands(
        self, *, scope: dict[str, Any] | None = None, language_code: str = ""
    ) -> list[tuple[str, str]]:
        """The bot's command list for a scope and language, as (command, description)."""
        listed = self.state.commands.get(scope_key(scope, language_code), [])
        return [(c["command"], c["description"]) for c in listed]

    @property
    def webhook_deliveries(self) -> list[WebhookDelivery]:
        """Every POST of an update to the webhook, with the HTTP status it got."""
        return list(self.state.deliveries)

    async def wait_until(
        self,
        predicate: Callable[[], bool],
        timeout: float = 5.0,  # noqa: ASYNC109 - the API tests were promised
    ) -> None:
        """Waits for predicate() to hold, re-checking on each change; TimeoutError otherwise."""
        if not await self.state.wait_until(predicate, timeout):
            raise TimeoutError(f"condition still false after {timeout}s")

    async def wait_for_message(
        self,
        chat_id: int,
        count: int = 1,
        timeout: float = 5.0,  # noqa: ASYNC109 - the API tests were promised
    ) -> list[ChatMessage]:
        """Waits until the bot has sent at least `count` messages to the chat; returns them."""
        if not await self.state.wait_until(lambda: len(self.messages(chat_id)) >= count, timeout):
            raise TimeoutError(
                f"chat {chat_id} has {len(self.messages(chat_id))} bot messages after "
                f"{timeout}s, expected {count}; calls: {[c.method for c in self.state.calls]}"
            )
        return self.messages(chat_id)

    async def wait_for_calls(
        self,
        method: str,
        count: int = 1,
        timeout: float = 5.0,  # noqa: ASYNC109 - the API tests were promised
    ) -> list[ApiCall]:
        """Waits until `count` calls of a method have been answered; returns them."""

        def answered() -> list[ApiCall]:
            return [c for c in self.calls(method) if c.status is not None]

        if not await self.state.wait_until(lambda: len(answered()) >= count, timeout):
            raise TimeoutError(f"{len(answered())} answered {method} calls, expected {count}")
        return answered()

    async def wait_for_deliveries(
        self,
        count: int = 1,
        timeout: float = 5.0,  # noqa: ASYNC109 - the API tests were promised
    ) -> list[WebhookDelivery]:
        """Waits until `count` webhook deliveries have been attempted; returns them."""
        if not await self.state.wait_until(lambda: len(self.state.deliveries) >= count, timeout):
            raise TimeoutError(f"{len(self.state.deliveries)} webhook deliveries, wanted {count}")
        return list(self.state.deliveries)
