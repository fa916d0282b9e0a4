"""Every error the core raises on purpose, in one tree.

Each message is one line a user can act on; the CLI prints it as it is and
the window shows it in a dialog or the status bar.
"""


class ReaderError(Exception):
    """Base of every error reader raises on purpose."""


class DataDirError(ReaderError):
    """The data directory is missing and cannot be made, or cannot be used."""


class CatalogError(ReaderError):
    """The library catalog database cannot be opened or written."""


class ArticleNotFound(ReaderError):
    """No article has the given id."""


class ArticleUnreadable(ArticleNotFound):
    """The article's file could not be converted; the message says why."""


class ImportFailed(ReaderError):
    """A file could not be imported; the message says why."""


class SearchIndexError(ReaderError):
    """The search index cannot be opened, written or rebuilt."""


class BookmarkError(ReaderError):
    """A bookmark cannot be made, found, stored or read."""


class BookmarkNotFound(BookmarkError):
    """No bookmark has the given id."""


class QuoteNotFound(BookmarkError):
    """The passage to bookmark is not in the article."""
