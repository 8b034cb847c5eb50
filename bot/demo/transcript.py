"""The demo's chat, printed as it happens: what people send, what the bot answers, and when."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass, field

from rich.cells import cell_len
from rich.console import Console
from rich.markup import escape
from rich.rule import Rule

from bot.sandbox import ChatMessage, SandboxServer

SHOWN_PER_CHAT = 1  # a burst of like messages (reminders, check-ins) prints its first ones only
LINES_PER_MESSAGE = 8
LINE_CELLS = 100


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
        self.console.print(f"[italic yellow]{escape(text)}[/]")
        self.lines.append(text)

    def action(self, moment: dt.datetime, user_id: int, text: str) -> None:
        """What a person sent or pressed."""
        clock = moment.astimezone(self.timezone).strftime("%H:%M")
        who = self.names.get(user_id, str(user_id))
        self.console.print(f"[dim]{clock}[/] [bold cyan]{escape(who)}[/] ▸ {escape(text)}")
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
            self.console.print(f"      {escape(_fit(line, LINE_CELLS))}", soft_wrap=True)
        buttons = [label for row in message.buttons for label, _ in row]
        if buttons:
            self.console.print("      " + " ".join(f"[dim]\\[{escape(b)}][/]" for b in buttons))
        self.lines.append(f"-> {who}: {text}")


def _fit(line: str, cells: int) -> str:
    """The line cut to a terminal width (Chinese characters take two cells)."""
    if cell_len(line) <= cells:
        return line
    while cell_len(line) > cells - 1:
        line = line[:-1]
    return line + "…"


def _body(message: ChatMessage) -> str | None:
    """The text a reader sees: the message's text or a picture's caption."""
    return message.text if message.text is not None else message.caption
