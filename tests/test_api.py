"""The library's face: `import annotate` names the loop's steps, and the README's example runs."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import annotate

ROOT = Path(__file__).resolve().parents[1]


def test_the_public_names_are_the_loops_steps():
    assert set(annotate.__all__) >= {"split", "prelabel", "push", "pull", "agreement",
                                     "adjudicate", "train", "evaluate", "report"}
    for name in annotate.__all__:
        assert getattr(annotate, name) is not None, name


def test_report_is_the_function_even_after_the_reports_package_is_imported():
    import annotate.reports.tables  # noqa: F401

    assert callable(annotate.report)


def test_the_readme_python_example_runs_as_written():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## From Python"):]
    example = re.search(r"```python\n(.*?)```", section, re.S).group(1)
    result = subprocess.run([sys.executable, "-c", example], cwd=ROOT, capture_output=True,
                            text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    count, stance, score = result.stdout.split()
    assert int(count) == len(annotate.split(ROOT / "corpora/haiti-mss/articles"))
    assert stance in {"supportive", "wary", "critical", "none"}
    assert 0 < float(score) <= 1


def test_functions_take_records_or_files(tmp_path):
    gold = ROOT / "corpora/haiti-mss/gold/articles.dev.jsonl"
    from_file = annotate.adjudicate(gold)
    from annotate.records import read_records

    from_records = annotate.adjudicate(list(read_records(gold, "gold")))
    assert from_file.records == from_records.records and from_file.records
