"""What every command shares: turning library errors into one clear line and an exit code."""

from __future__ import annotations

import functools
import sys

import click

from annotate.errors import AnnotateError


def handle_errors(func):
    """Run a command body; an AnnotateError becomes `error: ...` on stderr and a non-zero exit."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except AnnotateError as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(exc.exit_code)
        except KeyboardInterrupt:
            click.echo("interrupted; no output was written", err=True)
            sys.exit(130)

    return wrapper


def info(message: str) -> None:
    """A status line for the user, on stderr so stdout stays clean for data."""
    click.echo(message, err=True)
