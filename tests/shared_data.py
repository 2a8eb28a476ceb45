"""Where the public data sets and the seed article live: `../shared/` beside the clone.

They are third-party files, read in place and never copied into the repository. Tests that need
them carry `@pytest.mark.shared_data`: without the folder they are skipped with a visible reason,
and with `ANNOTATE_REQUIRE_SHARED=1` (set by `.ci/run`) a missing folder fails them instead.
"""

from __future__ import annotations

import os
from pathlib import Path

SHARED_DIR = Path(os.environ.get("ANNOTATE_SHARED_DIR")
                  or Path(__file__).resolve().parents[2] / "shared")
DATA_DIR = SHARED_DIR / "data"
SEED_ARTICLE = SHARED_DIR / "seed" / "haiti-mss-article.txt"
REQUIRE_ENV = "ANNOTATE_REQUIRE_SHARED"


def shared_data_missing() -> str | None:
    """Why the shared data cannot be used, or None when it is there."""
    if (DATA_DIR).is_dir() and SEED_ARTICLE.is_file():
        return None
    return (f"needs the shared data sets beside the clone: {SHARED_DIR} not found "
            "(set ANNOTATE_SHARED_DIR to point elsewhere)")
