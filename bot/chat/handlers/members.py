"""Coordinators' member commands: /invite, /members, /agencies."""

from __future__ import annotations

import zoneinfo

from telegram import Message, Update
from telegram.constants import ParseMode
from telegram.ext import Application, CommandHandler, ContextTypes

from bot.chat.errors import language_of
from bot.i18n import tr
from bot.render import MESSAGE_LIMIT, esc, fmt_datetime
from bot.runtime import runtime_of
from workflows.invites import InviteView, create_invite
from workflows.members import MemberView, agencies_overview, list_members

DEPUTY_WORDS = {"deputy", "副", "副联络员"}


async def reply_long(message: Message, lines: list[str]) -> None:
    """Reply with lines, split into as many messages as Telegram's length limit needs."""
    chunk: list[str] = []
    size = 0
    for line in lines:
        if chunk and size + len(line) + 1 > MESSAGE_LIMIT:
            await message.reply_text("\n".join(chunk), parse_mode=ParseMode.HTML)
            chunk, size = [], 0
        chunk.append(line)
        size += len(line) + 1
    if chunk:
        await message.reply_text("\n".join(chunk), parse_mode=ParseMode.HTML)


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
    return "• " + text


async def members(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/members: everyone registered, by agency."""
    assert update.effective_message is not None
    assert update.effective_user is not None
    async with runtime_of(context).session() as session:
        people = await list_members(session=session, telegram_id=update.effective_user.id)
    language = await language_of(update, context)
    lines = [tr(language, "<b>Members ({count})</b>", count=len(people))]
    heading: str | None = None
    for person in people:
        group = person.agency_name or tr(language, "Coordinators")
        if group != heading:
            lines += ["", f"<b>{esc(group)}</b>"]
            heading = group
        lines.append(_member_line(person, language))
    await reply_long(update.effective_message, lines)


async def agencies(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/agencies: each agency with tasks, its liaisons, and who has none yet."""
    assert update.effective_message is not None
    assert update.effective_user is not None
    async with runtime_of(context).session() as session:
        overview = await agencies_overview(session=session, telegram_id=update.effective_user.id)
    language = await language_of(update, context)
    missing = sum(1 for a in overview if not a.liaisons)
    lines = [
        tr(
            language,
            "<b>Agencies with tasks: {count}</b>, without a liaison: {missing}",
            count=len(overview),
            missing=missing,
        )
    ]
    for agency in overview:
        tasks = tr(language, "{count} live tasks", count=agency.tasks)
        lines += ["", f"<b>{esc(agency.name)}</b> · {tasks}"]
        if not agency.liaisons:
            lines.append("• " + tr(language, "❗ no liaison yet"))
        lines += [_member_line(m, language) for m in agency.liaisons]
    await reply_long(update.effective_message, lines)


def register(application: Application) -> None:  # type: ignore[type-arg]
    """Add /invite, /members and /agencies."""
    application.add_handler(CommandHandler("invite", invite))
    application.add_handler(CommandHandler("members", members))
    application.add_handler(CommandHandler("agencies", agencies))
