"""What every command shares: errors as one clear line and an exit code, the Label Studio
connection options, the options of the commands that run on a Dask cluster, score formatting and
status lines."""

from __future__ import annotations

import contextlib
import functools
import os
import signal
import sys

import click

from annotate.errors import AnnotateError


class Terminated(BaseException):
    """SIGTERM, raised like Ctrl-C's KeyboardInterrupt so that temporary files are cleaned up."""


def _terminate_on_sigterm():
    """SIGTERM (`kill`, a job scheduler's timeout) unwinds the command like Ctrl-C does, so every
    atomic write removes its temporary file. Worker processes forked later die as before.
    Returns the handler it replaced (None when it could not install one)."""
    owner = os.getpid()

    def handler(signum, frame):
        if os.getpid() != owner:  # a forked worker: the default action
            signal.signal(signum, signal.SIG_DFL)
            os.kill(os.getpid(), signum)
            return
        raise Terminated()

    with contextlib.suppress(ValueError, AttributeError):  # not the main thread / no SIGTERM
        return signal.signal(signal.SIGTERM, handler)
    return None


def handle_errors(func):
    """Run a command body; an AnnotateError becomes `error: ...` on stderr and a non-zero exit."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        previous = _terminate_on_sigterm()
        try:
            return func(*args, **kwargs)
        except AnnotateError as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(exc.exit_code)
        except KeyboardInterrupt:
            click.echo("interrupted; no output was written", err=True)
            sys.exit(130)
        except Terminated:
            click.echo("terminated; no output was written", err=True)
            sys.exit(143)
        finally:
            if previous is not None:
                signal.signal(signal.SIGTERM, previous)

    return wrapper


_server_options = (
    click.option("--url", envvar="LABEL_STUDIO_URL", default=None, metavar="URL",
                 help="Label Studio URL [env LABEL_STUDIO_URL; default: the local `annotate studio`]."),
    click.option("--api-key", envvar="LABEL_STUDIO_API_KEY", default=None, metavar="KEY",
                 help="Personal access token or legacy token [env LABEL_STUDIO_API_KEY]. Prefer "
                      "the environment: options show up in shell history."),
)


def server_options(func):
    """--url and --api-key (or LABEL_STUDIO_URL / LABEL_STUDIO_API_KEY), for every command that
    talks to Label Studio."""
    for option in reversed(_server_options):
        func = option(func)
    return func


def connect(url: str | None, api_key: str | None):
    """A Label Studio session from --url/--api-key, else the local `annotate studio` server."""
    from annotate.labelstudio.client import connect as open_session
    from annotate.labelstudio.connection import resolve_connection

    return open_session(resolve_connection(url, api_key))


def score(value: float | None) -> str:
    """A score with three decimals, or `n/a` when it is undefined (no data to compute it)."""
    return "n/a" if value is None else f"{value:.3f}"


def info(message: str) -> None:
    """A status line for the user, on stderr so stdout stays clean for data."""
    click.echo(message, err=True)


def tier_option(help_text: str):
    """`--tier fast|accurate`, shared by train, prelabel and evaluate."""
    return click.option("--tier", type=click.Choice(["fast", "accurate"]), default="fast",
                        show_default=True, help=help_text)


def shipped_model(model_dir: str | None, tier: str) -> str | None:
    """`--model` when given, else the shipped model of the tier (None: the fast default)."""
    if model_dir is not None or tier == "fast":
        return model_dir
    from annotate.model.store import default_model_dir

    return str(default_model_dir(tier))
def scheduler_options(func):
    """--scheduler ADDRESS and --workers N, for the commands that can run on a Dask cluster."""
    func = click.option("--workers", type=click.IntRange(min=1), default=None,
                        help="Worker processes of --scheduler local [default: one per CPU].")(func)
    return click.option(
        "--scheduler", default=None, metavar="ADDRESS",
        help="Run on a Dask cluster: a scheduler address (tcp://host:8786) or 'local' for a "
             "LocalCluster on this machine. Inputs are JSON Lines shards (part-*.jsonl.gz, or a "
             "directory of them) and -o a directory of output shards, in the same order. "
             "Needs the dask extra.")(func)


def on_cluster(scheduler: str | None, workers: int | None) -> bool:
    """Whether --scheduler was given (--workers alone is a usage error)."""
    if scheduler is None and workers is not None:
        raise click.UsageError("--workers needs --scheduler local")
    return scheduler is not None


def dask_session(scheduler: str, workers: int | None):
    """The Dask client of --scheduler, as a context manager."""
    from annotate.ingest.shards import dask_client

    return dask_client(scheduler, workers)
