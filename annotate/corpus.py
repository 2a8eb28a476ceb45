"""A corpus described by its corpus.toml: name, target, articles, codebook and gold files.

Read once per command (push takes the target and the codebook from one CorpusConfig).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from annotate.errors import ConfigError
from annotate.records import read_toml


@dataclass(frozen=True)
class CorpusConfig:
    """A corpus described by its corpus.toml; every path is resolved against the file's folder."""

    path: Path
    name: str
    target: str
    description: str
    articles: Path
    codebook: Path
    gold_train: tuple[Path, ...] = ()
    gold_dev: tuple[Path, ...] = ()


def load_corpus_config(path) -> CorpusConfig:
    """Read and check a corpus.toml; a problem raises ConfigError naming the file."""
    path = Path(path)
    data = read_toml(path, "corpus.toml")

    def text(key, required=True):
        value = data.get(key, None if required else "")
        if value is None:
            raise ConfigError(f"{path}: missing required key {key!r}")
        if not isinstance(value, str) or (required and not value.strip()):
            raise ConfigError(f"{path}: {key!r} must be a non-empty string")
        return value

    def existing(relative, what, kind):
        resolved = (path.parent / relative).resolve()
        if not (resolved.is_dir() if kind == "dir" else resolved.is_file()):
            raise ConfigError(f"{path}: {what} {relative!r} is not an existing {kind} "
                              f"(looked for {resolved})")
        return resolved

    gold = data.get("gold", {})
    if not isinstance(gold, dict):
        raise ConfigError(f"{path}: [gold] must be a table with 'train' and 'dev' lists")
    unknown = set(gold) - {"train", "dev"}
    if unknown:
        raise ConfigError(f"{path}: unknown key(s) in [gold]: {', '.join(sorted(unknown))}; "
                          "expected 'train' and 'dev'")

    def gold_files(split):
        files = gold.get(split, [])
        if not isinstance(files, list) or not all(isinstance(f, str) for f in files):
            raise ConfigError(f"{path}: gold.{split} must be a list of file paths")
        return tuple(existing(f, f"gold.{split} file", "file") for f in files)

    return CorpusConfig(
        path=path.resolve(),
        name=text("name"),
        target=text("target"),
        description=text("description", required=False),
        articles=existing(text("articles"), "articles", "dir"),
        codebook=existing(text("codebook"), "codebook", "file"),
        gold_train=gold_files("train"),
        gold_dev=gold_files("dev"),
    )
