"""reader: an offline desktop reader for articles."""

__version__ = "0.1.0"
