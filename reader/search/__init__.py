"""Full-text search over the articles and the bookmarked passages.

The only package that imports whoosh. Its modules:

- ``results``: the values it takes and hands out (documents, hits, snippets, reports);
- ``analysis``: how text becomes terms (the English analyzer) and the index schema;
- ``query``: reading typed text into a query, with a fallback for odd syntax;
- ``spelling``: "Did you mean" corrections from the indexed words;
- ``highlight``: hits with the matched words marked and snippets around them;
- ``texts``: the SQLite sidecar of shown texts and stamps;
- ``whoosh_setup``: adjustments to whoosh, installed when an index is opened;
- ``index``: :class:`SearchIndex`, which opens, repairs, syncs and searches;
- ``related``: the articles most like a text ("More like this"), by its key terms;
- ``sync``: keeping the index in step with the library and the bookmarks.

Import from here, not from the modules. The plain values (``results``) are
loaded with the package; each other name loads its module, and whoosh with it,
when it is first asked for, so a command that does not search never loads whoosh.
"""

from __future__ import annotations

import importlib
import warnings
from typing import TYPE_CHECKING

# whoosh 2.7.4 has invalid escape sequences, which Python 3.12+ reports as
# SyntaxWarnings when it compiles whoosh's files. Silence those, for whoosh's
# files only (a compile warning names its file, hence the path pattern). This
# runs before any module of the package, so before whoosh is first imported.
warnings.filterwarnings("ignore", category=SyntaxWarning, module=r".*[/\\]whoosh[/\\]")
warnings.filterwarnings("ignore", category=SyntaxWarning, module=r"whoosh(\..*)?$")

from reader.search.results import (
    ARTICLE,
    BOOKMARK,
    Hit,
    IndexDoc,
    Progress,
    SearchResults,
    Snippet,
    SyncReport,
    join_snippets,
)

if TYPE_CHECKING:
    from reader.search.index import SCHEMA_VERSION, SearchIndex, index_trouble
    from reader.search.related import Related, related_articles
    from reader.search.sync import index_lag, index_path, sync_index

# The names whose modules need whoosh: each is imported from its module when first used.
_LAZY = {
    "SCHEMA_VERSION": "index",
    "SearchIndex": "index",
    "index_trouble": "index",
    "Related": "related",
    "related_articles": "related",
    "index_lag": "sync",
    "index_path": "sync",
    "sync_index": "sync",
}


def __getattr__(name: str) -> object:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))


__all__ = [
    "ARTICLE",
    "BOOKMARK",
    "SCHEMA_VERSION",
    "Hit",
    "IndexDoc",
    "Progress",
    "Related",
    "SearchIndex",
    "SearchResults",
    "Snippet",
    "SyncReport",
    "index_lag",
    "index_path",
    "index_trouble",
    "join_snippets",
    "related_articles",
    "sync_index",
]
