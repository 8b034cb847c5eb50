"""Coordinators' member commands: /invite, /members, /agencies."""

from __future__ import annotations

import zoneinfo

from telegram import Update
from telegram.constants import ParseMode
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, ContextTypes

from bot.chat.callbacks import int_arg, pattern, unpack
from bot.chat.errors import language_of
from bot.chat.handlers.removal import ask_remove, revoked_line
from bot.chat.paging import Page, keyboard, page_buttons, page_label, page_of
from bot.i18n import tr, trn
from bot.render import esc, fmt_datetime
from bot.runtime import runtime_of
from workflows.errors import ConflictError
from workflows.invites import InviteView, create_invite
from workflows.members import AgencyOverview, MemberView, agencies_overview, list_members
from workflows.plan_grants import PlanLimit, limit_coordinator, unlimit_coordinator

DEPUTY_WORDS = {"deputy", "副", "副联络员"}
REMOVE_WORDS = {"remove", "移除"}
LIMIT_WORDS = {"limit", "限定"}
UNLIMIT_WORDS = {"unlimit", "不限"}
MEMBERS_PAGE, AGENCIES_PAGE = "mbp", "agp"


def _invite_head(made: InviteView, language: str, until: str) -> str:
    """The first line of an invite reply: for whom, and until when."""
    agency = esc(made.agency_name or "")
    if made.role == "coordinator":
        return tr(language, "Invite for a coordinator, valid until {until}:", until=until)
    if made.role == "deputy":
        return tr(
            language,
            "Invite for the deputy liaison of {agency}, valid until {until}:",
            agency=agency,
            until=until,
        )
    return tr(
        language,
        "Invite for a liaison of {agency}, valid until {until}:",
        agency=agency,
        until=until,
    )


async def invite(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/invite AGENCY [deputy] or /invite coordinator: a single-use deep link."""
    assert update.effective_message is not None
    assert update.effective_user is not None
    words = list(context.args or [])
    deputy = bool(words) and words[-1].lower() in DEPUTY_WORDS
    if deputy:
        words.pop()
    coordinator = [w.lower() for w in words] == ["coordinator"]
    runtime = runtime_of(context)
    async with runtime.session() as session:
        made = await create_invite(
            session=session,
            by_telegram_id=update.effective_user.id,
            now=runtime.now(),
            agency=None if coordinator else " ".join(words),
            coordinator=coordinator,
            deputy=deputy,
        )
    language = await language_of(update, context)
    until = fmt_datetime(made.expires_at, zoneinfo.ZoneInfo(runtime.settings.timezone), language)
    head = _invite_head(made, language, until)
    link = f"https://t.me/{context.bot.username}?start={made.code}"
    note = tr(language, "It works once. Send it only to the person it is for.")
    await update.effective_message.reply_text(
        f"{head}\n{esc(link)}\n{note}", parse_mode=ParseMode.HTML, disable_web_page_preview=True
    )


def _member_line(member: MemberView, language: str) -> str:
    """One member: name, @username, deputy and reachability marks."""
    text = esc(member.display_name)
    if member.username:
        text += f" @{esc(member.username)}"
    if member.role == "deputy":
        text += " " + tr(language, "(deputy)")
    if not member.reachable:
        text += " " + tr(language, "⚠️ cannot be reached")
    if member.plans:
        text += " " + tr(language, "(only {plans})", plans=esc("、".join(member.plans)))
    return "• " + text


def render_members(people: list[MemberView], language: str, number: int = 0) -> Page:
    """A page of everyone registered, by agency (an agency's heading again on a new page)."""
    lines: list[str] = []
    heading: str | None = None
    for person in people:
        group = person.agency_name or tr(language, "Coordinators")
        if group != heading:
            lines += ["", f"<b>{esc(group)}</b>"]
            heading = group
        lines.append(_member_line(person, language))

    def head(page: int, pages: int) -> str:
        title = tr(language, "<b>Members ({count})</b>", count=len(people))
        return title + esc(page_label(page, pages, language))

    return page_of(head, lines, number)


def render_agencies(overview: list[AgencyOverview], language: str, number: int = 0) -> Page:
    """A page of the agencies with tasks, their liaisons, and who has none yet."""
    missing = sum(1 for a in overview if not a.liaisons)
    lines: list[str] = []
    for agency in overview:
        tasks = trn(
            language, "{count} live task", "{count} live tasks", agency.tasks, count=agency.tasks
        )
        lines += ["", f"<b>{esc(agency.name)}</b> · {tasks}"]
        if not agency.liaisons:
            lines.append("• " + tr(language, "❗ no liaison yet"))
        lines += [_member_line(m, language) for m in agency.liaisons]

    def head(page: int, pages: int) -> str:
        title = tr(
            language,
            "<b>Agencies with tasks: {count}</b>, without a liaison: {missing}",
            count=len(overview),
            missing=missing,
        )
        return title + esc(page_label(page, pages, language))

    return page_of(head, lines, number)


async def _show(
    update: Update, context: ContextTypes.DEFAULT_TYPE, action: str, number: int
) -> None:
    """Send (a command) or edit into (a page button) a page of /members or /agencies."""
    assert update.effective_user is not None
    async with runtime_of(context).session() as session:
        if action == MEMBERS_PAGE:
            people = await list_members(session=session, telegram_id=update.effective_user.id)
        else:
            overview = await agencies_overview(
                session=session, telegram_id=update.effective_user.id
            )
    language = await language_of(update, context)
    if action == MEMBERS_PAGE:
        page = render_members(people, language, number)
    else:
        page = render_agencies(overview, language, number)
    buttons = keyboard([], 1, page_buttons(action, page))
    query = update.callback_query
    if query is None:
        assert update.effective_message is not None
        await update.effective_message.reply_text(
            page.text, parse_mode=ParseMode.HTML, reply_markup=buttons
        )
        return
    await query.answer()
    await query.edit_message_text(page.text, parse_mode=ParseMode.HTML, reply_markup=buttons)


async def members(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/members: everyone, by agency, a page at a time; /members remove|limit|unlimit MEMBER."""
    words = list(context.args or [])
    if words and words[0].lower() in REMOVE_WORDS:
        await ask_remove(update, context, " ".join(words[1:]))
        return
    if words and words[0].lower() in LIMIT_WORDS | UNLIMIT_WORDS:
        await _limit(update, context, words[1:], limit=words[0].lower() in LIMIT_WORDS)
        return
    await _show(update, context, MEMBERS_PAGE, 0)


async def _limit(
    update: Update, context: ContextTypes.DEFAULT_TYPE, words: list[str], *, limit: bool
) -> None:
    """/members limit MEMBER PLAN… or /members unlimit MEMBER: which plans a coordinator sees."""
    assert update.effective_message is not None
    assert update.effective_user is not None
    runtime = runtime_of(context)
    who = words[0] if words else ""
    async with runtime.session() as session:
        if limit:
            done = await limit_coordinator(
                session=session,
                by_telegram_id=update.effective_user.id,
                who=who,
                plans=words[1:],
                now=runtime.now(),
            )
        else:
            done = await unlimit_coordinator(
                session=session, by_telegram_id=update.effective_user.id, who=who, now=runtime.now()
            )
    language = await language_of(update, context)
    await update.effective_message.reply_text(
        render_limit(done, language), parse_mode=ParseMode.HTML
    )


def render_limit(done: PlanLimit, language: str) -> str:
    """Which plans a coordinator supervises after /members limit or unlimit."""
    if not done.plans:
        return tr(language, "{member} supervises every plan.", member=esc(done.member))
    text = tr(
        language,
        "{member} supervises only: {plans}.",
        member=esc(done.member),
        plans=esc("、".join(done.plans)),
    )
    if done.revoked_links:
        text += "\n" + revoked_line(done.revoked_links, language)
    return text


async def agencies(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/agencies: each agency with tasks, its liaisons, and who has none yet, a page at a time."""
    await _show(update, context, AGENCIES_PAGE, 0)


async def on_page(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """◀ ▶ under /members or /agencies: another page, read again."""
    query = update.callback_query
    assert query is not None
    action, args = unpack(query.data)
    number = int_arg(args, 0)
    if number is None:
        raise ConflictError("This button is out of date.")
    await _show(update, context, action, number)


def register(application: Application) -> None:  # type: ignore[type-arg]
    """Add /invite, /members and /agencies with their page buttons."""
    application.add_handler(CommandHandler("invite", invite))
    application.add_handler(CommandHandler("members", members))
    application.add_handler(CommandHandler("agencies", agencies))
    for action in (MEMBERS_PAGE, AGENCIES_PAGE):
        application.add_handler(CallbackQueryHandler(on_page, pattern=pattern(action)))
