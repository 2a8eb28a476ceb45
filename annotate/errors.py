"""Typed errors. Library code raises these; only the CLI prints them and sets exit codes."""

from __future__ import annotations


class AnnotateError(Exception):
    """Base class: the message says what failed, where, and what to do next."""

    exit_code = 1


class InputError(AnnotateError):
    """A user-supplied file cannot be read or does not fit the expected format."""

    def __init__(self, path, message: str, line: int | None = None):
        self.path = str(path)
        self.line = line
        self.reason = message
        where = f"{self.path}:{line}" if line is not None else self.path
        super().__init__(f"{where}: {message}")

    def __reduce__(self):
        # rebuilt from its own arguments: an error raised on a Dask worker reaches the client whole
        return type(self), (self.path, self.reason, self.line)


class SchemaError(InputError):
    """A record parsed but the annotation schema rejects it."""


class ModelError(AnnotateError):
    """A model directory is missing, corrupt, or was made for another schema."""


class LabelStudioError(AnnotateError):
    """Label Studio is unreachable, refused the credentials, or answered with an error."""


class ClusterError(AnnotateError):
    """A Dask cluster (`--scheduler`) cannot be reached or lost a worker for good."""


class ConfigError(AnnotateError):
    """A configuration (codebook, corpus.toml, options) is invalid."""


class OptionError(AnnotateError):
    """An option (or the library argument behind it) has a value that cannot be used."""

    exit_code = 2  # what click uses for a usage error

    def __init__(self, option: str, message: str):
        self.option = option
        self.reason = message
        super().__init__(f"{option}: {message}")
