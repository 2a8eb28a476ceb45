"""Every command has help text with an example, and a README entry."""

import re
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from annotate.cli import main

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


def _commands(group: click.Group, prefix=("annotate",)):
    context = click.Context(group)
    for name in group.list_commands(context):
        command = group.get_command(context, name)
        path = (*prefix, name)
        yield path, command
        if isinstance(command, click.Group):
            yield from _commands(command, path)


ALL_COMMANDS = [(" ".join(path), command) for path, command in _commands(main)]


def test_every_stage_of_the_loop_has_its_command():
    expected = {"split", "prelabel", "train", "evaluate", "convert", "export", "export push",
                "export pull", "studio", "serve", "agreement", "adjudicate", "report"}
    assert {path.removeprefix("annotate ") for path, _ in ALL_COMMANDS} == expected


@pytest.mark.parametrize("path,command", ALL_COMMANDS, ids=[p for p, _ in ALL_COMMANDS])
def test_command_has_help_with_example(path, command):
    result = CliRunner().invoke(main, [*path.split()[1:], "--help"])
    assert result.exit_code == 0, result.output
    assert command.help and len(command.help.strip()) > 20, f"{path} has no help text"
    if not isinstance(command, click.Group):
        assert "Example" in result.output, f"{path} --help shows no example"


@pytest.mark.parametrize("path,command", ALL_COMMANDS, ids=[p for p, _ in ALL_COMMANDS])
def test_command_has_readme_entry(path, command):
    assert re.search(rf"^### {re.escape(path)}$", README, re.MULTILINE), \
        f"README has no '### {path}' section"
