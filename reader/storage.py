"""Files and SQLite databases, written one way everywhere.

Every store (the catalog, the bookmarks, the search index's texts) opens its
database through :func:`connect`, changes it inside :func:`transaction` (which
takes the write lock before the first read, so what a change reads is what it
writes over), moves its schema forward with :func:`migrate`, and sets a damaged
file aside with :func:`set_aside`, together with its ``-wal`` and ``-shm``.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import shutil
import sqlite3
import stat
import tempfile
import time
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Literal

Synchronous = Literal["NORMAL", "FULL"]
_SIDE_FILES = ("-wal", "-shm")


class NewerSchema(sqlite3.DatabaseError):
    """The database was written by a newer version of reader."""


class Damaged(sqlite3.DatabaseError):
    """The database file failed SQLite's integrity check."""


# SQLite's primary result codes, for telling a damaged file from trouble around it.
_SQLITE_PERM, _SQLITE_BUSY, _SQLITE_LOCKED, _SQLITE_READONLY = 3, 5, 6, 8
_SQLITE_IOERR, _SQLITE_CORRUPT, _SQLITE_FULL, _SQLITE_CANTOPEN = 10, 11, 13, 14
_SQLITE_NOTADB = 26
_SQLITE_REASONS = {
    _SQLITE_FULL: "the disk is full",
    _SQLITE_READONLY: "the file or its folder is read-only",
    _SQLITE_PERM: "permission denied",
    _SQLITE_IOERR: "the disk could not be read or written (I/O error)",
    _SQLITE_CANTOPEN: "the file cannot be opened",
    _SQLITE_BUSY: "another reader process is using it; try again",
    _SQLITE_LOCKED: "another reader process is using it; try again",
    _SQLITE_CORRUPT: "the file is damaged",
    _SQLITE_NOTADB: "the file is not a database",
}
_OS_REASONS = {
    errno.ENOSPC: "the disk is full",
    errno.EDQUOT: "the disk quota is used up",
    errno.EROFS: "the file system is read-only",
    errno.EACCES: "permission denied",
    errno.EPERM: "permission denied",
    errno.EIO: "the disk could not be read or written (I/O error)",
}


def is_damaged(exc: sqlite3.Error) -> bool:
    """Whether ``exc`` says the file itself is damaged.

    Only then may a store set its file aside. A locked, read-only or full
    disk, or an I/O error, says nothing about the file: the store reports it
    and keeps the file as it is.
    """
    if isinstance(exc, Damaged):
        return True
    code = getattr(exc, "sqlite_errorcode", None)
    return code is not None and code & 0xFF in (_SQLITE_CORRUPT, _SQLITE_NOTADB)


def reason(exc: BaseException, where: Path | None = None) -> str:
    """What went wrong, in a few words a user can act on (disk full, read-only…).

    SQLite reports a full disk met while making its side files as an I/O
    error; given ``where`` the file is, a disk with no room left is named as such.
    """
    if isinstance(exc, Damaged | NewerSchema):
        return str(exc)
    if isinstance(exc, sqlite3.Error):
        code = getattr(exc, "sqlite_errorcode", None)
        if code is None or code & 0xFF not in _SQLITE_REASONS:
            return str(exc)
        primary = code & 0xFF
        if where is not None and primary in (_SQLITE_IOERR, _SQLITE_CANTOPEN, _SQLITE_READONLY):
            if _no_room(where):
                return _SQLITE_REASONS[_SQLITE_FULL]
            if not os.access(where.parent, os.W_OK):
                return f"its folder {where.parent} cannot be written (read-only)"
            if where.exists() and not os.access(where, os.W_OK):
                return "the file is read-only"
        return _SQLITE_REASONS[primary]
    if isinstance(exc, OSError):
        return _OS_REASONS.get(exc.errno or 0, exc.strerror or str(exc))
    return str(exc)


def _no_room(path: Path) -> bool:
    try:
        return shutil.disk_usage(path.parent).free < 64 * 1024
    except OSError:
        return False


def connect(
    path: Path, synchronous: Synchronous = "NORMAL", timeout: float = 10
) -> sqlite3.Connection:
    """Open ``path`` in WAL mode, autocommit (changes go through :func:`transaction`)."""
    db = sqlite3.connect(path, timeout=timeout, isolation_level=None, check_same_thread=False)
    try:
        db.row_factory = sqlite3.Row
        db.execute("PRAGMA journal_mode=WAL")
        db.execute(f"PRAGMA synchronous={synchronous}")
    except BaseException:
        db.close()
        raise
    return db


def open_database(
    path: Path,
    migrations: Mapping[int, str],
    synchronous: Synchronous = "NORMAL",
    integrity_check: bool = False,
) -> sqlite3.Connection:
    """:func:`connect`, check the file if asked (raising :class:`Damaged`), then :func:`migrate`."""
    db = connect(path, synchronous)
    try:
        if integrity_check:
            result = db.execute("PRAGMA quick_check").fetchone()[0]
            if result != "ok":
                raise Damaged(f"integrity check failed: {result}")
        migrate(db, migrations)
    except BaseException:
        db.close()
        raise
    return db


def quick_check(path: Path) -> str | None:
    """What SQLite's quick check finds wrong with the database in ``path``, read only;
    None when it is sound (or there is no file yet)."""
    if not path.exists():
        return None
    try:
        db = _connect_uri(f"{path.resolve().as_uri()}?mode=ro")
        try:
            rows = [str(r[0]) for r in db.execute("PRAGMA quick_check").fetchmany(3)]
        finally:
            db.close()
    except sqlite3.Error as exc:
        if is_damaged(exc):
            return str(exc)
        return None  # in use or unreadable for now: not a sign of damage
    return None if rows == ["ok"] else "; ".join(rows)


def _connect_uri(uri: str) -> sqlite3.Connection:
    db = sqlite3.connect(uri, uri=True, isolation_level=None, check_same_thread=False)
    db.row_factory = sqlite3.Row
    return db


def connect_read_only(path: Path) -> sqlite3.Connection:
    """Open an existing database that cannot be written, for reading only."""
    if not path.is_file():
        raise sqlite3.OperationalError(f"{path} does not exist")
    uri = f"{path.resolve().as_uri()}?mode=ro"
    db = _connect_uri(uri)
    try:
        db.execute("PRAGMA user_version").fetchone()
    except sqlite3.OperationalError:
        # A WAL database on a read-only file system whose -shm cannot be made:
        # with nothing left in its -wal, the file alone is the whole database.
        db.close()
        wal = Path(str(path) + "-wal")
        if wal.exists() and wal.stat().st_size > 0:
            raise
        db = _connect_uri(uri + "&immutable=1")
    return db


def open_readonly(path: Path, latest: int, readable_from: int | None = None) -> sqlite3.Connection:
    """Open an existing database for reading only, when it cannot be written.

    Its schema must be ``latest`` (a read-only file cannot be migrated), or at
    least ``readable_from`` when the versions since only added what readers
    can do without.
    """
    db = connect_read_only(path)
    try:
        version = int(db.execute("PRAGMA user_version").fetchone()[0])
        if version > latest:
            raise NewerSchema(f"schema version {version} is newer than this reader knows")
        if version < (latest if readable_from is None else readable_from):
            raise sqlite3.OperationalError(f"schema version {version} needs an upgrade")
    except BaseException:
        db.close()
        raise
    return db


@contextmanager
def transaction(db: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """One write transaction: the lock is taken first, so reads inside it are current."""
    db.execute("BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        if db.in_transaction:
            db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")


def migrate(db: sqlite3.Connection, migrations: Mapping[int, str]) -> int:
    """Bring the schema to the highest version in ``migrations``; return that version.

    The version is SQLite's ``user_version``; a database already at it is only
    read. Each step runs in its own write transaction, which reads the version
    again once it holds the lock: two processes opening a new database at once
    take each step once. A database from a newer reader raises :class:`NewerSchema`.
    """
    latest = max(migrations)
    version = int(db.execute("PRAGMA user_version").fetchone()[0])
    if version == latest:
        return latest  # up to date: opening takes no write lock
    for target in range(version + 1 if version < latest else 1, latest + 1):
        with transaction(db):
            version = int(db.execute("PRAGMA user_version").fetchone()[0])
            if version > latest:
                raise NewerSchema(
                    f"schema version {version} is newer than this reader knows ({latest})"
                )
            if version >= target:
                continue
            for statement in _statements(migrations[target]):
                db.execute(statement)
            db.execute(f"PRAGMA user_version={target}")
    return latest


def _statements(script: str) -> list[str]:
    """The statements of a migration script (plain DDL: no ';' inside a statement)."""
    return [part.strip() for part in script.split(";") if part.strip()]


def identity(path: Path) -> tuple[int, int] | None:
    """Which file ``path`` names now (device, inode), or None if none."""
    try:
        st = path.stat()
    except OSError:
        return None
    return st.st_dev, st.st_ino


def set_aside(path: Path, label: str) -> Path:
    """Move a damaged database (and its -wal/-shm) to ``NAME.LABEL-DATE``; return that path.

    A name already taken gets a number, so one set-aside file never replaces another.
    """
    stamp = time.strftime("%Y%m%d-%H%M%S")
    aside = path.with_name(f"{path.name}.{label}-{stamp}")
    n = 2
    while any(Path(str(aside) + s).exists() for s in ("", *_SIDE_FILES)):
        aside = path.with_name(f"{path.name}.{label}-{stamp}-{n}")
        n += 1
    for suffix in ("", *_SIDE_FILES):
        part = Path(str(path) + suffix)
        if part.exists():
            part.replace(Path(str(aside) + suffix))
    return aside


TEMPORARY_SUFFIX = ".tmp"


# ".NAME." (NAME cut at 32 characters), mkstemp's 8 characters, ".tmp".
_TEMPORARY = re.compile(r"\..{0,32}\.[a-z0-9_]{8}\.tmp", re.DOTALL)


def _temporary_prefix(target: Path) -> str:
    """``.NAME.`` for the temporary file beside ``target``, with NAME cut short so the
    temporary name fits wherever ``target``'s own does (255 bytes on most systems)."""
    return f".{target.name[:32]}."


# The process's umask, read once at import (setting it is the only way to read it, and
# it is process-wide: a later read could race with a thread making files).
_UMASK = os.umask(0)
os.umask(_UMASK)


def write_atomic(target: Path, data: bytes) -> None:
    """Write ``data`` to ``target`` whole or not at all, and make it durable.

    The bytes go to a temporary file in the same folder, are synced, replace
    the target, and the folder is synced so the new name survives a crash.
    The file has the permissions of the one it replaces, else those a new
    file gets (the temporary file alone would be private to this user).
    """
    try:
        mode = stat.S_IMODE(target.stat().st_mode)
    except OSError:
        mode = 0o666 & ~_UMASK
    tmp = _written_beside(target, data, mode)
    try:
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    sync_folder(target.parent)


def _written_beside(target: Path, data: bytes, mode: int, sync: bool = True) -> Path:
    """A temporary file beside ``target`` holding ``data``, synced (if ``sync``), with
    ``mode``."""
    fd, tmp = tempfile.mkstemp(
        dir=target.parent, prefix=_temporary_prefix(target), suffix=TEMPORARY_SUFFIX
    )
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            if sync:
                fh.flush()
                os.fsync(fh.fileno())
        with contextlib.suppress(OSError):
            os.chmod(tmp, mode)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return Path(tmp)


def write_new(target: Path, data: bytes, *, sync: bool = True) -> None:
    """Write ``data`` to ``target`` whole, only if no file of that name exists.

    Like :func:`write_atomic`, but a name taken meanwhile (by another process
    picking the same free name) raises FileExistsError and is left as it is:
    the bytes are written to a temporary file and linked to ``target``, which
    either makes the name with the whole content or fails. Without ``sync``,
    nothing is on disk until :func:`sync_files` is called for it (many files
    synced together cost about half as much).
    """
    tmp = _written_beside(target, data, 0o666 & ~_UMASK, sync)
    try:
        try:
            os.link(tmp, target)
        except FileExistsError:
            raise
        except OSError:
            # A file system without hard links: take the name, then fill it.
            os.close(os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
            os.replace(tmp, target)
    finally:
        Path(tmp).unlink(missing_ok=True)
    if sync:
        sync_folder(target.parent)


def sync_files(paths: Iterable[Path]) -> None:
    """fsync files written without syncing, then their folders, once each."""
    folders: dict[Path, None] = {}
    for path in paths:
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
        folders[path.parent] = None
    for folder in folders:
        sync_folder(folder)


def stale_temporary_files(folder: Path, older_than: float) -> list[Path]:
    """The files :func:`write_atomic` and :func:`write_new` left in ``folder`` and
    below when a process was killed mid-write: ``.NAME.XXXX.tmp``, untouched for
    ``older_than`` seconds (a younger one may still be being written)."""
    found: list[Path] = []
    cutoff = time.time() - older_than
    for path in folder.rglob(f".*{TEMPORARY_SUFFIX}"):
        if not _TEMPORARY.fullmatch(path.name):
            continue  # not a name mkstemp gave: someone's own file
        try:
            st = path.lstat()
        except OSError:
            continue
        if stat.S_ISREG(st.st_mode) and st.st_mtime < cutoff:
            found.append(path)
    return found


def sync_folder(folder: Path) -> None:
    """fsync a folder, so the names made or replaced in it are on disk."""
    if os.name != "posix":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
