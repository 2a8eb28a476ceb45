"""`annotate serve`: the model as a Label Studio ML backend (live pre-labels, retraining)."""

from __future__ import annotations

import os

import click

from annotate.cli.common import handle_errors, info, server_options
from annotate.labelstudio.defaults import PASSWORD_ENV, USER_ENV

DEFAULT_PORT = 9090


def default_models_dir() -> str:
    from annotate.labelstudio.studio import data_dir

    return str(data_dir() / "serve" / "models")


def _connection(url, api_key):
    """Where retraining pulls the gold from; None (retraining off) without a Label Studio."""
    from annotate.errors import LabelStudioError
    from annotate.labelstudio.connection import resolve_connection

    if url:
        return resolve_connection(url, api_key)
    try:
        return resolve_connection(None, api_key)
    except LabelStudioError as exc:
        info(f"warning: retraining is off ({exc})")
        return None


@click.command("serve")
@click.option("--model", "model_dir", type=click.Path(file_okay=False, path_type=str),
              default=None, help="Model directory to serve [default: the one the last training "
                                 "switched to, else the shipped model].")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on (0.0.0.0: every interface).")
@click.option("--port", type=click.IntRange(1, 65535), default=DEFAULT_PORT, show_default=True)
@click.option("--basic-auth-user", envvar=USER_ENV, default=None, metavar="NAME",
              help=f"Require HTTP basic auth with this user [env {USER_ENV}]; the password is "
                   f"read from ${PASSWORD_ENV}, never from an option.")
@click.option("--models-dir", type=click.Path(file_okay=False, path_type=str), default=None,
              help="Where trainings write their versioned model directories and pulled gold "
                   "[default: serve/models in the data directory].")
@click.option("--gold", "gold_paths", multiple=True,
              type=click.Path(exists=True, dir_okay=False, path_type=str),
              help="Training gold added to the project's annotations at every training "
                   "(repeatable), e.g. the files the served model was trained on.")
@click.option("--retrain-every", type=click.IntRange(min=1), default=None, metavar="N",
              help="Also train after every N new or changed annotations [default: only on "
                   "Start Training].")
@click.option("--folds", type=click.IntRange(min=2), default=5, show_default=True,
              help="Cross-validation folds of each training (its score decides the switch).")
@click.option("--seed", type=int, default=0, show_default=True)
@server_options
@handle_errors
def command(model_dir, host, port, basic_auth_user, models_dir, gold_paths, retrain_every, folds,
            seed, url, api_key):
    """Serve the model to Label Studio as an ML backend: tasks without predictions are
    pre-labelled when an annotator opens them (and by the Data Manager's Retrieve Predictions);
    the Start Training button (and, with --retrain-every, new annotations) retrains it from the
    project's gold in the background. The new model replaces the served one only if its
    cross-validated stance macro-F1 is not worse; tasks nobody annotated then get its
    predictions. Connect it with `annotate export push --ml-backend URL`, or in Label Studio:
    project Settings > Model > Connect Model. Retraining pulls from LABEL_STUDIO_URL with
    LABEL_STUDIO_API_KEY (else the local `annotate studio`). Needs the serve extra:
    pip install -e '.[serve]'.

    \b
    Example:
      annotate serve --port 9090 --gold corpora/haiti-mss/gold/articles.train.jsonl \\
          --gold corpora/haiti-mss/gold/extra.train.jsonl
      annotate export push predictions.jsonl --project haiti-mss \\
          --ml-backend http://127.0.0.1:9090
    """
    from annotate.errors import ConfigError

    try:
        from annotate.labelstudio.backend.run import build, serve
    except ImportError as exc:  # Flask or waitress missing
        raise ConfigError(f"annotate serve needs the serve extra ({exc.name} is not installed): "
                          "pip install -e '.[serve]'") from None

    basic_auth = None
    if basic_auth_user:
        password = os.environ.get(PASSWORD_ENV)
        if not password:
            raise ConfigError(f"--basic-auth-user {basic_auth_user} needs the password in "
                              f"${PASSWORD_ENV} (not an option: options show in `ps`)")
        basic_auth = (basic_auth_user, password)
    from annotate.labelstudio.backend.retrain import configure_logging

    configure_logging()
    if host not in ("127.0.0.1", "localhost", "::1") and basic_auth is None:
        info(f"warning: listening on {host} without basic auth: anyone who can reach it can use "
             f"the model and start trainings; set --basic-auth-user and ${PASSWORD_ENV}")
    service, app = build(model_dir, models_dir or default_models_dir(),
                         connection=_connection(url, api_key), gold_paths=gold_paths,
                         retrain_every=retrain_every, folds=folds, seed=seed,
                         basic_auth=basic_auth)
    info(f"serving {service.model_version} at http://{host}:{port} (Label Studio ML backend"
         + ("; basic auth on" if basic_auth else "") + "); press Ctrl-C to stop")
    try:
        serve(app, host, port)
    except KeyboardInterrupt:
        info("stopped")
    except OSError as exc:
        raise ConfigError(f"cannot listen on {host}:{port} ({exc.strerror or exc}); choose "
                          "another --port") from None
