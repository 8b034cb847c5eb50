"""Door two, the Telegram Mini App, and the board's one form: a status report.

Telegram signs a Mini App's initData: the hash is HMAC-SHA-256 of the data-check-string
(every other field as key=value, sorted, joined by newlines) under the key
HMAC-SHA-256("WebAppData", bot token). A checked initData opens the same session as a /web
link; reports are saved by the workflow functions the chat's buttons use.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import urllib.parse

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from bot.runtime import Runtime
from bot.web.board import form_fields, signed_in, status_of
from bot.web.pages import (
    PRIVATE_HEADERS,
    csrf_ok,
    error_page,
    render,
    request_language,
    set_session,
)
from workflows.access import Actor
from workflows.errors import AnnexbotError, ForbiddenError, InvalidInputError
from workflows.reports import add_note, parse_percent, save_report
from workflows.web_access import open_miniapp_session

INIT_DATA_MAX_AGE = dt.timedelta(hours=1)
CLOCK_SKEW = dt.timedelta(minutes=5)


class InitDataError(ValueError):
    """initData that Telegram did not sign, or signed too long ago."""


def init_data_hash(fields: dict[str, str], bot_token: str) -> str:
    """The hash Telegram puts in initData for these fields."""
    check = "\n".join(f"{key}={fields[key]}" for key in sorted(fields) if key != "hash")
    secret = hmac.new(b"WebAppData", bot_token.encode(), hashlib.sha256).digest()
    return hmac.new(secret, check.encode(), hashlib.sha256).hexdigest()


def telegram_user(init_data: str, bot_token: str, now: dt.datetime) -> int:
    """The Telegram user id of a genuine, fresh initData; InitDataError otherwise."""
    pairs = urllib.parse.parse_qsl(init_data, keep_blank_values=True, strict_parsing=False)
    fields = dict(pairs)
    if len(fields) != len(pairs) or "hash" not in fields:
        raise InitDataError("malformed initData")
    if not hmac.compare_digest(init_data_hash(fields, bot_token), fields["hash"]):
        raise InitDataError("initData hash does not match")
    try:
        signed_at = dt.datetime.fromtimestamp(int(fields["auth_date"]), dt.UTC)
        user = json.loads(fields["user"])
        user_id = int(user["id"])
    except (KeyError, ValueError, TypeError) as error:
        raise InitDataError("initData without auth_date or user") from error
    if not now - INIT_DATA_MAX_AGE <= signed_at <= now + CLOCK_SKEW:
        raise InitDataError("stale initData")
    return user_id


def _miniapp_routes(runtime: Runtime) -> list[BaseRoute]:
    """GET /app, the page Telegram opens; POST /app/session, where it sends initData."""

    async def page(request: Request) -> Response:
        return render(request, "miniapp.html", request_language(request, None))

    async def session(request: Request) -> Response:
        fields = await form_fields(request)
        language = request_language(request, None)
        token = runtime.settings.telegram_token
        try:
            if token is None:
                raise InitDataError("no bot token")
            user_id = telegram_user(
                fields.get("initData", ""), token.get_secret_value(), runtime.now()
            )
        except InitDataError:
            refused = ForbiddenError(
                "Telegram did not vouch for this request. Open the board again."
            )
            return error_page(request, refused, language, 403)
        try:
            async with runtime.session() as db:
                opened = await open_miniapp_session(
                    session=db, telegram_id=user_id, now=runtime.now()
                )
        except AnnexbotError as error:
            return error_page(request, error, language, status_of(error))
        response = RedirectResponse("/board", status_code=303, headers=PRIVATE_HEADERS)
        set_session(response, opened, runtime)
        return response

    return [
        Route("/app", page, methods=["GET"]),
        Route("/app/session", session, methods=["POST"]),
    ]


def _percent(text: str) -> int | None:
    """The form's percent: blank for none, else 0 to 100."""
    return None if not text.strip() else parse_percent(text)


def _report_route(runtime: Runtime) -> Route:
    """POST a task's report form: status and percent, then the note, as the chat saves them."""

    async def report(request: Request, actor: Actor) -> Response:
        fields = await form_fields(request)
        if not csrf_ok(request, fields.get("csrf", "")):
            raise ForbiddenError("This form is out of date. Open the page again.")
        status = fields.get("status", "")
        try:
            task_id, token = int(fields.get("task", "")), int(fields.get("token", ""))
        except ValueError:
            raise InvalidInputError("This form is out of date. Open the page again.") from None
        percent = 100 if status == "done" else _percent(fields.get("percent", ""))
        async with runtime.session() as session:
            saved = await save_report(
                session,
                telegram_id=actor.telegram_id,
                task_id=task_id,
                status=status,
                percent=percent,
                token=token,
                now=runtime.now(),
            )
            note = fields.get("note", "").strip()
            if note and not saved.repeated:
                await add_note(
                    session,
                    telegram_id=actor.telegram_id,
                    task_id=task_id,
                    text=note,
                    now=runtime.now(),
                )
        path = request.url.path.removesuffix("/report")
        return RedirectResponse(f"{path}?saved=1", status_code=303, headers=PRIVATE_HEADERS)

    return Route(
        "/board/{plan}/task/{number:int}/report", signed_in(runtime, report), methods=["POST"]
    )


def routes(runtime: Runtime) -> list[BaseRoute]:
    """The routes this module adds to the HTTP app."""
    return [*_miniapp_routes(runtime), _report_route(runtime)]
