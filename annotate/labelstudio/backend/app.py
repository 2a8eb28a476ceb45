"""The HTTP side of `annotate serve`: Flask routes for Label Studio's ML backend protocol.

Every failure answers JSON {"error": message} with a 4xx/5xx status, never an HTML traceback.
The message is also the HTTP reason phrase: Label Studio shows only "400 Client Error:
<reason> for url: ..." when /setup fails, so that is where a user reads why.
Request bodies are never logged: /setup carries the project owner's API token.
"""

from __future__ import annotations

import hmac
import logging
import re

from flask import Flask, jsonify, request
from werkzeug.exceptions import HTTPException

from annotate.errors import AnnotateError
from annotate.labelstudio.backend.protocol import (
    BadRequest,
    json_object,
    project_id,
    refuse_unknown_config,
)
from annotate.labelstudio.backend.service import Service

log = logging.getLogger("annotate.serve")

TRAINING_EVENTS = ("START_TRAINING",)
ANNOTATION_EVENTS = ("ANNOTATION_CREATED", "ANNOTATION_UPDATED")
MAX_BODY_BYTES = 64 * 1024 * 1024  # a Retrieve Predictions batch of thousands of tasks fits


def _reason(message: str) -> str:
    """A message as an HTTP reason phrase: one line of printable ASCII, not too long."""
    return re.sub(r"[^\x20-\x7e]", "?", " ".join(message.split()))[:300]


def error(status: int, message: str):
    response = jsonify({"error": message, "status": "error"})
    response.status = f"{status} {_reason(message)}"
    return response


def create_app(service: Service, basic_auth: tuple[str, str] | None = None) -> Flask:
    app = Flask("annotate.serve")
    app.config["MAX_CONTENT_LENGTH"] = MAX_BODY_BYTES

    def body(what: str) -> dict:
        data = request.get_json(silent=True)
        if data is None:
            raise BadRequest(f"{what}: expected a JSON body (Content-Type: application/json)")
        return json_object(data, what)

    @app.before_request
    def check_auth():
        if basic_auth is None:
            return None
        given = request.authorization
        user_ok = given is not None and hmac.compare_digest(
            (given.username or "").encode(), basic_auth[0].encode())
        password_ok = given is not None and hmac.compare_digest(
            (given.password or "").encode(), basic_auth[1].encode())
        if user_ok and password_ok:
            return None
        response = error(401, "this ML backend needs HTTP basic auth: give its user and "
                              "password in the project's Model settings")
        response.headers["WWW-Authenticate"] = 'Basic realm="annotate serve"'
        return response

    @app.get("/")
    @app.get("/health")
    def health():
        return jsonify({"status": "UP", "model_class": "annotate", **service.status()})

    @app.post("/setup")
    def setup():
        data = body("/setup")
        project_id(data.get("project"))
        refuse_unknown_config(data.get("schema"))
        return jsonify({"model_version": service.model_version})

    @app.post("/predict")
    def predict():
        data = body("/predict")
        if "label_config" in data:
            refuse_unknown_config(data["label_config"])
        results = service.predict(data.get("tasks"))
        return jsonify({"results": results, "model_version": service.model_version})

    @app.post("/webhook")
    def webhook():
        data = body("/webhook")
        action = data.get("action")
        project = data.get("project")
        if action not in (*TRAINING_EVENTS, *ANNOTATION_EVENTS):
            return jsonify({"status": "ignored", "action": str(action)[:60]}), 200
        if not isinstance(project, dict):
            raise BadRequest(f"{action}: 'project' must be the project object Label Studio sends")
        if action in TRAINING_EVENTS:
            started = service.start_training(project)
            status = "training started" if started else "a training is already running"
        else:
            started = service.annotation_changed(project)
            status = "training started" if started else "counted"
        return jsonify({"status": status, "model_version": service.model_version}), 201

    @app.errorhandler(BadRequest)
    def bad_request(exc):
        log.warning("refused %s %s: %s", request.method, request.path, exc)
        return error(400, str(exc))

    @app.errorhandler(AnnotateError)
    def annotate_error(exc):
        log.error("%s %s failed: %s", request.method, request.path, exc)
        return error(500, str(exc))

    @app.errorhandler(HTTPException)
    def http_error(exc):
        return error(exc.code or 500, exc.description or exc.name)

    @app.errorhandler(Exception)
    def unexpected(exc):
        log.exception("%s %s failed unexpectedly", request.method, request.path)
        return error(500, "internal error in annotate serve; see its log")

    return app
