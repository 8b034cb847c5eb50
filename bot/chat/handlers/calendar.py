"""/calendar: feed links to subscribe to; /feeds: list, revoke and rotate them."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.constants import ParseMode
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, ContextTypes

from bot.chat.arguments import command_arguments, parse_task_ref
from bot.chat.callbacks import id_number, int_arg, pack, pattern, unpack
from bot.chat.commands import answering
from bot.chat.errors import language_of
from bot.chat.paging import Page, keyboard, page_buttons, page_label, page_of
from bot.chat.plan_choice import plan_command
from bot.i18n import N_, tr
from bot.limits import CALLBACK_ANSWER_LIMIT
from bot.render import esc, fmt_date, trim
from bot.runtime import runtime_of
from bot.web.feeds import feed_urls
from db.enums import FeedScope
from workflows.errors import InvalidInputError
from workflows.feeds.links import (
    calendar_choices,
    list_links,
    request_link,
    revoke_link,
    rotate_link,
)
from workflows.feeds.tokens import FeedLinkView, IssuedLink
from workflows.plans import plan_code_of, plan_word

AGENCY, RENEW, REVOKE, ROTATE = "cal", "caln", "fdx", "fdr"
LINKS_PAGE, AGENCY_PAGE = "fdp", "calp"
LINKS_PER_PAGE, AGENCIES_PER_PAGE, AGENCY_LABEL = 10, 30, 24
MINE = frozenset({"mine", "me", "我的"})
AGENCY_COLUMNS = 3
USAGE_FEEDS = N_("Usage: /feeds, /feeds revoke ID or /feeds rotate ID")
SCOPE_LABELS = {
    FeedScope.PLAN: N_("whole plan"),
    FeedScope.AGENCY: N_("agency"),
    FeedScope.TASK: N_("task"),
    FeedScope.MEMBER: N_("my tasks"),
}
HOW_TO = N_(
    "On a phone, copy the webcal link and open it in your calendar app; in Google, Outlook "
    "or Thunderbird add the https link as a calendar from a URL. Keep it private: anyone with "
    "the link sees these dates."
)


def _title(view: FeedLinkView, language: str) -> str:
    """What a link covers, in words."""
    if view.scope is FeedScope.MEMBER:
        return tr(language, "my tasks")
    if view.scope is FeedScope.PLAN:
        return tr(language, "all tasks of {plan}", plan=esc(view.label))
    if view.scope is FeedScope.TASK:
        return tr(language, "task {task}", task=esc(view.label))
    return esc(view.label)


def render_link(
    issued: IssuedLink, base_url: str, language: str
) -> tuple[str, InlineKeyboardMarkup | None]:
    """A new link (https and webcal, one line how to subscribe) or word of the one held."""
    view = issued.view
    title = _title(view, language)
    if issued.token is None:
        text = tr(
            language,
            "📅 You already have a calendar link for {title} (since {date}). Links are shown "
            "only once; a new link replaces it, and calendars on the old one stop updating.",
            title=title,
            date=fmt_date(view.created_at.date(), language),
        )
        button = InlineKeyboardButton(
            tr(language, "🔁 New link"), callback_data=pack(RENEW, view.token_id)
        )
        return text, InlineKeyboardMarkup([[button]])
    https, webcal = feed_urls(base_url, issued.token)
    lines = [
        tr(language, "📅 <b>Calendar: {title}</b>", title=title),
        esc(https),
        f"<code>{esc(webcal)}</code>",
        "",
        tr(language, HOW_TO),
    ]
    return "\n".join(lines), None


async def _reply(message: Message, text: str, buttons: InlineKeyboardMarkup | None) -> None:
    """An HTML reply without link previews."""
    await message.reply_text(
        text, parse_mode=ParseMode.HTML, reply_markup=buttons, disable_web_page_preview=True
    )


def _agency_buttons(
    agencies: tuple[tuple[int, str], ...], plan_id: int | None, number: int = 0
) -> InlineKeyboardMarkup | None:
    """A page of buttons, one per agency, a few to a row, with ◀ ▶ when there are more.

    Each carries the plan chosen (0: none), which a coordinator limited to several plans needs.
    """
    plan = plan_id or 0
    pages = max(1, -(-len(agencies) // AGENCIES_PER_PAGE))
    number = min(max(number, 0), pages - 1)
    shown = agencies[number * AGENCIES_PER_PAGE : (number + 1) * AGENCIES_PER_PAGE]
    buttons = [
        InlineKeyboardButton(trim(name, AGENCY_LABEL), callback_data=pack(AGENCY, ident, plan))
        for ident, name in shown
    ]
    navigation = page_buttons(AGENCY_PAGE, Page("", number, pages, 0, 0), plan)
    return keyboard(buttons, AGENCY_COLUMNS, navigation)


@plan_command("calendar")
async def on_calendar(update: Update, context: ContextTypes.DEFAULT_TYPE, text: str) -> None:
    """/calendar [PLAN | N | AGENCY | mine]: a feed link to subscribe to."""
    message, user_id = answering(update)
    words = text.split()
    runtime = runtime_of(context)
    base_url = runtime.settings.public_base_url
    async with runtime.session() as session:
        plan, rest = await plan_word(session, words) if len(words) == 1 else (None, words)
        plan_code = None if plan is None else plan.code
        words = rest
        if words:
            word = " ".join(words)
            ref = parse_task_ref(word) if len(words) == 1 else None
            if ref is not None:
                issued = await request_link(
                    session=session,
                    telegram_id=user_id,
                    scope=FeedScope.TASK,
                    task_number=ref.number,
                    plan_code=ref.plan_code,
                    now=runtime.now(),
                )
            elif word.lower() in MINE:
                issued = await request_link(
                    session=session, telegram_id=user_id, scope=FeedScope.MEMBER, now=runtime.now()
                )
            else:
                issued = await request_link(
                    session=session,
                    telegram_id=user_id,
                    scope=FeedScope.AGENCY,
                    agency=word,
                    now=runtime.now(),
                )
            language = await language_of(update, context)
            await _reply(message, *render_link(issued, base_url, language))
            return
        choices = await calendar_choices(session=session, telegram_id=user_id, plan_code=plan_code)
        issued = await request_link(
            session=session,
            telegram_id=user_id,
            scope=FeedScope.PLAN if choices.is_coordinator else FeedScope.AGENCY,
            plan_code=plan_code if choices.is_coordinator else None,
            now=runtime.now(),
        )
    language = choices.language
    text, buttons = render_link(issued, base_url, language)
    if choices.is_coordinator and choices.agencies:
        await _reply(message, text, buttons)
        await _reply(
            message,
            tr(language, "Each agency's calendar:"),
            _agency_buttons(choices.agencies, choices.plan_id),
        )
        return
    await _reply(message, text, buttons)


async def on_agency(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """An agency's button under /calendar: that agency's link."""
    query = update.callback_query
    assert query is not None
    args = unpack(query.data)[1]
    agency_id, plan_id = int_arg(args, 0), int_arg(args, 1)
    language = await language_of(update, context)
    if agency_id is None or query.message is None:
        await query.answer(tr(language, "This button is out of date."))
        return
    runtime = runtime_of(context)
    async with runtime.session() as session:
        issued = await request_link(
            session=session,
            telegram_id=query.from_user.id,
            scope=FeedScope.AGENCY,
            agency_id=agency_id,
            plan_code=await plan_code_of(session, plan_id),
            now=runtime.now(),
        )
    await query.answer()
    text, buttons = render_link(issued, runtime.settings.public_base_url, language)
    await context.bot.send_message(
        query.message.chat.id,
        text,
        parse_mode=ParseMode.HTML,
        reply_markup=buttons,
        disable_web_page_preview=True,
    )


def render_links(
    views: list[FeedLinkView], language: str, number: int = 0
) -> tuple[str, InlineKeyboardMarkup | None]:
    """A page of the active links, each with revoke and rotate buttons, and ◀ ▶."""
    if not views:
        return tr(language, "There are no active calendar links. /calendar makes one."), None
    lines = []
    for view in views:
        who = f" · {esc(view.created_by)}" if view.created_by else ""
        lines.append(
            f"<b>{view.token_id}</b> · {_title(view, language)} · "
            f"{esc(tr(language, SCOPE_LABELS[view.scope]))} · "
            f"{fmt_date(view.created_at.date(), language)}{who}"
        )

    def heading(page: int, pages: int) -> str:
        title = tr(language, "<b>Calendar links</b> ({count} active)", count=len(views))
        return title + esc(page_label(page, pages, language))

    page = page_of(heading, lines, number, lines_per_page=LINKS_PER_PAGE)
    text = (
        page.text + "\n" + tr(language, "Revoke stops a link; rotate replaces it with a new one.")
    )
    buttons = [
        InlineKeyboardButton(label, callback_data=pack(action, view.token_id, page.number))
        for view in views[page.first : page.last + 1]
        for label, action in (
            (tr(language, "🗑 Revoke {id}", id=view.token_id), REVOKE),
            (tr(language, "🔁 Rotate {id}", id=view.token_id), ROTATE),
        )
    ]
    return text, keyboard(buttons, 2, page_buttons(LINKS_PAGE, page))


def _feeds_args(text: str) -> tuple[str, int | None]:
    """The /feeds action (list, revoke, rotate) and its link id."""
    words = text.split()
    if not words:
        return "list", None
    link_id = id_number(words[1]) if len(words) == 2 else None
    if link_id is None or link_id < 1 or words[0].lower() not in ("revoke", "rotate"):
        raise InvalidInputError(USAGE_FEEDS)
    return words[0].lower(), link_id


async def on_feeds(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/feeds [revoke ID | rotate ID]."""
    message, user_id = answering(update)
    action, token_id = _feeds_args(command_arguments(message.text))
    runtime = runtime_of(context)
    language = await language_of(update, context)
    async with runtime.session() as session:
        if action == "list" or token_id is None:
            language, views = await list_links(session=session, telegram_id=user_id)
            await _reply(message, *render_links(views, language))
            return
        if action == "revoke":
            view = await revoke_link(
                session=session, telegram_id=user_id, token_id=token_id, now=runtime.now()
            )
            await _reply(message, _revoked(view, language), None)
            return
        issued = await rotate_link(
            session=session, telegram_id=user_id, token_id=token_id, now=runtime.now()
        )
    await _reply(message, *render_link(issued, runtime.settings.public_base_url, language))


def _revoked(view: FeedLinkView, language: str) -> str:
    """What a revoke says."""
    return tr(
        language,
        "Link {id} ({title}) is revoked; calendars using it stop updating.",
        id=view.token_id,
        title=_title(view, language),
    )


async def on_manage(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A revoke, rotate or new-link button."""
    query = update.callback_query
    assert query is not None
    action, args = unpack(query.data)
    token_id = int_arg(args, 0)
    language = await language_of(update, context)
    if token_id is None or query.message is None:
        await query.answer(tr(language, "This button is out of date."))
        return
    runtime = runtime_of(context)
    async with runtime.session() as session:
        if action == REVOKE:
            view = await revoke_link(
                session=session,
                telegram_id=query.from_user.id,
                token_id=token_id,
                now=runtime.now(),
            )
            language, views = await list_links(session=session, telegram_id=query.from_user.id)
            await query.answer(_revoked(view, language)[:CALLBACK_ANSWER_LIMIT])
            text, buttons = render_links(views, language, int_arg(args, 1) or 0)
            await query.edit_message_text(text, parse_mode=ParseMode.HTML, reply_markup=buttons)
            return
        issued = await rotate_link(
            session=session, telegram_id=query.from_user.id, token_id=token_id, now=runtime.now()
        )
    await query.answer()
    text, buttons = render_link(issued, runtime.settings.public_base_url, language)
    await context.bot.send_message(
        query.message.chat.id,
        text,
        parse_mode=ParseMode.HTML,
        reply_markup=buttons,
        disable_web_page_preview=True,
    )


async def on_page(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """◀ ▶ under /feeds (another page of links) or /calendar (more agencies' buttons)."""
    query = update.callback_query
    assert query is not None
    action, args = unpack(query.data)
    # /calendar's ◀ ▶ carry the plan, then the page (older ones only the page).
    plan_id = int_arg(args, 0) if action == AGENCY_PAGE and len(args) > 1 else None
    number = int_arg(args, len(args) - 1 if action == AGENCY_PAGE else 0)
    language = await language_of(update, context)
    if number is None or query.message is None:
        await query.answer(tr(language, "This button is out of date."))
        return
    async with runtime_of(context).session() as session:
        if action == LINKS_PAGE:
            language, views = await list_links(session=session, telegram_id=query.from_user.id)
        else:
            choices = await calendar_choices(
                session=session,
                telegram_id=query.from_user.id,
                plan_code=await plan_code_of(session, plan_id),
            )
    await query.answer()
    if action == LINKS_PAGE:
        text, buttons = render_links(views, language, number)
        await query.edit_message_text(text, parse_mode=ParseMode.HTML, reply_markup=buttons)
        return
    await query.edit_message_reply_markup(
        _agency_buttons(choices.agencies, choices.plan_id, number)
    )


def register(application: Application) -> None:  # type: ignore[type-arg]
    """Add /calendar, /feeds and their buttons."""
    application.add_handler(CommandHandler("calendar", on_calendar))
    application.add_handler(CommandHandler("feeds", on_feeds))
    application.add_handler(CallbackQueryHandler(on_agency, pattern=pattern(AGENCY)))
    for action in (LINKS_PAGE, AGENCY_PAGE):
        application.add_handler(CallbackQueryHandler(on_page, pattern=pattern(action)))
    for action in (RENEW, REVOKE, ROTATE):
        application.add_handler(CallbackQueryHandler(on_manage, pattern=pattern(action)))
