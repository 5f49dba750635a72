"""Every command of the CLI has help, an example, and a place in the README."""

from __future__ import annotations

import click
import pytest
from click.testing import CliRunner
from conftest import ROOT

from evidence_graph.graph.cli import cli

CONTRACT_COMMANDS = {
    "build",
    "parse",
    "query",
    "export",
    "viz",
    "validate",
    "stats",
    "explain",
    "serve",
    "push",
}


def test_contract_commands_exist() -> None:
    assert CONTRACT_COMMANDS <= set(cli.commands), sorted(CONTRACT_COMMANDS - set(cli.commands))


@pytest.mark.parametrize("name", sorted(cli.commands))
def test_command_has_help_example_and_readme_mention(name: str) -> None:
    command = cli.commands[name]
    assert isinstance(command, click.Command)
    assert command.help and command.get_short_help_str().strip(), f"{name} has no help"
    assert "evidence-graph " + name in command.help, f"{name}'s docstring has no example"
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert f"evidence-graph {name}" in readme, f"README never shows `evidence-graph {name}`"
    result = CliRunner().invoke(cli, [name, "-h"])
    assert result.exit_code == 0, result.output
    assert "Usage:" in result.output


def test_version_and_help() -> None:
    runner = CliRunner()
    result = runner.invoke(cli, ["--version"])
    assert result.exit_code == 0 and "0.1.0" in result.output, result.output
    result = runner.invoke(cli, ["-h"])
    assert result.exit_code == 0 and "Commands:" in result.output, result.output


def test_unknown_command_is_a_usage_error() -> None:
    result = CliRunner().invoke(cli, ["frobnicate"])
    assert result.exit_code == 2
    assert "No such command" in result.output
