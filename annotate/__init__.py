"""annotate: stance and sentiment annotation toolkit for news research."""

__version__ = "0.1.0"
