"""The library: articles, the catalog that lists them, and importing the user's files."""

from reader.library.articles import Article, ArticleInfo, Origin, reading_minutes
from reader.library.library import (
    ImportOutcome,
    Library,
    Limits,
    Listed,
    Pending,
    RefreshReport,
)
from reader.library.trash import Removal

__all__ = [
    "Article",
    "ArticleInfo",
    "ImportOutcome",
    "Library",
    "Limits",
    "Listed",
    "Origin",
    "Pending",
    "RefreshReport",
    "Removal",
    "reading_minutes",
]
