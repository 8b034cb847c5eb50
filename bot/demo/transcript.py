"""The demo's chat, printed as it happens: what people send, what the bot answers, and when."""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from dataclasses import dataclass, field

from rich.cells import cell_len
from rich.console import Console
from rich.markup import escape
from rich.rule import Rule

from bot.sandbox import ChatMessage, SandboxServer

SHOWN_PER_CHAT = 1  # a burst of like messages (reminders, check-ins) prints its first ones only
LINES_PER_MESSAGE = 8
INDENT = "      "
# What a line may not be broken inside: button labels, dates (2026年12月1日, 12月1日, 2026-12-01),
# runs of Latin letters, digits and punctuation (words, numbers, links), and a Chinese character
# with the punctuation that may not begin or end a line (。，） after it, （《 before it).
_CLOSING = "。，、；：？！）】》」』”’…"
_UNBREAKABLE = re.compile(
    rf"\[[^\]\n]*\][{_CLOSING}]*"
    rf"|(?:\d{{4}}年\d{{1,2}}月\d{{1,2}}日|\d{{1,2}}月\d{{1,2}}日|\d{{4}}年|[!-~]+)[{_CLOSING}]*|\s+"
    rf"|[（《「『“‘【]*.[{_CLOSING}]*",
    re.DOTALL,
)


@dataclass
class Transcript:
    """Prints the story: narration, each person's actions and the bot's new or edited messages."""

    console: Console
    sandbox: SandboxServer
    names: dict[int, str]
    timezone: zoneinfo.ZoneInfo
    more_label: str = "… +{count}"
    _seen: dict[tuple[int, int], str | None] = field(default_factory=dict)
    lines: list[str] = field(default_factory=list)

    def day(self, title: str) -> None:
        """A rule between simulated days."""
        self.console.print(Rule(escape(title), style="bold"))
        self.lines.append(f"== {title}")

    def narrate(self, text: str) -> None:
        """A line of the story."""
        for line in wrap(text, self.console.width):
            self.console.print(f"[italic yellow]{escape(line)}[/]", soft_wrap=True)
        self.lines.append(text)

    def action(self, moment: dt.datetime, user_id: int, text: str) -> None:
        """What a person sent or pressed."""
        clock = moment.astimezone(self.timezone).strftime("%H:%M")
        who = self.names.get(user_id, str(user_id))
        head = f"{clock} {who} ▸ "
        first, *rest = wrap(head + text, self.console.width, indent=INDENT)
        said = first[len(head) :]
        self.console.print(
            f"[dim]{clock}[/] [bold cyan]{escape(who)}[/] ▸ {escape(said)}", soft_wrap=True
        )
        for line in rest:
            self.console.print(escape(line), soft_wrap=True)
        self.lines.append(f"{who} > {text}")

    def flush(self) -> int:
        """Print the bot's messages (new or edited) since the last flush; returns how many."""
        total = 0
        for chat_id, who in self.names.items():
            fresh = [m for m in self.sandbox.messages(chat_id) if self._changed(m)]
            shown = fresh if len(fresh) <= SHOWN_PER_CHAT + 1 else fresh[:SHOWN_PER_CHAT]
            for message in fresh:
                self._seen[(chat_id, message.message_id)] = _body(message)
            for message in shown:
                self._print(who, message)
            if len(fresh) > len(shown):
                more = self.more_label.format(count=len(fresh) - len(shown))
                self.console.print(f"    [dim]{escape(more)}[/]")
            total += len(fresh)
        return total

    def skip(self) -> None:
        """Mark the bot's messages so far as seen without printing them."""
        for chat_id in self.names:
            for message in self.sandbox.messages(chat_id):
                self._seen[(message.chat_id, message.message_id)] = _body(message)

    def _changed(self, message: ChatMessage) -> bool:
        key = (message.chat_id, message.message_id)
        return key not in self._seen or self._seen[key] != _body(message)

    def _print(self, who: str, message: ChatMessage) -> None:
        text = _body(message) or ""
        lines = text.splitlines()
        if len(lines) > LINES_PER_MESSAGE:
            lines = [*lines[:LINES_PER_MESSAGE], "…"]
        mark = "✎" if message.edited else ("🖼" if message.photo else "🤖")
        self.console.print(f"    {mark} [green]→ {escape(who)}[/]")
        for line in lines:
            for part in wrap(INDENT + line, self.console.width, indent=INDENT):
                self.console.print(escape(part), soft_wrap=True)
        buttons = " ".join(f"[{label}]" for row in message.buttons for label, _ in row)
        if buttons:
            for part in wrap(INDENT + buttons, self.console.width, indent=INDENT):
                self.console.print(f"[dim]{escape(part)}[/]", soft_wrap=True)
        self.lines.append(f"-> {who}: {text}")


def wrap(line: str, width: int, *, indent: str = "") -> list[str]:
    """The line in pieces of at most `width` cells, broken between words, characters or dates.

    Continuation lines start with `indent`. A word longer than a line (a link) is never cut:
    it gets a line of its own, and a terminal shows it whole to copy.
    """
    pieces: list[str] = []
    current = ""
    for token in _tokens(line, width - cell_len(indent)):
        if cell_len(current + token) > width and current.strip():
            pieces.append(current.rstrip())
            current = indent
            if token.isspace():
                continue
        current += token
    pieces.append(current.rstrip())
    return pieces


def _tokens(line: str, room: int) -> list[str]:
    """The line's unbreakable pieces; closing punctuation is let go where a piece would not fit."""
    tokens: list[str] = []
    for token in _UNBREAKABLE.findall(line):
        core = token.rstrip(_CLOSING)
        if cell_len(token) > room and core and core != token:
            tokens += [core, token[len(core) :]]
        else:
            tokens.append(token)
    return tokens


def _body(message: ChatMessage) -> str | None:
    """The text a reader sees: the message's text or a picture's caption."""
    return message.text if message.text is not None else message.caption
