"""The `annotate` command line: a thin click layer over the library.

This package is the only place that prints or sets exit codes. Each command lives in its own
module, whose `command` (a click command or group, its body wrapped in `handle_errors`) parses
options, calls a plain library function and prints its summary.
"""

from __future__ import annotations

import importlib

import click

from annotate import __version__

# Command modules, each defining `command` (a click command or group) to register.
COMMAND_MODULES = (
    "convert",
    "split",
    "agreement",
    "adjudicate",
    "report",
    "train",
    "prelabel",
    "evaluate",
    "export",
    "studio",
)


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="annotate")
def main():
    """Stance and sentiment annotation for news research.

    The loop: split articles into sentences, pre-label them, push them to Label Studio,
    pull the corrected gold labels back, measure agreement, adjudicate, retrain, report.

    \b
    Example:
      annotate split corpora/haiti-mss/articles -o sentences.jsonl
    """


for _name in COMMAND_MODULES:
    main.add_command(importlib.import_module(f"{__name__}.{_name}").command)
