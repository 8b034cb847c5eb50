"""A real PTB Application, by polling or webhook, converses with users the sandbox simulates."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import Conflict
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
)

from bot.sandbox import SandboxError, SandboxServer, serve_app
from bot.sandbox.webhook import SECRET_HEADER

ALICE = 42


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Greets with the /start argument and offers a button."""
    assert update.effective_message is not None
    assert context.args
    button = InlineKeyboardButton("签收 Sign", callback_data=f"sign:{context.args[0]}")
    await update.effective_message.reply_html(
        f"<b>任务 {context.args[0]}</b>", reply_markup=InlineKeyboardMarkup([[button]])
    )


async def sign(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Answers the press and replaces the message text."""
    query = update.callback_query
    assert query is not None
    await query.answer("已签收")
    await query.edit_message_text(f"signed {query.data}")


@pytest.fixture
async def application(
    sandbox: SandboxServer,
) -> AsyncIterator[Application[Any, Any, Any, Any, Any, Any]]:
    """A PTB Application polling the sandbox; stopped whatever the test does."""
    app = (
        ApplicationBuilder()
        .token(sandbox.token)
        .base_url(sandbox.base_url)
        .base_file_url(sandbox.base_file_url)
        .build()
    )
    app.add_handler(CommandHandler("start", start))
    app.add_handler(CallbackQueryHandler(sign))
    async with app:
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(timeout=5)
        try:
            yield app
        finally:
            await app.updater.stop()
            await app.stop()


async def test_polling_application_handles_command_and_button(
    application: Application[Any, Any, Any, Any, Any, Any], sandbox: SandboxServer
) -> None:
    sandbox.send_text(ALICE, "/start 7")
    [offer] = await sandbox.wait_for_message(ALICE, count=1)
    assert offer.text == "任务 7"
    assert offer.buttons == ((("签收 Sign", "sign:7"),),)

    with pytest.raises(SandboxError, match="no button"):
        sandbox.press(ALICE, offer.message_id, "sign:8")
    press = sandbox.press(ALICE, offer.message_id, "sign:7")
    await sandbox.wait_until(lambda: sandbox.last_message(ALICE).edited)
    assert sandbox.last_message(ALICE).text == "signed sign:7"
    assert press.query_id is not None
    await sandbox.wait_for_calls("answerCallbackQuery")
    assert sandbox.callback_answer(press.query_id) == {
        "text": "已签收",
        "show_alert": False,
        "url": None,
        "cache_time": None,
    }
    with pytest.raises(SandboxError, match="no button"):
        sandbox.press(ALICE, offer.message_id, "sign:7")  # the edit removed the keyboard


async def test_group_command_with_bot_name(
    application: Application[Any, Any, Any, Any, Any, Any], sandbox: SandboxServer
) -> None:
    joined = sandbox.add_to_group(-100555, "督办群")
    assert joined.data["my_chat_member"]["chat"]["type"] == "supergroup"
    sandbox.send_text(ALICE, "/start@annex_sandbox_bot 9", chat_id=-100555)
    [offer] = await sandbox.wait_for_message(-100555)
    assert offer.text == "任务 9"


async def test_user_edits_and_replies(sandbox: SandboxServer, bot: Bot) -> None:
    sent = await bot.send_message(ALICE, "进度?")
    reply = sandbox.reply_to(ALICE, sent.message_id, "50%")
    assert reply.data["message"]["reply_to_message"]["text"] == "进度?"
    assert reply.message_id is not None
    edit = sandbox.edit_text(ALICE, reply.message_id, "60%")
    assert edit.kind == "edited_message"
    assert edit.data["edited_message"]["text"] == "60%"
    with pytest.raises(SandboxError):
        sandbox.edit_text(ALICE, sent.message_id, "not mine")
    with pytest.raises(SandboxError):
        sandbox.send_text(999, "who am I")
    updates = await bot.get_updates()
    assert [u.effective_message.text for u in updates if u.effective_message] == ["50%", "60%"]
    with pytest.raises(TimeoutError, match="0 bot messages"):
        await sandbox.wait_for_message(-1, timeout=0.05)


async def test_webhook_delivery_with_secret(sandbox: SandboxServer, bot: Bot) -> None:
    received: list[tuple[str | None, dict[str, Any]]] = []
    statuses = iter([200, 500])

    async def hook(request: Request) -> Response:
        received.append((request.headers.get(SECRET_HEADER), await request.json()))
        return Response(status_code=next(statuses))

    receiver = Starlette(routes=[Route("/hook", hook, methods=["POST"])])
    async with serve_app(receiver) as receiver_url:
        sandbox.send_text(ALICE, "queued before the webhook")
        assert await bot.set_webhook(f"{receiver_url}/hook", secret_token="s3cret-token")
        with pytest.raises(Conflict, match="webhook is active"):
            await bot.get_updates()
        update = sandbox.send_text(ALICE, "/start 3")
        deliveries = await sandbox.wait_for_deliveries(2)
        info = await bot.get_webhook_info()
    assert [d.status for d in deliveries] == [200, 500]
    assert [r[0] for r in received] == ["s3cret-token", "s3cret-token"]
    assert received[1][1] == update.data
    assert info.url == f"{receiver_url}/hook"
    assert info.pending_update_count == 0
    assert info.last_error_message == "Wrong response from the webhook: 500 Internal Server Error"

    assert await bot.delete_webhook()
    sandbox.send_text(ALICE, "polling again")
    assert [u.update_id for u in await bot.get_updates()] == [3]
