"""The board's downloads: the status matrix and history as XLSX or CSV, as /export sends them."""

from __future__ import annotations

import urllib.parse

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from bot.files.workbooks import export_tables, file_name, to_csv, to_xlsx
from bot.runtime import Runtime
from bot.web.board import signed_in
from bot.web.pages import PRIVATE_HEADERS
from workflows.access import Actor
from workflows.errors import NotFoundError
from workflows.status import local_today
from workflows.web_board import board_export

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV = "text/csv; charset=utf-8"
PARTS = {"workbook.xlsx", "matrix.csv", "history.csv"}


def _download(body: bytes, name: str, content_type: str) -> Response:
    """A file to save, its name in UTF-8 for browsers and in ASCII for the rest."""
    quoted = urllib.parse.quote(name)
    fallback = name.encode("ascii", "replace").decode().replace("?", "_")
    disposition = f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quoted}"
    headers = {**PRIVATE_HEADERS, "Content-Disposition": disposition}
    return Response(body, media_type=content_type, headers=headers)


def routes(runtime: Runtime) -> list[BaseRoute]:
    """GET /board/PLAN/export/workbook.xlsx, matrix.csv and history.csv."""

    async def export(request: Request, actor: Actor) -> Response:
        part = request.path_params["part"]
        if part not in PARTS:
            raise NotFoundError("There is no such export.")
        async with runtime.session() as session:
            language, data = await board_export(
                session=session,
                telegram_id=actor.telegram_id,
                plan_code=request.path_params["plan"],
                now=runtime.now(),
                checkin_days=runtime.settings.checkin_days,
            )
        matrix, history = export_tables(data, language)
        day = local_today(runtime.now(), data.timezone(request.path_params["plan"]))

        def name(table: str, extension: str) -> str:
            return file_name(
                plan_code=data.plan_code,
                agency=data.agency,
                part=table,
                day=day,
                extension=extension,
            )

        if part == "workbook.xlsx":
            body = to_xlsx([matrix, history], created=runtime.now())
            return _download(body, name("", "xlsx"), XLSX)
        table = matrix if part == "matrix.csv" else history
        return _download(to_csv(table), name(table.slug, "csv"), CSV)

    return [Route("/board/{plan}/export/{part}", signed_in(runtime, export), methods=["GET"])]
