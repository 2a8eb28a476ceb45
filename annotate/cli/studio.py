"""`annotate studio`: a local Label Studio for annotators."""

from __future__ import annotations

import sys

import click

from annotate.cli.common import Terminated, handle_errors, info


@click.command("studio")
@click.option("--port", type=click.IntRange(1, 65535), default=None,
              help="Port on 127.0.0.1 [default: 8080, or a free one; then the one used before].")
@click.option("--background", is_flag=True,
              help="Start the server and return (stop it with --stop) instead of running until "
                   "Ctrl-C.")
@click.option("--stop", is_flag=True, help="Stop a server started with --background.")
@click.option("--database", envvar="ANNOTATE_STUDIO_DATABASE", default=None, metavar="URL",
              help="PostgreSQL for Label Studio's data instead of SQLite: "
                   "postgresql://USER:PASSWORD@HOST:PORT/DATABASE (remembered; or set "
                   "ANNOTATE_STUDIO_DATABASE, which keeps the password out of shell history).")
@click.option("--ml-backend", is_flag=True,
              help="Also start `annotate serve` (the shipped model as Label Studio's ML backend, "
                   "retraining from this studio) and print its URL for `export push --ml-backend`.")
@click.option("--ml-backend-port", type=click.IntRange(1, 65535), default=None,
              help="Port of the ML backend [default: 9090, or a free one].")
@handle_errors
def command(port, background, stop, database, ml_backend, ml_backend_port):
    """Start a local Label Studio (loopback only, SQLite in your data directory, or PostgreSQL
    with --database).

    On first run it creates an admin account and a personal access token, stored readable by
    you only (0600) in the studio directory ($ANNOTATE_STUDIO_DIR, else studio/ in the data
    directory: $ANNOTATE_DATA_DIR, else $XDG_DATA_HOME/annotate, else ~/.local/share/annotate).
    `annotate export push`
    and `pull` use this server when LABEL_STUDIO_URL is not set. Needs the studio extra:
    pip install -e '.[studio]'.

    \b
    Example:
      annotate studio --background
      annotate export push predictions.jsonl --project haiti-mss
      annotate studio --stop
      ANNOTATE_STUDIO_DATABASE=postgresql://ls:secret@127.0.0.1:5432/labelstudio \\
          annotate studio --background
      annotate studio --background --ml-backend
    """
    from annotate.labelstudio import studio

    if stop:
        info("stopped the local Label Studio" if studio.stop()
             else "no local Label Studio started with --background is running")
        return
    if not studio.is_initialised(database):
        info("first start: Label Studio creates its database (a minute or two)...")
    result, process = studio.start(port, background=background, database=database)
    state = "started" if result.started else "already running"
    info(f"Label Studio {state} at {result.url}")
    info(f"  log in as {result.email}"
         + (f" with password {result.password} (shown once; also in {result.credentials}, "
            "readable by you only)" if result.password
            else f" (password in {result.credentials})"))
    info(f"  annotators create their account at {result.invite_url}")
    backend = None
    if ml_backend:
        backend_url, backend = studio.start_ml_backend(ml_backend_port)
        info(f"ML backend (annotate serve) {'started' if backend else 'already running'} at "
             f"{backend_url}; connect it to a project with `annotate export push FILE "
             f"--project NAME --ml-backend {backend_url}`")
    if process is None or background:
        if background and result.started:
            info("  stop it with `annotate studio --stop`")
        return
    info("  press Ctrl-C to stop")
    try:
        studio.wait(process, *([backend] if backend else []))
    except (KeyboardInterrupt, Terminated):
        info("stopped")
        sys.exit(0)
