"""What every board page shares: the templates, the session cookie and the member behind it."""

from __future__ import annotations

import datetime as dt
import hmac
import zoneinfo
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from bot.chat.handlers.mytasks import STATUS_LABELS
from bot.chat.task_card import MILESTONE_KINDS, REPORT_STATUSES
from bot.files.workbooks import LIGHT_LABELS, STATE_LABELS
from bot.i18n import DEFAULT_LANGUAGE, normalise_language, tr
from bot.render import fmt_date, fmt_datetime, role_label
from bot.runtime import Runtime
from workflows.access import Actor
from workflows.errors import AnnexbotError
from workflows.web_access import OpenedSession, csrf_token, session_actor

COOKIE = "annexbot_board"
TEMPLATES = Path(__file__).parent / "templates"
# Sign-in links and pages are personal: never cached, never passed on as a referrer.
PRIVATE_HEADERS = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}

_environment = Environment(
    loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]), auto_reload=False
)


def request_language(request: Request, actor: Actor | None) -> str:
    """The member's language, or the browser's before sign-in."""
    if actor is not None:
        return actor.language
    accepted = request.headers.get("accept-language", "")
    return normalise_language(accepted.split(",")[0]) if accepted else DEFAULT_LANGUAGE


def cell(value: object, language: str) -> str:
    """An export table's value as page text."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return f"{fmt_date(value.date(), language)} {value:%H:%M}"
    if isinstance(value, dt.date):
        return fmt_date(value, language)
    return str(value)


def render(
    request: Request, name: str, language: str, status: int = 200, **values: Any
) -> Response:
    """A page in a language; templates translate with t(), dates with date() and when()."""

    def when(moment: dt.datetime | None, timezone: str) -> str:
        return (
            "—" if moment is None else fmt_datetime(moment, zoneinfo.ZoneInfo(timezone), language)
        )

    html = _environment.get_template(name).render(
        lang=language,
        t=lambda message, **params: tr(language, message, **params),
        date=lambda day: fmt_date(day, language),
        when=when,
        role=lambda role: role_label(str(role), language),
        cell=lambda value: cell(value, language),
        light_names={str(light): label for light, label in LIGHT_LABELS.items()},
        status_names=REPORT_STATUSES,
        status_choices=STATUS_LABELS,
        state_names=STATE_LABELS,
        milestone_names=MILESTONE_KINDS,
        **values,
    )
    return HTMLResponse(html, status_code=status, headers=PRIVATE_HEADERS)


def error_page(
    request: Request, error: AnnexbotError, language: str, status: int, actor: Actor | None = None
) -> Response:
    """A domain error as a page, in the reader's language (with the header when signed in)."""
    message = tr(language, error.template, **error.params)
    return render(
        request,
        "message.html",
        language,
        status=status,
        message=message,
        actor=actor,
        csrf=csrf_of(request),
    )


async def current_actor(request: Request, runtime: Runtime) -> Actor | None:
    """The member of the request's live session, if any."""
    token = request.cookies.get(COOKIE)
    if not token:
        return None
    async with runtime.session() as session:
        return await session_actor(session=session, token=token, now=runtime.now())


def csrf_of(request: Request) -> str:
    """The form token that goes with the request's session."""
    return csrf_token(request.cookies.get(COOKIE, ""))


def csrf_ok(request: Request, given: str) -> bool:
    """Whether a form's token belongs to the request's session."""
    token = request.cookies.get(COOKIE)
    return bool(token) and hmac.compare_digest(csrf_token(token or ""), given)


def set_session(response: Response, opened: OpenedSession, runtime: Runtime) -> None:
    """The session cookie: HttpOnly, SameSite=Lax, Secure when served over https."""
    response.set_cookie(
        COOKIE,
        opened.token,
        max_age=int((opened.expires_at - runtime.now()).total_seconds()),
        path="/",
        httponly=True,
        samesite="lax",
        secure=runtime.settings.public_base_url.startswith("https://"),
    )


def clear_session(response: Response, runtime: Runtime) -> None:
    """Drop the session cookie."""
    response.delete_cookie(
        COOKIE,
        path="/",
        httponly=True,
        samesite="lax",
        secure=runtime.settings.public_base_url.startswith("https://"),
    )
