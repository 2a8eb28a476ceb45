"""The `annotate` command line: a thin click layer over the library.

This package is the only place that prints or sets exit codes. Each command lives in its own
module, whose `command` (a click command or group, its body wrapped in `handle_errors`) parses
options, calls a plain library function and prints its summary.

Commands start in a blink: `COMMANDS` names every command's module explicitly, and a module is
imported only when its command runs or its help is shown. Command modules import the library
inside their bodies, so `annotate --help` (which reads every command's summary) loads no
scikit-learn, scipy, TextBlob or HTTP client.
"""

from __future__ import annotations

import importlib
from types import MappingProxyType

import click

from annotate import __version__

# Every command: its name and the module that defines it as `command`. The one registration list.
COMMANDS = MappingProxyType({
    "adjudicate": "annotate.cli.adjudicate",
    "agreement": "annotate.cli.agreement",
    "convert": "annotate.cli.convert",
    "evaluate": "annotate.cli.evaluate",
    "export": "annotate.cli.export",
    "prelabel": "annotate.cli.prelabel",
    "report": "annotate.cli.report",
    "serve": "annotate.cli.serve",
    "split": "annotate.cli.split",
    "studio": "annotate.cli.studio",
    "train": "annotate.cli.train",
})


class LazyGroup(click.Group):
    """A group whose subcommands are imported from their modules on first use."""

    def __init__(self, *args, lazy_commands=MappingProxyType({}), **kwargs):
        super().__init__(*args, **kwargs)
        self.lazy_commands = lazy_commands

    def list_commands(self, ctx):
        return sorted({*super().list_commands(ctx), *self.lazy_commands})

    def get_command(self, ctx, name):
        if name not in self.commands and name in self.lazy_commands:
            command = importlib.import_module(self.lazy_commands[name]).command
            if command.name != name:
                raise RuntimeError(f"{self.lazy_commands[name]} defines command "
                                   f"{command.name!r}, registered as {name!r}")
            self.add_command(command)
        return super().get_command(ctx, name)


@click.group(cls=LazyGroup, lazy_commands=COMMANDS,
             context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="annotate")
def main():
    """Stance and sentiment annotation for news research.

    The loop: split articles into sentences, pre-label them, push them to Label Studio,
    pull the corrected gold labels back, measure agreement, adjudicate, retrain, report.

    \b
    Example:
      annotate split corpora/haiti-mss/articles -o sentences.jsonl
    """
