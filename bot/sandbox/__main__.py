"""`python -m bot.sandbox`: serve the sandbox Bot API until Ctrl-C, echoing what the bot does."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
from collections.abc import Sequence

from bot.sandbox.control import DEFAULT_TOKEN
from bot.sandbox.models import ApiCall
from bot.sandbox.server import SandboxServer


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
        metavar="ID:NAME",
        help="pre-register a user (repeatable)",
    )
    return parser.parse_args(argv)


def _describe(call: ApiCall) -> str:
    shown = {k: v for k, v in call.params.items() if k in ("chat_id", "message_id", "text")}
    outcome = "ok" if call.ok else f"{call.status} {call.description}"
    return f"{call.method} {shown} -> {outcome}"


async def _serve(args: argparse.Namespace) -> None:
    main_task = asyncio.current_task()
    if main_task is not None:
        # SIGTERM ends the server as cleanly as Ctrl-C does.
        asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, main_task.cancel)
    async with SandboxServer(
        args.token, host=args.host, port=args.port, bot_username=args.bot_username
    ) as sandbox:
        for spec in args.user:
            user_id, _, name = spec.partition(":")
            sandbox.add_user(int(user_id), name or f"User {user_id}")
        print(f"Bot API sandbox: base_url={sandbox.base_url} token={args.token}")
        example = '{"user_id": 42, "text": "/start"}'
        print(f"Drive it: curl -d '{example}' {sandbox.url}/sandbox/send_text")
        printed = 0
        while True:
            await _more_than(sandbox, printed)
            for call in [c for c in sandbox.state.calls if c.status is not None][printed:]:
                if call.method != "getUpdates":
                    print(_describe(call), flush=True)
            printed = _count(sandbox)


async def _more_than(sandbox: SandboxServer, seen: int) -> None:
    with contextlib.suppress(TimeoutError):
        await sandbox.wait_until(lambda: _count(sandbox) > seen, timeout=3600)


def _count(sandbox: SandboxServer) -> int:
    return sum(1 for c in sandbox.state.calls if c.status is not None)


def main(argv: Sequence[str] | None = None) -> None:
    """Runs the sandbox server in the foreground."""
    with contextlib.suppress(KeyboardInterrupt, asyncio.CancelledError):
        asyncio.run(_serve(_parse(argv)))


if __name__ == "__main__":
    main()
