"""Which Label Studio to talk to: --url/--api-key (or the environment), else the local studio."""

from __future__ import annotations

import os

from annotate.errors import ConfigError, LabelStudioError
from annotate.labelstudio import client as labelstudio


def resolve_connection(url: str | None, api_key: str | None) -> labelstudio.Connection:
    """--url/--api-key (or LABEL_STUDIO_URL/LABEL_STUDIO_API_KEY); without a URL, the local
    `annotate studio` server and its stored token."""
    if url:
        if not url.lower().startswith(("http://", "https://")):
            raise ConfigError(f"Label Studio URL {url!r} (--url or LABEL_STUDIO_URL) does not start "
                              "with http:// or https://; give the whole address, e.g. "
                              "http://localhost:8080")
        if not api_key:
            raise LabelStudioError("no API key for Label Studio at " + url + ": set "
                                   "LABEL_STUDIO_API_KEY or pass --api-key (Account & Settings "
                                   "> Personal Access Token in Label Studio)")
        return labelstudio.Connection(url.rstrip("/"), api_key)
    from annotate.labelstudio.studio import local_connection

    return local_connection(api_key or os.environ.get("LABEL_STUDIO_API_KEY"))
