"""The shown texts and stamps of the indexed documents, in SQLite beside the index.

whoosh keeps only small stored fields: snippets and spelling suggestions read
a document's text from here, and a sync reads the stamps from here to see
what changed.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path

from reader import storage
from reader.search.results import IndexDoc


class Texts:
    """The ``docs`` table: doc id -> stamp, body and note."""

    def __init__(self, path: Path, read_only: bool = False) -> None:
        if read_only:
            self.db = storage.connect_read_only(path)
            return
        self.db = storage.connect(path)
        try:
            self.db.execute(
                "CREATE TABLE IF NOT EXISTS docs (doc_id TEXT PRIMARY KEY, stamp TEXT NOT NULL,"
                " body TEXT NOT NULL, note TEXT NOT NULL)"
            )
        except BaseException:
            self.db.close()
            raise

    def stamps(self) -> dict[str, str]:
        """Every document's stamp, by id."""
        return {
            row["doc_id"]: row["stamp"] for row in self.db.execute("SELECT doc_id, stamp FROM docs")
        }

    def texts(self, doc_ids: Sequence[str]) -> dict[str, tuple[str, str]]:
        """The (body, note) of each of ``doc_ids`` that is here."""
        if not doc_ids:
            return {}
        marks = ",".join("?" * len(doc_ids))
        rows = self.db.execute(
            f"SELECT doc_id, body, note FROM docs WHERE doc_id IN ({marks})", list(doc_ids)
        )
        return {row["doc_id"]: (row["body"], row["note"]) for row in rows}

    def containing(self, words: Sequence[str], limit: int) -> Iterator[tuple[str, str, str]]:
        """(doc id, body, note) of up to ``limit`` documents whose body holds ``words`` in
        this order (ASCII case ignored), a first sieve for words the index does not hold."""
        escaped = (w.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") for w in words)
        pattern = "%" + "%".join(escaped) + "%"
        yield from (
            (row["doc_id"], row["body"], row["note"])
            for row in self.db.execute(
                "SELECT doc_id, body, note FROM docs WHERE body LIKE ? ESCAPE '\\' LIMIT ?",
                (pattern, limit),
            )
        )

    def write(self, docs: Sequence[IndexDoc], gone: Sequence[str]) -> None:
        """Store ``docs`` (replacing any with the same id) and drop ``gone``, in one transaction."""
        with storage.transaction(self.db) as db:
            db.executemany("DELETE FROM docs WHERE doc_id=?", [(d,) for d in gone])
            db.executemany(
                "INSERT OR REPLACE INTO docs VALUES (?, ?, ?, ?)",
                [(d.doc_id, d.stamp, d.body, d.note) for d in docs],
            )

    def close(self) -> None:
        self.db.close()
