"""The package's boundaries, as the README's layout promises them."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "annotate"


def _imports(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module.split(".")[0])
    return names


def _modules():
    return sorted(PACKAGE.rglob("*.py"))


def test_only_the_label_studio_client_talks_http_or_uses_the_sdk():
    talkers = {str(p.relative_to(PACKAGE)) for p in _modules()
               if _imports(p) & {"label_studio_sdk", "httpx", "requests", "urllib3"}}
    assert all(t.startswith("labelstudio/client/") for t in talkers), talkers


def test_only_the_cli_prints_or_exits():
    offenders = []
    for path in _modules():
        if path.parent.name == "cli":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and \
                    node.func.id in {"print", "exit"}:
                offenders.append(f"{path.relative_to(PACKAGE)}:{node.lineno}")
            if isinstance(node, ast.Attribute) and node.attr == "exit" and \
                    isinstance(node.value, ast.Name) and node.value.id == "sys":
                offenders.append(f"{path.relative_to(PACKAGE)}:{node.lineno}")
    assert not offenders, offenders


def test_the_labeling_config_is_only_in_the_label_studio_package():
    outside = [str(p.relative_to(PACKAGE)) for p in _modules()
               if p.parent.name != "labelstudio" and "<View" in p.read_text(encoding="utf-8")]
    assert not outside, outside


def test_no_module_is_too_long_to_read_in_one_sitting():
    long = {str(p.relative_to(PACKAGE)): n for p in _modules()
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > 600}
    assert not long, long


def test_every_package_folder_is_installed():
    """pyproject lists the packages one by one: a new folder left out works in an editable
    install and is missing from the wheel (as `annotate.labelstudio.client` once was in CI)."""
    import tomllib

    listed = set(tomllib.loads((PACKAGE.parent / "pyproject.toml").read_text())
                 ["tool"]["setuptools"]["packages"])
    folders = {".".join(("annotate", *p.parent.relative_to(PACKAGE).parts))
               for p in PACKAGE.rglob("__init__.py")}
    assert folders <= listed, sorted(folders - listed)
