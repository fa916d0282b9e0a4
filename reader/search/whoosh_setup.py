"""Adjustments to whoosh itself, made by an explicit :func:`install` (never on import).

whoosh's ``BufferFile`` copies a whole memory-mapped compound file into a
``BytesIO`` when it opens it; :func:`install` has whoosh's compound storage
read the mapped memory in place instead.
"""

from __future__ import annotations

from typing import Any

from whoosh.filedb import compound as whoosh_compound
from whoosh.filedb.structfile import BufferFile


def install() -> None:
    """Make whoosh's compound files zero-copy; calling it again changes nothing."""
    whoosh_compound.BufferFile = ZeroCopyBufferFile


class ZeroCopyBufferFile(BufferFile):  # type: ignore[misc]
    """whoosh's BufferFile copies the whole mapped file into a BytesIO on open.

    Opening a segment copies every term table it has, so each refresh after a
    commit cost a copy of the whole index. This reads the mapped memory in
    place; everything else is whoosh's own.
    """

    def __init__(self, buf: Any, name: str | None = None, onclose: Any = None) -> None:
        super().__init__(b"", name=name, onclose=onclose)
        self._buf = buf
        self.file = _MemoryReader(memoryview(buf))


class _MemoryReader:
    """A read-only file over a memoryview, without copying it."""

    def __init__(self, buf: memoryview) -> None:
        self._buf = buf
        self._pos = 0

    def read(self, n: int = -1) -> bytes:
        end = len(self._buf) if n is None or n < 0 else min(len(self._buf), self._pos + n)
        data = bytes(self._buf[self._pos : end])
        self._pos = end
        return data

    def readline(self, *_: Any) -> bytes:
        at = bytes(self._buf[self._pos :]).find(b"\n")
        return self.read(-1 if at < 0 else at + 1)

    def seek(self, pos: int, whence: int = 0) -> int:
        base = (0, self._pos, len(self._buf))[whence]
        self._pos = max(0, base + pos)
        return self._pos

    def tell(self) -> int:
        return self._pos

    def close(self) -> None:
        self._buf = memoryview(b"")

    def flush(self) -> None:
        pass
