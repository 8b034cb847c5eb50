"""The `annexbot` command line itself: help without noise, usage errors as one line and exit 1."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import typer
from typer.core import TyperGroup
from typer.testing import CliRunner

from bot.cli.main import app


def _commands(group: TyperGroup, path: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    """The path of every command under a group."""
    for name, command in group.commands.items():
        if isinstance(command, TyperGroup):
            yield from _commands(command, (*path, name))
        else:
            yield (*path, name)


COMMANDS = sorted(_commands(typer.main.get_command(app)))  # type: ignore[arg-type]


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_help_names_values_not_types(runner: CliRunner, command: tuple[str, ...]) -> None:
    """Flags show no `<bool>`, options a word for their value, and every option says what it is."""
    shown = runner.invoke(app, [*command, "--help"])
    assert shown.exit_code == 0, shown.output
    options = shown.output.split("Options:")[1]
    assert "<bool>" not in options
    assert "<str>" not in options
    assert "<int>" not in options
    assert "<path>" not in options
    for line in options.splitlines():
        if line.startswith("  -"):
            assert len(line.split("  ")) > 2 or line.rstrip().endswith("]"), line


def test_json_and_language_flags(runner: CliRunner) -> None:
    """--json says what it prints; --lang and --language are one option wherever it is."""
    assert "--json  Print JSON instead of a table" in runner.invoke(app, ["plans", "--help"]).output
    for command in ("demo", "digest", "export"):
        assert "--lang, --language zh|en" in runner.invoke(app, [command, "--help"]).output


@pytest.mark.parametrize(
    ("args", "line"),
    [
        (
            ["export", "--foo"],
            "annexbot export: No such option: --foo (Possible options: --format); "
            "see annexbot export --help",
        ),
        (["export"], "annexbot export: Missing option '--format'; see annexbot export --help"),
        (
            ["coordinator", "add"],
            "annexbot coordinator add: Missing argument 'TELEGRAM_ID'; "
            "see annexbot coordinator add --help",
        ),
        (["nothing"], "annexbot: No such command 'nothing'; see annexbot --help"),
        (["import", "--format", "pdf"], "annexbot: unknown --format 'pdf' (auto, table, inline,"),
    ],
)
def test_usage_errors_are_one_line_and_exit_1(
    runner: CliRunner, args: list[str], line: str
) -> None:
    """As the README promises: one line on standard error, exit code 1, no box."""
    result = runner.invoke(app, args)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.startswith(line)
    assert len(result.stderr.splitlines()) == 1


def test_a_group_without_its_command_shows_its_help(runner: CliRunner) -> None:
    """`annexbot db` lists what it can do."""
    result = runner.invoke(app, ["db"])
    assert result.exit_code == 0
    assert "upgrade" in result.stdout
