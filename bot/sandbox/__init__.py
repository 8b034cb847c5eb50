"""A sandbox Telegram Bot API server: real HTTP on loopback, in-memory chats, injectable faults."""

from bot.sandbox.control import DEFAULT_TOKEN, SandboxControl
from bot.sandbox.errors import ApiError, SandboxError
from bot.sandbox.faults import Fault, Faults, ManualClock, RateEnforcer
from bot.sandbox.markup import HtmlParseError, parse_html
from bot.sandbox.models import (
    ApiCall,
    Attachment,
    ChatMessage,
    InjectedUpdate,
    User,
    WebhookDelivery,
)
from bot.sandbox.server import SandboxServer, build_app, serve_app

__all__ = [
    "DEFAULT_TOKEN",
    "ApiCall",
    "ApiError",
    "Attachment",
    "ChatMessage",
    "Fault",
    "Faults",
    "HtmlParseError",
    "InjectedUpdate",
    "ManualClock",
    "RateEnforcer",
    "SandboxControl",
    "SandboxError",
    "SandboxServer",
    "User",
    "WebhookDelivery",
    "build_app",
    "parse_html",
    "serve_app",
]
