"""annexbot member limit and unlimit: what the shell says, and what a wrong name gets."""

from __future__ import annotations

from typer.testing import CliRunner

from bot.cli.main import app


def test_limit_and_unlimit_a_coordinator_from_the_shell(runner: CliRunner) -> None:
    """Limited to one plan (named in any case), then to two, then to every plan again."""
    for code in ("gf-2015-5", "gf-b"):
        imported = runner.invoke(app, ["import", "--bundled", "gf-2015-5", "--plan", code])
        assert imported.exit_code == 0, imported.output
    assert runner.invoke(app, ["coordinator", "add", "12345", "--name", "省督查室"]).exit_code == 0
    limited = runner.invoke(app, ["member", "limit", "省督查室", "gf-2015-5"])
    assert limited.exit_code == 0, limited.output
    assert limited.output == "省督查室 supervises only 国发〔2015〕5号 (gf-2015-5).\n"
    again = runner.invoke(app, ["member", "limit", "12345", "GF-2015-5"])
    assert again.output == "省督查室 supervises only 国发〔2015〕5号 (gf-2015-5) (unchanged).\n"
    both = runner.invoke(app, ["member", "limit", "12345", "gf-2015-5", "gf-b"])
    assert both.output == (
        "省督查室 supervises only 国发〔2015〕5号 (gf-2015-5), 国发〔2015〕5号 (gf-b).\n"
    )
    lifted = runner.invoke(app, ["member", "unlimit", "12345"])
    assert lifted.output == "省督查室 supervises every plan.\n"


def test_limits_refuse_unknown_plans_and_liaisons(runner: CliRunner) -> None:
    """An unknown plan or a member who is not a coordinator: one line, exit code 1."""
    assert runner.invoke(app, ["import", "--bundled", "gf-2015-5"]).exit_code == 0
    assert runner.invoke(app, ["coordinator", "add", "12345", "--name", "省督查室"]).exit_code == 0
    unknown = runner.invoke(app, ["member", "limit", "12345", "gf-1999-1"])
    assert unknown.exit_code == 1
    assert "No plan matches “gf-1999-1”" in unknown.output
    nobody = runner.invoke(app, ["member", "unlimit", "@nobody"])
    assert nobody.exit_code == 1
    assert "No registered member is called “@nobody”" in nobody.output
