"""`python -m bot.sandbox`: serve the sandbox Bot API until Ctrl-C, echoing what the bot does."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import shlex
import signal
from collections.abc import Callable, Sequence
from functools import partial

from bot.sandbox.control import DEFAULT_TOKEN
from bot.sandbox.models import ApiCall
from bot.sandbox.server import SandboxServer

DEFAULT_USER = (42, "Tester")


def _parse(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bot.sandbox", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8081)
    parser.add_argument("--token", default=DEFAULT_TOKEN)
    parser.add_argument("--bot-username", default="annex_sandbox_bot")
    parser.add_argument(
        "--user",
        action="append",
        default=[],
        type=_user,
        metavar="ID:NAME",
        help="register a user who has a chat with the bot (repeatable; default 42:Tester)",
    )
    return parser.parse_args(argv)


def banner(sandbox: SandboxServer, token: str, first_user: int) -> str:
    """What the console prints first: how to point annexbot at it and how to act as a user."""
    example = shlex.quote(json.dumps({"user_id": first_user, "text": "/start"}))
    return "\n".join(
        [
            f"Bot API sandbox at {sandbox.url}. Point annexbot at it:",
            f"  export ANNEXBOT_TELEGRAM_API_URL={sandbox.url}",
            f"  export ANNEXBOT_TELEGRAM_TOKEN={shlex.quote(token)}",
            f"Act as user {first_user}: curl -d {example} {sandbox.url}/sandbox/send_text",
            f"What the bot sent them: curl {sandbox.url}/sandbox/chats/{first_user}",
        ]
    )


def describe(call: ApiCall) -> str:
    """One console line for an answered Bot API call."""
    shown = {k: v for k, v in call.params.items() if k in ("chat_id", "message_id", "text")}
    outcome = "ok" if call.ok else f"{call.status} {call.description}"
    return f"{call.method} {shown} -> {outcome}"


class Echo:
    """Prints each call made from now on once it is answered, in the order the answers came."""

    def __init__(self, sandbox: SandboxServer, out: Callable[[str], None]) -> None:
        self.sandbox = sandbox
        self.out = out
        self.seen = len(sandbox.state.calls)  # earlier calls are printed or waiting
        self.waiting: list[ApiCall] = []  # calls seen while still unanswered

    def flush(self) -> None:
        """Prints what was answered since the last flush."""
        calls = self.sandbox.state.calls
        fresh = [*self.waiting, *calls[self.seen :]]
        self.seen = len(calls)
        self.waiting = [call for call in fresh if call.status is None]
        for call in fresh:
            if call.status is not None and call.method != "getUpdates":
                self.out(describe(call))

    def answered(self) -> int:
        """How many calls have been answered so far."""
        return sum(1 for call in self.sandbox.state.calls if call.status is not None)

    async def forever(self) -> None:
        """Prints calls as they are answered, until cancelled."""
        while True:
            handled = self.answered()
            with contextlib.suppress(TimeoutError):
                await self.sandbox.wait_until(partial(self._more_than, handled), timeout=3600)
            self.flush()

    def _more_than(self, handled: int) -> bool:
        return self.answered() > handled


async def _serve(args: argparse.Namespace) -> None:
    main_task = asyncio.current_task()
    if main_task is not None:
        # SIGTERM ends the server as cleanly as Ctrl-C does.
        asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, main_task.cancel)
    async with SandboxServer(
        args.token, host=args.host, port=args.port, bot_username=args.bot_username
    ) as sandbox:
        users = args.user or [DEFAULT_USER]
        for user_id, name in users:
            sandbox.add_user(user_id, name)
        print(banner(sandbox, args.token, users[0][0]), flush=True)
        await Echo(sandbox, lambda line: print(line, flush=True)).forever()


def _user(spec: str) -> tuple[int, str]:
    user_id, _, name = spec.partition(":")
    if not user_id.isdigit() or int(user_id) <= 0:
        raise argparse.ArgumentTypeError(f"{spec!r}: use ID:NAME with a positive numeric ID")
    return int(user_id), name or f"User {user_id}"


def main(argv: Sequence[str] | None = None) -> None:
    """Runs the sandbox server in the foreground."""
    with contextlib.suppress(KeyboardInterrupt, asyncio.CancelledError):
        asyncio.run(_serve(_parse(argv)))


if __name__ == "__main__":
    main()
