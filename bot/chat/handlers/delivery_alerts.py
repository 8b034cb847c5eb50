"""Alerts to coordinators about deliveries that failed and members who blocked the bot."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession
from telegram.ext import Application

from bot.delivery.sender import Rendered, renderer
from bot.i18n import tr
from bot.render import esc, trim
from workflows.outbox.sending import OutgoingMessage

ERROR_WIDTH = 120


@renderer("delivery_failed")
async def render_delivery_failed(message: OutgoingMessage, _session: AsyncSession) -> Rendered:
    """A message the bot gave up on: to whom, what kind, after how many attempts, why."""
    payload, language = message.payload, message.language
    params = {
        "kind": esc(payload.get("kind", "?")),
        "attempts": int(payload.get("attempts", 0)),
        "delivery": int(payload.get("delivery_id", 0)),
    }
    if payload.get("member"):
        head = tr(
            language,
            "⚠️ A message to {member} could not be delivered after {attempts} attempts "
            "({kind}, delivery {delivery}).",
            member=esc(payload["member"]),
            **params,
        )
    else:
        head = tr(
            language,
            "⚠️ A message to chat {chat} could not be delivered after {attempts} attempts "
            "({kind}, delivery {delivery}).",
            chat=int(payload.get("chat_id", 0)),
            **params,
        )
    error = tr(
        language, "Last error: {error}", error=esc(trim(str(payload.get("error")), ERROR_WIDTH))
    )
    return Rendered(f"{head}\n{error}")


@renderer("member_unreachable")
async def render_member_unreachable(message: OutgoingMessage, _session: AsyncSession) -> Rendered:
    """A member blocked the bot: who, of which agency, and who receives their messages now."""
    payload, language = message.payload, message.language
    if payload.get("agency"):
        head = tr(
            language,
            "⛔ {member} ({agency}) has blocked the bot and no longer receives its messages.",
            member=esc(payload.get("member", "?")),
            agency=esc(payload["agency"]),
        )
    else:
        head = tr(
            language,
            "⛔ {member} has blocked the bot and no longer receives its messages.",
            member=esc(payload.get("member", "?")),
        )
    others = payload.get("rerouted_to") or []
    if others:
        tail = tr(
            language,
            "Their messages now go to: {names}.",
            names=esc("、".join(str(name) for name in others)),
        )
    else:
        tail = tr(language, "Nobody else can receive them instead: please contact them directly.")
    return Rendered(f"{head}\n{tail}")


def register(_application: Application) -> None:  # type: ignore[type-arg]
    """The renderers register themselves on import; there are no handlers."""
