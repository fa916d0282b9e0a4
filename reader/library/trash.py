"""Where a removed article's files wait, so that a remove can be undone.

Removing an article moves its files out of the library folder into
``trash/`` in the data folder, one folder per removal, with a small manifest
saying what was moved from where. Putting it back moves them home again.
Removals older than :data:`KEEP_DAYS` are emptied at the next removal.

What goes with an article's file: its metadata, a saved page's ``NAME_files``
folder, and the images it shows from its own folder when no other article
lives there. Never a folder as such: a folder left empty is removed, and made
again when the article is put back.

A move is all or nothing. Across file systems (a library folder linked to
another disk) every file is copied first, and the originals are deleted only
once every copy is whole; a move that cannot be undone leaves both places as
they are and says where the files are.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import shutil
import time
from collections.abc import Iterable, Iterator
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


def belongs_to(source: Path, user_dir: Path, images: Iterable[Path] = ()) -> list[Path]:
    """The files and folders that go with an article's file: itself, its metadata, a
    saved page's ``NAME_files`` folder, and ``images`` (the files it shows from its own
    folder) when no other article is in that folder."""
    found = [source]
    meta = metadata_path(source)
    if meta.exists():
        found.append(meta)
    files = source.with_name(source.stem + "_files")
    if source.suffix.lower() in HTML_SUFFIXES and files.is_dir():
        found.append(files)
    parent = source.parent
    if parent != user_dir and not _other_articles(parent, source, user_dir):
        for image in images:
            inside = parent in image.parents and files not in image.parents
            if inside and image.is_file() and image not in found:
                found.append(image)
    return found


def _other_articles(folder: Path, source: Path, user_dir: Path) -> bool:
    return any(
        p != source and is_article_name(p.name) and p.is_file()
        and not is_page_folder_file(p, user_dir)
        for p in folder.rglob("*")
    )  # fmt: skip


def _copy(source: Path, target: Path) -> None:
    if source.is_dir() and not source.is_symlink():
        shutil.copytree(source, target, symlinks=True)
    else:
        shutil.copy2(source, target, follow_symlinks=False)


def _delete(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    else:
        path.unlink()


class _Stranded(ReaderError):
    """A move that failed could not be undone whole."""


def _move_all(pairs: list[tuple[Path, Path]]) -> None:
    """Move each source to its target, all or none.

    A rename is tried first; across file systems the item is copied, and the
    copied originals are deleted only once every item has reached its target.
    On failure what was moved goes back and what was copied is deleted; if
    that fails too, :class:`_Stranded` says so and nothing more is touched.
    """
    renamed: list[tuple[Path, Path]] = []
    copied: list[tuple[Path, Path]] = []
    try:
        for source, target in pairs:
            target.parent.mkdir(parents=True, exist_ok=True)
            try:
                os.rename(source, target)
                renamed.append((source, target))
            except OSError as exc:
                if exc.errno != errno.EXDEV:
                    raise
                copied.append((source, target))  # before the copy: a half copy is undone too
                _copy(source, target)
    except OSError:
        stranded = False
        for source, target in reversed(renamed):
            try:
                os.rename(target, source)
            except OSError:
                stranded = True
        for _source, target in copied:
            try:
                _delete(target)  # a copy: its original is whole
            except FileNotFoundError:
                pass  # not begun
            except OSError:
                stranded = True
        if stranded:
            raise _Stranded("the files could not all be moved back") from None
        raise
    for source, _target in copied:
        # Every copy is whole by now. An original that cannot be deleted whole stays
        # in part where it was; the move is done all the same.
        with contextlib.suppress(OSError):
            _delete(source)


def _drop_empty_folders(start: Path, root: Path) -> None:
    """Remove ``start`` and the folders above it, up to ``root``, while they are empty."""
    folder = start
    while folder != root and root in folder.parents:
        try:
            folder.rmdir()
        except OSError:
            return
        folder = folder.parent


def move_to_trash(
    data_dir: Path,
    user_dir: Path,
    source: Path,
    article_id: str,
    title: str,
    added_at: float,
    images: Iterable[Path] = (),
) -> Removal:
    """Move an article's files into a new folder of the trash; what was moved."""
    if user_dir not in source.parents:
        raise ReaderError(f"{source} is not in the library folder, so it is not moved")
    now = time.time()
    stamp = time.strftime("%Y%m%d-%H%M%S", time.localtime(now))
    moving = belongs_to(source, user_dir, images)
    try:
        folder = _new_folder(data_dir / "trash", f"{stamp}-{article_id}")
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
    except OSError as exc:
        raise ReaderError(f"could not remove {title}: {storage.reason(exc)}") from None
    try:
        _move_all([(p, folder / "files" / p.relative_to(user_dir)) for p in moving])
    except _Stranded:
        raise ReaderError(
            f"could not remove {title}, and some of its files stayed in {folder / 'files'}"
        ) from None
    except OSError as exc:
        shutil.rmtree(folder, ignore_errors=True)  # nothing of the article is in it
        raise ReaderError(f"could not remove {title}: {storage.reason(exc)}") from None
    _drop_empty_folders(source.parent, user_dir)
    return removal


def _new_folder(parent: Path, name: str) -> Path:
    for n in range(1, 1000):
        folder = parent / (name + (f"-{n}" if n > 1 else ""))
        try:
            folder.mkdir(parents=True)
            return folder
        except FileExistsError:
            continue
    raise ReaderError("the trash has no room for another removal")


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
        if not os.path.lexists(where / rel):
            raise ArticleNotFound(f"cannot put {removal.title} back: {where / rel} is gone")
    homes = {rel: user_dir / rel for rel in removal.moved}
    taken = [rel for rel, home in homes.items() if os.path.lexists(home)]
    if taken:
        homes = _beside(user_dir, removal, taken)
    try:
        _move_all([(where / rel, homes[rel]) for rel in removal.moved])
    except _Stranded:
        raise ReaderError(
            f"could not put {removal.title} back whole; its files are in {where} and {user_dir}"
        ) from None
    except OSError as exc:
        raise ReaderError(f"could not put {removal.title} back: {storage.reason(exc)}") from None
    shutil.rmtree(data_dir / removal.folder, ignore_errors=True)
    return homes[removal.source]


def _beside(user_dir: Path, removal: Removal, taken: list[str]) -> dict[str, Path]:
    """Where a removal's files go when the library folder has other files of their
    names now: a file with nothing beside it (or only its metadata) under a numbered
    name, "notes-2.md"; anything else (a page with its images) is refused, as its
    names are how it finds them."""
    source = user_dir / removal.source
    meta = metadata_path(source)
    alone = set(removal.moved) <= {removal.source, meta.relative_to(user_dir).as_posix()}
    if not alone:
        raise ReaderError(
            f"cannot put {removal.title} back: the library folder has another {taken[0]} now"
        )
    for n in range(2, 10_000):
        home = source.with_name(f"{source.stem}-{n}{source.suffix}")
        if not os.path.lexists(home) and not os.path.lexists(metadata_path(home)):
            homes = {removal.source: home}
            if len(removal.moved) > 1:
                homes[meta.relative_to(user_dir).as_posix()] = metadata_path(home)
            return homes
    raise ReaderError(f"cannot put {removal.title} back: no free name beside {source.name}")


def removals(data_dir: Path) -> Iterator[Removal]:
    """Every removal in the trash that can be read, in no order."""
    trash = data_dir / "trash"
    if not trash.is_dir():
        return
    for folder in trash.iterdir():
        with contextlib.suppress(ReaderError):
            yield read_removal(data_dir, folder.relative_to(data_dir).as_posix())


def empty_old(data_dir: Path, days: int = KEEP_DAYS) -> list[Removal]:
    """Delete removals older than ``days``; those deleted."""
    limit = time.time() - days * 86400
    gone = []
    for removal in removals(data_dir):
        if removal.removed_at < limit:
            shutil.rmtree(data_dir / removal.folder, ignore_errors=True)
            gone.append(removal)
    return gone
