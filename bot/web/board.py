"""The plan board's pages: sign-in by /web link, the plans, a plan's board, a task, an agency.

Every page reads through workflows/web_board.py, which asks the chat's own workflows what
the member may see; nothing here decides access.
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from bot.files.workbooks import history_table, matrix_table
from bot.i18n import N_
from bot.runtime import Runtime
from bot.web.pages import (
    COOKIE,
    PRIVATE_HEADERS,
    clear_session,
    csrf_of,
    csrf_ok,
    current_actor,
    error_page,
    render,
    request_language,
    set_session,
)
from workflows.access import Actor
from workflows.errors import AnnexbotError, ForbiddenError, NotFoundError, NotRegisteredError
from workflows.exports import ExportData
from workflows.lights import Light
from workflows.plans import plan_summaries
from workflows.web_access import redeem_sign_in, sign_out
from workflows.web_board import BoardFilter, BoardRow, plan_board
from workflows.web_pages import agency_page, task_page

LEAD_TITLE, CO_TITLE = N_("As lead unit"), N_("As co-responsible unit")
Page = Callable[[Request, Actor], Awaitable[Response]]
SORTS: dict[str, Callable[[BoardRow], tuple[object, ...]]] = {
    "number": lambda row: (row.number,),
    "light": lambda row: ([Light.RED, Light.YELLOW, Light.GREEN].index(row.light), row.number),
    "due": lambda row: (row.due_on is None, row.due_on or 0, row.number),
}


async def form_fields(request: Request) -> dict[str, str]:
    """A urlencoded form's fields (the first value of each)."""
    body = (await request.body()).decode("utf-8", errors="replace")
    return {key: values[0] for key, values in urllib.parse.parse_qs(body).items()}


def status_of(error: AnnexbotError) -> int:
    """The HTTP status of a domain error."""
    if isinstance(error, NotFoundError):
        return 404
    if isinstance(error, ForbiddenError | NotRegisteredError):
        return 403
    return 409


def signed_in(runtime: Runtime, page: Page) -> Callable[[Request], Awaitable[Response]]:
    """A page for members with a live session; others are asked to sign in from the chat."""

    async def endpoint(request: Request) -> Response:
        actor = await current_actor(request, runtime)
        if actor is None:
            language = request_language(request, None)
            return render(request, "message.html", language, status=401, message=None)
        try:
            return await page(request, actor)
        except AnnexbotError as error:
            return error_page(request, error, actor.language, status_of(error), actor)

    return endpoint


def _filter(request: Request) -> BoardFilter:
    """The board's filter from the query string; unknown values are ignored."""
    query = request.query_params
    light = query.get("light", "")
    state = query.get("state", "")
    return BoardFilter(
        light=Light(light) if light in Light.__members__.values() else None,
        unit=query.get("unit") or None,
        overdue=query.get("overdue") == "1",
        silent=query.get("silent") == "1",
        state=state if state in ("open", "closed") else None,
    )


def _sign_in_routes(runtime: Runtime) -> list[BaseRoute]:
    """GET shows the link's page (link previews must not use it up); POST signs in; sign-out."""

    async def show(request: Request) -> Response:
        language = request_language(request, None)
        return render(request, "sign_in.html", language, token=request.path_params["token"])

    async def sign_in(request: Request) -> Response:
        fields = await form_fields(request)
        try:
            async with runtime.session() as session:
                opened = await redeem_sign_in(
                    session=session, token=fields.get("token", ""), now=runtime.now()
                )
        except AnnexbotError as error:
            return error_page(request, error, request_language(request, None), 403)
        response = RedirectResponse("/board", status_code=303, headers=PRIVATE_HEADERS)
        set_session(response, opened, runtime)
        return response

    async def leave(request: Request) -> Response:
        fields = await form_fields(request)
        if not csrf_ok(request, fields.get("csrf", "")):
            return render(
                request, "message.html", request_language(request, None), 403, message=None
            )
        async with runtime.session() as session:
            await sign_out(
                session=session, token=request.cookies.get(COOKIE, ""), now=runtime.now()
            )
        response = RedirectResponse("/web/signed-out", status_code=303, headers=PRIVATE_HEADERS)
        clear_session(response, runtime)
        return response

    async def signed_out(request: Request) -> Response:
        return render(
            request, "message.html", request_language(request, None), signed_out=True, message=None
        )

    return [
        Route("/web/sign-in/{token}", show, methods=["GET"]),
        Route("/web/sign-in", sign_in, methods=["POST"]),
        Route("/web/sign-out", leave, methods=["POST"]),
        Route("/web/signed-out", signed_out, methods=["GET"]),
    ]


def _page_routes(runtime: Runtime) -> list[BaseRoute]:
    """The reading pages."""

    async def plans(request: Request, actor: Actor) -> Response:
        async with runtime.session() as session:
            language, summaries = await plan_summaries(
                session,
                telegram_id=actor.telegram_id,
                now=runtime.now(),
                checkin_days=runtime.settings.checkin_days,
            )
        return render(
            request, "plans.html", language, actor=actor, csrf=csrf_of(request), plans=summaries
        )

    async def board(request: Request, actor: Actor) -> Response:
        chosen = _filter(request)
        async with runtime.session() as session:
            found = await plan_board(
                session=session,
                telegram_id=actor.telegram_id,
                plan_code=request.path_params["plan"],
                chosen=chosen,
                now=runtime.now(),
                checkin_days=runtime.settings.checkin_days,
            )
        sort = request.query_params.get("sort", "number")

        def url(**changes: str | None) -> str:
            merged = {**request.query_params, **changes}
            kept = {key: value for key, value in merged.items() if value}
            return "?" + urllib.parse.urlencode(kept) if kept else request.url.path

        rows = sorted(found.rows, key=SORTS.get(sort, SORTS["number"]))
        return render(
            request,
            "board.html",
            found.language,
            actor=actor,
            csrf=csrf_of(request),
            board=found,
            rows=rows,
            chosen=chosen,
            sort=sort,
            query=dict(request.query_params),
            url=url,
        )

    async def task(request: Request, actor: Actor) -> Response:
        plan = request.path_params["plan"]
        async with runtime.session() as session:
            found = await task_page(
                session=session,
                telegram_id=actor.telegram_id,
                plan_code=plan,
                number=request.path_params["number"],
                now=runtime.now(),
            )
        data = ExportData(plan, None, runtime.now(), {plan: found.timezone}, (), found.history)
        return render(
            request,
            "task.html",
            found.language,
            actor=actor,
            csrf=csrf_of(request),
            page=found,
            history=history_table(data, found.language),
            saved=request.query_params.get("saved"),
        )

    async def agency(request: Request, actor: Actor) -> Response:
        plan = request.path_params["plan"]
        async with runtime.session() as session:
            found = await agency_page(
                session=session,
                telegram_id=actor.telegram_id,
                plan_code=plan,
                agency=request.path_params["agency"],
                now=runtime.now(),
            )
        zones = {plan: found.timezone}
        tables = [
            (
                title,
                matrix_table(
                    ExportData(plan, found.agency, runtime.now(), zones, rows, ()), found.language
                ),
            )
            for title, rows in ((LEAD_TITLE, found.lead), (CO_TITLE, found.co))
        ]
        return render(
            request,
            "agency.html",
            found.language,
            actor=actor,
            csrf=csrf_of(request),
            page=found,
            tables=tables,
        )

    return [
        Route("/board", signed_in(runtime, plans), methods=["GET"]),
        Route("/board/{plan}", signed_in(runtime, board), methods=["GET"]),
        Route("/board/{plan}/task/{number:int}", signed_in(runtime, task), methods=["GET"]),
        Route("/board/{plan}/agency/{agency}", signed_in(runtime, agency), methods=["GET"]),
    ]


def routes(runtime: Runtime) -> list[BaseRoute]:
    """The routes this module adds to the HTTP app."""
    return [*_sign_in_routes(runtime), *_page_routes(runtime)]
