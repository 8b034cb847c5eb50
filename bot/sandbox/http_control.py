"""A small HTTP face of the control API under /sandbox/, for driving the bot by hand (curl)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from bot.sandbox.errors import SandboxError

if TYPE_CHECKING:
    from bot.sandbox.control import SandboxControl


def control_routes(control: SandboxControl) -> list[Route]:
    """Routes: POST /sandbox/users, /sandbox/send_text, /sandbox/press; GET /sandbox/chats/<id>."""

    async def body(request: Request) -> dict[str, Any]:
        data = json.loads(await request.body() or b"{}")
        if not isinstance(data, dict):
            raise SandboxError("a JSON object is expected")
        return data

    async def guarded(request: Request, action: str) -> Response:
        try:
            data = await body(request)
            if action == "users":
                user = control.add_user(
                    int(data["user_id"]),
                    str(data.get("first_name", "User")),
                    username=data.get("username"),
                    language_code=data.get("language_code", "zh-hans"),
                )
                return JSONResponse(user.to_api())
            chat_id = data.get("chat_id")
            if action == "send_text":
                update = control.send_text(int(data["user_id"]), str(data["text"]), chat_id=chat_id)
            else:
                update = control.press(
                    int(data["user_id"]),
                    int(data["message_id"]),
                    str(data["callback_data"]),
                    chat_id=chat_id,
                )
            return JSONResponse(update.data)
        except (SandboxError, KeyError, ValueError, TypeError) as error:
            return JSONResponse({"error": str(error)}, status_code=400)

    async def users(request: Request) -> Response:
        return await guarded(request, "users")

    async def send_text(request: Request) -> Response:
        return await guarded(request, "send_text")

    async def press(request: Request) -> Response:
        return await guarded(request, "press")

    async def chat(request: Request) -> Response:
        try:
            chat_id = int(request.path_params["chat_id"])
        except ValueError:
            return JSONResponse({"error": "chat id must be an integer"}, status_code=400)
        messages = control.messages(chat_id, include_user=True)
        return JSONResponse([control.state.render(m) | {"deleted": m.deleted} for m in messages])

    return [
        Route("/sandbox/users", users, methods=["POST"]),
        Route("/sandbox/send_text", send_text, methods=["POST"]),
        Route("/sandbox/press", press, methods=["POST"]),
        Route("/sandbox/chats/{chat_id}", chat, methods=["GET"]),
    ]
