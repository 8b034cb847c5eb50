"""The HTTP app: the webhook endpoint, called in-process (health: test_health.py)."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
from pydantic import SecretStr
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.applications import Starlette

from bot.chat.application import build_application
from bot.runtime import Runtime
from bot.sandbox import DEFAULT_TOKEN
from bot.settings import Settings
from bot.web.app import SECRET_HEADER, Webhook, build_web_app

SECRET = "s3cret-token_1"


def _settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path, telegram_token=SecretStr(DEFAULT_TOKEN))


@pytest.fixture
def webhook_app(
    session_factory: async_sessionmaker[AsyncSession], tmp_path: Path
) -> tuple[Starlette, Webhook]:
    """The web app with a webhook for an application built for webhook mode (not started)."""
    runtime = Runtime(settings=_settings(tmp_path), sessions=session_factory)
    application = build_application(runtime, polling=False)
    assert application.updater is None
    webhook = Webhook("/telegram", SECRET, application)
    return build_web_app(runtime, webhook=webhook), webhook


async def _post(app: Starlette, body: bytes, headers: dict[str, str]) -> httpx.Response:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://annexbot") as client:
        return await client.post("/telegram", content=body, headers=headers)


USER = {"id": 5, "is_bot": False, "first_name": "A"}
UPDATE = json.dumps(
    {
        "update_id": 7,
        "message": {
            "message_id": 1,
            "date": 0,
            "text": "hi",
            "chat": {"id": 5, "type": "private"},
            "from": USER,
        },
    }
).encode()


async def test_webhook_refuses_requests_without_the_secret(
    webhook_app: tuple[Starlette, Webhook],
) -> None:
    """No secret, or a wrong one: 403, and nothing reaches the bot."""
    app, webhook = webhook_app
    assert (await _post(app, UPDATE, {})).status_code == 403
    assert (await _post(app, UPDATE, {SECRET_HEADER: "wrong"})).status_code == 403
    assert webhook.application.update_queue.empty()


async def test_webhook_queues_an_update_with_the_secret(
    webhook_app: tuple[Starlette, Webhook],
) -> None:
    """With the secret, the update goes to the application's queue; garbage gets 400."""
    app, webhook = webhook_app
    assert (await _post(app, UPDATE, {SECRET_HEADER: SECRET})).status_code == 200
    update = webhook.application.update_queue.get_nowait()
    assert update.update_id == 7
    assert update.effective_message.text == "hi"
    for garbage in (b"not json", b"null", b"[1]", b"{}"):
        assert (await _post(app, garbage, {SECRET_HEADER: SECRET})).status_code == 400
    assert webhook.application.update_queue.empty()
