"""The board tests' cast: the running bot, its HTTP app, a browser-like client and initData."""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import urllib.parse

import httpx
import pytest

from bot.sandbox import ChatMessage
from bot.web.app import build_web_app, module_routes
from tests.bot.harness import BotHarness
from tests.kit.report_cards import people

BASE = "https://annexbot.example.org"


@pytest.fixture
async def bot(harness: BotHarness) -> BotHarness:
    """The harness with the report tests' cast (科技部 leads tasks 3 and 4, 发展改革委 co on 3)."""
    return await people(harness)


def client(bot: BotHarness) -> httpx.AsyncClient:
    """A browser on the bot's HTTP app (cookies kept, redirects not followed)."""
    app = build_web_app(bot.runtime, routes=module_routes(bot.runtime))
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE)


def button_url(message: ChatMessage, text: str) -> str:
    """The address behind a button whose label contains a text."""
    return next(url for row in message.buttons for label, url in row if text in label)


async def web_link(bot: BotHarness, user_id: int) -> str:
    """The path of a fresh /web sign-in link, as the chat gives it."""
    [answer] = await bot.send(user_id, "/web")
    return button_url(answer, "🔑").removeprefix(BASE)


async def sign_in(bot: BotHarness, browser: httpx.AsyncClient, user_id: int) -> httpx.Response:
    """Open a /web link and press Sign in; returns the answer to the press."""
    path = await web_link(bot, user_id)
    page = await browser.get(path)
    token = re.search(r'name="token" value="([^"]+)"', page.text)
    assert token is not None
    return await browser.post("/web/sign-in", data={"token": token.group(1)})


def init_data(bot_token: str, user_id: int, auth_date: int, **extra: str) -> str:
    """initData signed as Telegram signs it."""
    fields = {
        "auth_date": str(auth_date),
        "query_id": "AAHdF6IQAAAAAN0XohDhrOrc",
        "user": json.dumps({"id": user_id, "first_name": "Li", "language_code": "zh-hans"}),
        **extra,
    }
    check = "\n".join(f"{key}={fields[key]}" for key in sorted(fields))
    secret = hmac.new(b"WebAppData", bot_token.encode(), hashlib.sha256).digest()
    fields["hash"] = hmac.new(secret, check.encode(), hashlib.sha256).hexdigest()
    return urllib.parse.urlencode(fields)


def csrf(page: httpx.Response) -> str:
    """The CSRF token of a page's forms."""
    found = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert found is not None
    return found.group(1)


def form_value(page: httpx.Response, name: str) -> str:
    """A hidden field's value on a page."""
    found = re.search(rf'name="{name}" value="([^"]*)"', page.text)
    assert found is not None
    return found.group(1)
