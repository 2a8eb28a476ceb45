"""annotate: stance and sentiment annotation toolkit for news research.

The loop as Python calls (each is what the command of the same name does):

    import annotate
    sentences = annotate.split("corpora/haiti-mss/articles")
    predictions = annotate.prelabel(sentences)
    scores = annotate.evaluate(["corpora/haiti-mss/gold/articles.dev.jsonl"])

Names are imported on first use, so `import annotate` (and the command line) stays fast.
"""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["split", "prelabel", "push", "pull", "agreement", "adjudicate", "train", "evaluate",
           "report", "AnnotateError", "__version__"]


def __getattr__(name: str):
    if name == "AnnotateError":
        from annotate.errors import AnnotateError

        return AnnotateError
    if name in __all__:
        from annotate import api

        return getattr(api, name)
    raise AttributeError(f"module 'annotate' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(__all__))
