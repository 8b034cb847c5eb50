"""Commands that work on one plan: when several fit, the member picks one with a button."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from telegram import InlineKeyboardButton, Update
from telegram.ext import Application, CallbackQueryHandler, ContextTypes

from bot.chat.arguments import command_arguments
from bot.chat.callbacks import int_arg, pack, pattern, unpack
from bot.chat.errors import language_of
from bot.chat.paging import keyboard
from bot.i18n import tr
from bot.render import trim
from bot.runtime import runtime_of
from workflows.plans import PlanNeededError, plan_code_of

PICK = "plan"
LABEL_WIDTH = 28
PER_ROW = 2
# A plan's buttons beyond this many would bury the chat; the member types the plan instead.
MAX_CHOICES = 40

Runner = Callable[[Update, ContextTypes.DEFAULT_TYPE, str], Awaitable[None]]
Handler = Callable[[Update, ContextTypes.DEFAULT_TYPE], Coroutine[Any, Any, None]]
_runners: dict[str, Runner] = {}
_positions: dict[str, int] = {}


def plan_command(name: str, *, after: int = 0) -> Callable[[Runner], Handler]:
    """Make a runner `(update, context, arguments)` the /name handler; it asks for a plan.

    The plan a button picks is put among the arguments after the first `after` words
    (/export FORMAT PLAN).
    """

    def wrap(runner: Runner) -> Handler:
        _runners[name] = runner
        _positions[name] = after

        async def handler(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
            message = update.effective_message
            assert message is not None
            arguments = command_arguments(message.text)
            try:
                await runner(update, context, arguments)
            except PlanNeededError as needed:
                await ask_for_plan(update, context, needed, name, arguments)

        handler.__doc__ = runner.__doc__
        return handler

    return wrap


def _rest(arguments: str, typed: str | None) -> str:
    """The command's arguments without the ambiguous plan name the member typed."""
    words = arguments.split()
    if typed in words:
        words.remove(typed)
    return " ".join(words)


async def ask_for_plan(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    needed: PlanNeededError,
    command: str,
    arguments: str,
) -> None:
    """Answer with one button per plan that fits; the press runs the command for that plan."""
    message = update.effective_message
    assert message is not None
    language = await language_of(update, context)
    rest = _rest(arguments, needed.typed)
    buttons: list[InlineKeyboardButton] = []
    if len(needed.choices) <= MAX_CHOICES:
        try:
            buttons = [
                InlineKeyboardButton(
                    trim(choice.label, LABEL_WIDTH),
                    callback_data=pack(PICK, command, choice.plan_id, rest),
                )
                for choice in needed.choices
            ]
        except ValueError:  # the rest of the command does not fit a button's 64 bytes
            buttons = []
    text = tr(
        language,
        "Which plan? Choose one, or type /{command} PLAN (a code, document number "
        "or a word of its title; /plans lists them).",
        command=command,
    )
    if needed.typed:
        text = tr(language, "Several plans match “{typed}”.", typed=needed.typed) + "\n" + text
    await message.reply_text(text, reply_markup=keyboard(buttons, PER_ROW, []))


async def on_pick(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A plan button: run its command for that plan, as if the plan had been typed."""
    query = update.callback_query
    assert query is not None
    _, args = unpack(query.data)
    command = args[0] if args else ""
    plan_id = int_arg(args, 1)
    rest = ":".join(args[2:])
    runner = _runners.get(command)
    async with runtime_of(context).session() as session:
        code = await plan_code_of(session, plan_id)
    if runner is None or code is None:
        language = await language_of(update, context)
        await query.answer(tr(language, "This button is out of date."), show_alert=True)
        return
    await query.answer()
    words = rest.split()
    at = _positions.get(command, 0)
    await runner(update, context, " ".join([*words[:at], code, *words[at:]]))


def register(application: Application) -> None:  # type: ignore[type-arg]
    """Add the plan buttons' handler."""
    application.add_handler(CallbackQueryHandler(on_pick, pattern=pattern(PICK)))
