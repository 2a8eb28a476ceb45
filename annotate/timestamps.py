"""ISO 8601 timestamps as Label Studio writes them (`...Z` or `+00:00`): one parser for all."""

from __future__ import annotations

from datetime import datetime


def parse_time(value: str) -> datetime:
    """A datetime from ISO 8601 text; a trailing `Z` means UTC. Raises ValueError otherwise."""
    return datetime.fromisoformat(value.replace("Z", "+00:00"))
