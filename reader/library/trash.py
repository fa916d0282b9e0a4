"""Where a removed article's files wait, so that a remove can be undone.

Removing an article moves its files out of the library folder into
``trash/`` in the data folder, one folder per removal, with a small manifest
saying what was moved from where. Putting it back moves them home again.
Removals older than :data:`KEEP_DAYS` are emptied at the next removal.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import shutil
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

from reader import storage
from reader.errors import ArticleNotFound, ReaderError
from reader.library.importing import is_article_name, is_page_folder_file, metadata_path
from reader.library.importing.html import HTML_SUFFIXES

KEEP_DAYS = 30
MANIFEST = "removed.json"


@dataclass(frozen=True)
class Removal:
    """One removed article's files in the trash."""

    article_id: str
    title: str
    source: str  # the article's file, relative to the library folder
    moved: tuple[str, ...]  # what was moved, relative to the library folder
    removed_at: float
    added_at: float
    folder: str = ""  # the removal's folder, relative to the data folder


def _move(source: Path, target: Path) -> None:
    """Move a file or folder; across file systems (a library folder linked to another
    disk), by copying it and removing the original once the copy is whole."""
    try:
        os.rename(source, target)
    except OSError as exc:
        if exc.errno != errno.EXDEV:
            raise
        shutil.move(source, target)


def _belongs_to(source: Path, user_dir: Path) -> list[Path]:
    """The files and folders that go with an article's file: its metadata, a saved
    page's ``NAME_files`` folder, or the whole folder made for it when it is the
    only article there."""
    parent = source.parent
    if parent != user_dir and user_dir in parent.parents:
        others = (
            p for p in parent.rglob("*")
            if p != source and is_article_name(p.name) and p.is_file()
            and not is_page_folder_file(p, user_dir)
        )  # fmt: skip
        if next(others, None) is None:
            return [parent]
    found = [source]
    meta = metadata_path(source)
    if meta.exists():
        found.append(meta)
    if source.suffix.lower() in HTML_SUFFIXES:
        files = source.with_name(source.stem + "_files")
        if files.is_dir():
            found.append(files)
    return found


def move_to_trash(
    data_dir: Path, user_dir: Path, source: Path, article_id: str, title: str, added_at: float
) -> Removal:
    """Move an article's files into a new folder of the trash; what was moved."""
    if user_dir not in source.parents:
        raise ReaderError(f"{source} is not in the library folder, so it is not moved")
    trash = data_dir / "trash"
    now = time.time()
    stamp = time.strftime("%Y%m%d-%H%M%S", time.localtime(now))
    for n in range(1, 1000):
        folder = trash / (f"{stamp}-{article_id}" + (f"-{n}" if n > 1 else ""))
        try:
            folder.mkdir(parents=True)
            break
        except FileExistsError:
            continue
    else:
        raise ReaderError("the trash has no room for another removal")
    moving = _belongs_to(source, user_dir)
    removal = Removal(
        article_id=article_id,
        title=title,
        source=source.relative_to(user_dir).as_posix(),
        moved=tuple(p.relative_to(user_dir).as_posix() for p in moving),
        removed_at=now,
        added_at=added_at,
        folder=folder.relative_to(data_dir).as_posix(),
    )
    storage.write_atomic(folder / MANIFEST, json.dumps(asdict(removal)).encode("utf-8"))
    done: list[Path] = []
    try:
        for path in moving:
            rel = path.relative_to(user_dir)
            (folder / "files" / rel).parent.mkdir(parents=True, exist_ok=True)
            _move(path, folder / "files" / rel)
            done.append(path)
    except OSError as exc:
        for path in reversed(done):  # all or nothing
            with contextlib.suppress(OSError):
                _move(folder / "files" / path.relative_to(user_dir), path)
        shutil.rmtree(folder, ignore_errors=True)
        raise ReaderError(f"could not remove {title}: {storage.reason(exc)}") from None
    return removal


def read_removal(data_dir: Path, folder: str) -> Removal:
    """A removal kept in the trash, by its folder (relative to the data folder)."""
    where = data_dir / folder
    try:
        data = json.loads((where / MANIFEST).read_text(encoding="utf-8"))
        return Removal(**{**data, "moved": tuple(data["moved"]), "folder": folder})
    except FileNotFoundError:
        raise ArticleNotFound(
            f"its files are no longer in the trash ({where}); they are kept {KEEP_DAYS} days"
        ) from None
    except (OSError, ValueError, TypeError, KeyError) as exc:
        raise ReaderError(f"the trash entry {where} is unreadable: {exc}") from None


def put_back(data_dir: Path, user_dir: Path, removal: Removal) -> Path:
    """Move a removal's files home; the article's file. Nothing moves if any would
    take the place of a file the library folder has now."""
    where = data_dir / removal.folder / "files"
    for rel in removal.moved:
        if os.path.lexists(user_dir / rel):
            raise ReaderError(
                f"cannot put {removal.title} back: the library folder has another {rel} now"
            )
        if not os.path.lexists(where / rel):
            raise ArticleNotFound(f"cannot put {removal.title} back: {where / rel} is gone")
    done: list[str] = []
    try:
        for rel in removal.moved:
            (user_dir / rel).parent.mkdir(parents=True, exist_ok=True)
            _move(where / rel, user_dir / rel)
            done.append(rel)
    except OSError as exc:
        for rel in reversed(done):
            with contextlib.suppress(OSError):
                _move(user_dir / rel, where / rel)
        raise ReaderError(f"could not put {removal.title} back: {storage.reason(exc)}") from None
    shutil.rmtree(data_dir / removal.folder, ignore_errors=True)
    return user_dir / removal.source


def removals(data_dir: Path) -> Iterator[Path]:
    trash = data_dir / "trash"
    if trash.is_dir():
        yield from (p for p in trash.iterdir() if (p / MANIFEST).is_file())


def empty_old(data_dir: Path, days: int = KEEP_DAYS) -> int:
    """Delete removals older than ``days``; how many."""
    limit = time.time() - days * 86400
    gone = 0
    for folder in removals(data_dir):
        try:
            data = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
            old = float(data["removed_at"]) < limit
        except (OSError, ValueError, TypeError, KeyError):
            continue  # unreadable: kept, for a person to look at
        if old:
            shutil.rmtree(folder, ignore_errors=True)
            gone += 1
    return gone
