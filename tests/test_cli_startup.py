"""Commands start in a blink: the CLI and every command's help load no heavy library.

The start-up times themselves are measured in benchmarks/bench_startup.py (BENCHMARKS.md); here
we check the cause: which modules a fresh interpreter has imported.
"""

from __future__ import annotations

import json
import subprocess
import sys

import click

from annotate.cli import COMMANDS, main

HEAVY = ("sklearn", "scipy", "matplotlib", "label_studio_sdk", "skops", "textblob", "nltk",
         "pandas", "httpx", "rich")

# Runs in a fresh interpreter: after `import annotate.cli` and after each command line given,
# the heavy top-level packages present in sys.modules.
_PROBE = """
import json, sys
heavy = set(json.loads(sys.argv[1]))
def loaded():
    return sorted(heavy & {name.split(".")[0] for name in sys.modules})
from annotate.cli import main
report = {"import annotate.cli": loaded()}
for line in json.loads(sys.argv[2]):
    try:
        main(line, prog_name="annotate")
    except SystemExit as exc:
        if exc.code:
            raise
    report["annotate " + " ".join(line)] = loaded()
print(json.dumps(report))
"""


def _help_lines(group: click.Group, prefix=()) -> list[list[str]]:
    context = click.Context(group)
    lines = []
    for name in group.list_commands(context):
        command = group.get_command(context, name)
        lines.append([*prefix, name, "--help"])
        if isinstance(command, click.Group):
            lines += _help_lines(command, (*prefix, name))
    return lines


def test_cli_and_every_help_load_no_heavy_library():
    lines = [["--version"], ["--help"], *_help_lines(main)]
    result = subprocess.run([sys.executable, "-c", _PROBE, json.dumps(HEAVY), json.dumps(lines)],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.splitlines()[-1])
    assert len(report) == len(lines) + 1
    assert {step: heavy for step, heavy in report.items() if heavy} == {}


def test_every_registered_module_defines_its_command():
    context = click.Context(main)
    assert main.list_commands(context) == sorted(COMMANDS)
    for name in COMMANDS:
        assert main.get_command(context, name).name == name


def test_prelabel_loads_textblob_scores_without_nltk(tmp_path):
    """TextBlob's package imports NLTK (a second of start-up) for parts annotate never uses;
    pre-labelling reads TextBlob's tokenizer and lexicon without it."""
    sentences = tmp_path / "sentences.jsonl"
    text = "Kenya's president praised the mission, but residents were not happy at all!"
    sentences.write_text(json.dumps({"id": "a:1", "doc_id": "a", "text": text, "start": 0,
                                     "end": len(text)}) + "\n", encoding="utf-8")
    probe = ("import json, sys\n"
             "from annotate.model.prelabel import prelabel_file\n"
             f"prelabel_file({str(sentences)!r}, {str(tmp_path / 'p.jsonl')!r})\n"
             "print(json.dumps(sorted(n for n in sys.modules if n.split('.')[0] in "
             "('nltk', 'textblob'))))\n")
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.splitlines()[-1]) == []
    assert (tmp_path / "p.jsonl").read_text(encoding="utf-8").count("\n") == 1
