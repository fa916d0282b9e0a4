"""The library folder (and the folders the user watches) watched: a file added, changed
or removed there is told at once.

QFileSystemWatcher watches single folders and files, not trees, so every folder
below the library is watched on its own, taken on as it appears and let go as it
goes. A watched folder tells of files added, removed or renamed in it, but (with
inotify) not of a file written over in place; so the article files are watched
too, up to :data:`WATCHED_FILES` of them. Past that, each watch would take one
of the user's inotify watches (shared with every other program) and adding
20,000 of them holds the UI thread for about a second; the files beyond the
limit are looked at by a poll instead, :data:`POLL_FILES` of them a tick: a
stat each, in a thread of its own, and every file of a library of 20,000
looked at within five seconds, without touching the catalog or a lane
(``ReaderCore.pending()`` tells the same from the catalog, but takes a sixth of
a second on 20,000 files, in the lane that opens articles).

The first look at the folders (a listing and a stat of every article file)
is taken off the UI thread: 20,000 files take a quarter of a second. The top
folders are watched before it starts, and once it lands every folder whose
modification time moved since it was listed, and every watched file whose
stamp moved, is looked at again; so nothing changed meanwhile is missed. The
files it found are then watched a few hundred at a turn of the event loop,
and polled until they are.

What is noticed starts a short single-shot timer, so a burst (an editor's save,
a folder copied in) ends in one :attr:`LibraryWatcher.changed`. While the
watcher is held (the window's own import or refresh writing to the folder),
what it notices is kept and told once, when it is released. Hidden files (the
``.NAME.XXXXXXXX.tmp`` of an atomic write) and files that are not articles are
never looked at: what is watched is what a refresh would read.
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from PySide6.QtCore import QFileSystemWatcher, QObject, QTimer, Signal, SignalInstance

from reader.library.importing import is_article_name

SETTLE_MS = 400  # quiet this long after a change before it is told
LOOK_MS = 50  # a folder told of is looked at this long after, once for a burst
LONGEST_WAIT_S = 2.0  # a steady stream of changes is told at least this often
POLL_MS = 250
POLL_FILES = 1000  # files looked at a poll tick
WATCHED_FILES = 2000  # files watched one by one; the rest are polled
WATCH_BATCH = 250  # files the first look found, watched a turn of the event loop

Stamp = tuple[int, int, int]  # inode, mtime_ns, size


@dataclass
class _Folder:
    files: dict[str, Stamp] = field(default_factory=dict)  # its article files, by name
    folders: set[str] = field(default_factory=set)  # its subfolders, by name


def _stamp(path: str) -> Stamp | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_ino, st.st_mtime_ns, st.st_size


def _look(path: str) -> tuple[list[str], set[str]] | None:
    """The names of a folder's article files and of its subfolders; None if it is gone."""
    files: list[str] = []
    folders: set[str] = set()
    try:
        with os.scandir(path) as entries:
            for entry in entries:
                if entry.name.startswith("."):
                    if entry.is_dir(follow_symlinks=False):
                        folders.add(entry.name)  # a refresh reads below hidden folders too
                    continue
                try:
                    if entry.is_dir(follow_symlinks=False):
                        folders.add(entry.name)
                    elif is_article_name(entry.name) and entry.is_file():
                        files.append(entry.name)
                except OSError:
                    continue  # gone meanwhile
    except OSError:
        return None
    return files, folders


def _in(folder: str, name: str) -> str:
    """A path in a folder; plainer than os.path.join, which takes a tenth of a second
    for the 60,000 paths a look at 20,000 files makes."""
    return folder + name if folder.endswith(os.sep) else folder + os.sep + name


@dataclass
class _Seen:
    """A folder as the first look found it."""

    mtime: int | None  # the folder's modification time before it was listed
    names: list[str]
    folders: set[str]
    files: dict[str, Stamp]


def _seen(path: str) -> _Seen | None:
    """A folder's modification time, then its article files with their stamps and its
    subfolders; None if it is gone."""
    try:
        mtime: int | None = os.stat(path).st_mtime_ns
    except OSError:
        mtime = None
    look = _look(path)
    if look is None:
        return None
    names, folders = look
    return _Seen(mtime, names, folders, _stamps(path, names))


def _first_look(roots: list[str]) -> dict[str, _Seen]:
    """Every folder below ``roots``, its article files with their stamps (off the UI thread)."""
    seen: dict[str, _Seen] = {}
    todo = list(reversed(roots))
    while todo:
        path = todo.pop()
        if path in seen:
            continue
        found = _seen(path)
        if found is not None:
            seen[path] = found
            todo.extend(_in(path, name) for name in found.folders)
    return seen


def _stamps(folder: str, names: list[str]) -> dict[str, Stamp]:
    found: dict[str, Stamp] = {}
    for name in names:
        stamp = _stamp(_in(folder, name))
        if stamp is not None:
            found[name] = stamp
    return found


class LibraryWatcher(QObject):
    """Watches a folder and everything below it; ``changed`` once a burst of changes ends."""

    changed = Signal()
    ready = Signal()  # the first look has landed and the files it found are watched
    _looked = Signal(int, object)  # from the first look's thread: its turn, what it saw
    _polled_now = Signal(int, object)  # from a poll's thread: its turn, the stamps it took
    _relooked = Signal(int, object)  # from a thread looking again: its turn, what it saw

    def __init__(
        self,
        parent: QObject | None = None,
        *,
        settle_ms: int = SETTLE_MS,
        poll_ms: int = POLL_MS,
        watched_files: int = WATCHED_FILES,
        poll_files: int = POLL_FILES,
    ) -> None:
        super().__init__(parent)
        self.roots: list[str] = []  # the library folder, and the folders the user added
        self.watched_files = watched_files
        self.poll_files = poll_files
        self._fs: QFileSystemWatcher | None = None
        self._folders: dict[str, _Folder] = {}  # every folder known, by path
        self._watched: set[str] = set()  # the folders and files the file system tells of
        self._files_watched = 0
        self._polled: list[tuple[str, str, str]] = []  # files not watched: path, folder, name
        self._polled_stale = False
        self._turn = 0
        self._held = 0
        self._missed = False
        self._first_change = 0.0
        self._settle = QTimer(self)
        self._settle.setSingleShot(True)
        self._settle.setInterval(settle_ms)
        self._settle.timeout.connect(self._settled)
        self._poll = QTimer(self)
        self._poll.setInterval(poll_ms)
        self._poll.timeout.connect(self._poll_tick)
        self._dirty: set[str] = set()  # folders the file system told of, to look at
        self._look_timer = QTimer(self)
        self._look_timer.setSingleShot(True)
        self._look_timer.setInterval(LOOK_MS)
        self._look_timer.timeout.connect(self._look_at_dirty)
        self._turns = 0  # each start a turn: a first look of an earlier one is dropped
        self._to_watch: list[tuple[str, str]] = []  # files found by the first look: folder, name
        self._watch_later = QTimer(self)
        self._watch_later.setSingleShot(True)
        self._watch_later.setInterval(0)
        self._watch_later.timeout.connect(self._watch_some)
        self._looking = False  # the first look is out
        self._looked.connect(self._on_looked)
        self._polling = False  # a poll's thread is out
        self._relooking = False  # the folders told of while held are being looked at
        self._relooked.connect(self._on_relooked)
        self._polled_now.connect(self._on_polled)

    # --- starting and stopping -------------------------------------------------

    def start(self, root: Path, *more: Path) -> None:
        """Watch ``root`` (and ``more`` folders) and every folder below them (again, if
        they were watched already)."""
        self.stop()
        self.roots = list(dict.fromkeys(os.path.normpath(os.fspath(r)) for r in (root, *more)))
        self._fs = QFileSystemWatcher(self)
        self._fs.directoryChanged.connect(self._on_folder_changed)
        self._fs.fileChanged.connect(self._on_file_changed)
        self._watch(list(self.roots))  # told of from now on; looked at in a thread
        self._looking = True
        roots = list(self.roots)
        self._in_thread(lambda: _first_look(roots), self._looked)

    def _in_thread(self, work: Callable[[], object], answer: SignalInstance) -> None:
        """Run ``work`` in a thread of its own; ``answer`` is emitted with this start's turn
        and what it made (its slot, on the UI thread, drops the answer of an earlier start)."""
        turn = self._turns

        def run() -> None:
            made = work()
            with contextlib.suppress(RuntimeError):  # the watcher is gone
                answer.emit(turn, made)

        threading.Thread(target=run, name="library-watcher", daemon=True).start()

    @property
    def is_ready(self) -> bool:
        """Whether the first look at the folders has landed, and its files are watched."""
        return self._fs is not None and not self._looking and not self._to_watch

    def _on_looked(self, turn: int, seen: dict[str, _Seen]) -> None:
        """Take on what the first look saw; look again where something moved since."""
        if turn != self._turns or self._fs is None:
            return  # stopped or started again meanwhile
        self._looking = False
        self._watch([p for p in seen if p not in self._watched])
        for path, found in seen.items():
            if path in self._folders:
                continue
            self._folders[path] = _Folder(found.files, found.folders)
            self._to_watch.extend((path, name) for name in found.names)
            try:
                mtime: int | None = os.stat(path).st_mtime_ns
            except OSError:
                mtime = None
            if mtime != found.mtime:
                self._dirty.add(path)  # something came or went after it was listed
        for top in self.roots:
            if top not in self._folders and os.path.isdir(top):
                self._dirty.add(top)  # made after the look began
        self._polled_stale = True
        if self._dirty:
            self._look_at_dirty()
        self._update_poll()  # the files are polled until they are watched
        self._watch_some()

    def _watch_some(self) -> None:
        """Watch the next few files the first look found, then look whether they moved
        since: a watch is told of changes from when it is taken. Until its turn, a
        file is polled."""
        batch, self._to_watch = self._to_watch[:WATCH_BATCH], self._to_watch[WATCH_BATCH:]
        by_folder: dict[str, list[str]] = {}
        for path, name in batch:
            by_folder.setdefault(path, []).append(name)
        moved = False
        for path, names in by_folder.items():
            folder = self._folders.get(path)
            if folder is None:
                continue
            for file in self._watch_files(path, names):
                name = os.path.basename(file)
                moved |= name in folder.files and _stamp(file) != folder.files[name]
        if moved:
            self._noticed()
        if self._to_watch:
            self._watch_later.start()
        else:
            self._update_poll()
            self.ready.emit()

    def stop(self) -> None:
        self._turns += 1
        self._looking = False
        self._polling = False
        self._relooking = False
        self._to_watch = []
        self._watch_later.stop()
        self._settle.stop()
        self._poll.stop()
        self._look_timer.stop()
        self._dirty.clear()
        if self._fs is not None:
            self._fs.directoryChanged.disconnect(self._on_folder_changed)
            self._fs.fileChanged.disconnect(self._on_file_changed)
            self._fs.deleteLater()  # its watches go with it
            self._fs = None
        self._folders.clear()
        self._watched.clear()
        self._files_watched = 0
        self._polled = []
        self._missed = False
        self.roots = []

    @property
    def settle_ms(self) -> int:
        """How long the folder has to be quiet before a change is told."""
        return self._settle.interval()

    @settle_ms.setter
    def settle_ms(self, ms: int) -> None:
        self._settle.setInterval(ms)

    @property
    def watching(self) -> bool:
        return self._fs is not None

    def folders(self) -> list[str]:
        """The folders known, watched or polled."""
        return sorted(self._folders)

    def polled(self) -> int:
        """How many files are looked at by the poll rather than watched."""
        self._update_poll()
        return len(self._polled)

    # --- holding ---------------------------------------------------------------

    def hold(self) -> None:
        """Keep what is noticed from now on until :meth:`release` (calls nest)."""
        self._held += 1

    def release(self) -> None:
        """Tell once what was noticed while held: the folders the file system told of
        meanwhile are looked at now, once each (an import of thousands of files into
        one folder would have it listed again for every few files), in a thread (a
        stat of each of 20,000 new files takes most of a second)."""
        self._held = max(self._held - 1, 0)
        if self._held or self._relooking:
            return
        if self._dirty:
            self._look_again()
        else:
            self._tell_missed()

    def _tell_missed(self) -> None:
        if self._missed and not self._held:
            self._missed = False
            self._noticed()

    def _look_again(self) -> None:
        """List the folders told of, and stamp their files, in a thread."""
        dirty, self._dirty = sorted(self._dirty), set()
        self._relooking = True
        self._in_thread(lambda: {path: _seen(path) for path in dirty}, self._relooked)

    def _on_relooked(self, turn: int, seen: dict[str, _Seen | None]) -> None:
        self._relooking = False
        if turn != self._turns or self._fs is None:
            return  # stopped or started again meanwhile
        changed = False
        for path, found in seen.items():  # a folder before those below it
            changed |= self._rescan(path, seen=found) if found else self._rescan(path)
        if changed:
            self._noticed()
        if self._dirty and not self._held:
            self._look_at_dirty()  # told of while the thread looked: a few files at most
        self._tell_missed()
        self._update_poll()

    # --- what is watched -------------------------------------------------------

    def _watch(self, paths: list[str]) -> list[str]:
        """Watch ``paths``; those the file system took."""
        if self._fs is None or not paths:
            return []
        refused = set(self._fs.addPaths(paths))
        taken = [p for p in paths if p not in refused]
        self._watched.update(taken)
        return taken

    def _unwatch(self, paths: list[str]) -> None:
        gone = [p for p in paths if p in self._watched]
        if self._fs is not None and gone:
            self._fs.removePaths(gone)
        self._watched.difference_update(gone)

    def _watch_files(self, folder: str, names: list[str]) -> list[str]:
        """Watch these files of ``folder``, as many as there is room for; those taken."""
        room = self.watched_files - self._files_watched
        if room <= 0:
            return []
        paths = [_in(folder, n) for n in names]
        wanted = [p for p in paths if p not in self._watched][:room]
        taken = self._watch(wanted)
        if taken:
            self._files_watched += len(taken)
            self._polled_stale = True
        return taken

    def _unwatch_files(self, paths: list[str]) -> None:
        watched = [p for p in paths if p in self._watched]
        if watched:
            self._unwatch(watched)
            self._files_watched -= len(watched)
            self._polled_stale = True

    def _add_tree(self, top: str) -> int:
        """Take on a folder and the folders below it; how many article files they hold.

        Each folder is watched before it is looked at, and its files before their
        stamps are taken, so a change made meanwhile is told rather than missed.
        """
        found = 0
        todo = [top]
        while todo:
            path = todo.pop()
            if path in self._folders:
                continue
            self._watch([path])
            look = _look(path)
            if look is None:  # gone already
                self._unwatch([path])
                continue
            names, folders = look
            self._watch_files(path, names)
            self._folders[path] = _Folder(_stamps(path, names), folders)
            found += len(names)
            todo.extend(_in(path, name) for name in folders)
        self._polled_stale = True
        return found

    def _drop_tree(self, top: str) -> int:
        """Let go of a folder gone and the folders below it; how many article files they held."""
        below = top + os.sep
        gone = [p for p in self._folders if p == top or p.startswith(below)]
        files: list[str] = []
        for path in gone:
            folder = self._folders.pop(path)
            files += [_in(path, name) for name in folder.files]
        self._unwatch_files(files)
        self._unwatch(gone)
        return len(files)

    def _rescan(self, path: str, every_file: bool = True, seen: _Seen | None = None) -> bool:
        """Look at a folder again (or take what a thread ``seen`` of it); whether an
        article file in it (or below) came, went or changed.

        Not ``every_file``: when files came or went, only the new ones are stat'ed (a
        folder of 20,000 files is listed in milliseconds, stat'ed in a tenth of a
        second); a file replaced at the same time is told by its own watch, or the poll.
        """
        folder = self._folders.get(path)
        if folder is None:
            return False
        look = (seen.names, seen.folders) if seen is not None else _look(path)
        if look is None:
            return self._drop_tree(path) > 0 or path in self.roots
        names, folders = look
        changed = False
        for name in folder.folders - folders:
            changed |= self._drop_tree(_in(path, name)) > 0
        for name in folders - folder.folders:
            changed |= self._add_tree(_in(path, name)) > 0
        folder.folders = folders
        kept = set(names)
        gone = [n for n in folder.files if n not in kept]
        new = [n for n in names if n not in folder.files]
        if gone or new:
            self._polled_stale = True
        self._unwatch_files([_in(path, n) for n in gone])
        self._watch_files(path, names)
        if seen is not None:
            stamps = {n: seen.files[n] for n in names if n in seen.files}
        elif every_file or not (gone or new):
            stamps = _stamps(path, names)
        else:
            stamps = {n: folder.files[n] for n in names if n in folder.files}
            stamps.update(_stamps(path, new))
        for name, stamp in stamps.items():
            before = folder.files.get(name)
            if before is not None and before[0] != stamp[0]:
                self._rewatch(_in(path, name))  # another file put in its place
        changed |= stamps != folder.files
        folder.files = stamps
        return changed

    def _rewatch(self, path: str) -> None:
        """Watch the file now at ``path``: a watch follows the file it was put on."""
        if path in self._watched:
            self._unwatch_files([path])
            self._watch_files(os.path.dirname(path), [os.path.basename(path)])

    # --- what the file system tells --------------------------------------------

    def _on_folder_changed(self, path: str) -> None:
        self._dirty.add(os.path.normpath(path))
        if not self._look_timer.isActive():
            self._look_timer.start()  # the events of a burst, one look a folder

    def _look_at_dirty(self) -> None:
        if self._looking or self._held or self._relooking:
            return  # looked at when the first look lands, or when released
        dirty, self._dirty = self._dirty, set()
        changed = False
        for path in sorted(dirty):  # a folder before those below it
            changed |= self._rescan(path, every_file=False)
        if changed:
            self._noticed()
        self._update_poll()

    def _on_file_changed(self, path: str) -> None:
        path = os.path.normpath(path)
        folder_path, name = os.path.split(path)
        folder = self._folders.get(folder_path)
        if self._fs is None or folder is None:
            return
        stamp, before = _stamp(path), folder.files.get(name)
        gone = stamp is None or (before is not None and stamp[0] != before[0])
        if path in self._watched and gone:
            # Removed or replaced (another file, another inode): the watch went with the
            # file. The folder's own event tells of the removal; a file put in its place
            # is watched again.
            self._watched.discard(path)
            self._files_watched -= 1
            self._polled_stale = True
            if name in folder.files:
                self._watch_files(folder_path, [name])
        if stamp != before:
            if stamp is None:
                folder.files.pop(name, None)
            else:
                folder.files[name] = stamp
            self._noticed()
        self._update_poll()

    def _update_poll(self) -> None:
        if self._polled_stale:
            self._polled_stale = False
            self._polled = [
                (p, path, name)
                for path, folder in self._folders.items()
                for name in folder.files
                if (p := _in(path, name)) not in self._watched
            ]
        wanted = self._fs is not None and (
            bool(self._polled)
            or any(top not in self._folders for top in self.roots)
            or any(path not in self._watched for path in self._folders)
        )
        if wanted and not self._poll.isActive():
            self._poll.start()
        elif not wanted:
            self._poll.stop()

    def _poll_tick(self) -> None:
        """Look at any folder that is not watched, and have the next files that are not
        looked at in a thread (a stat each, which waits for the interpreter's lock
        while another thread works: on the UI thread, that stalled it)."""
        if self._looking or self._held or self._relooking:
            return  # what changes while held is looked at when released
        changed = False
        for top in self.roots:
            if top not in self._folders and os.path.isdir(top):
                changed |= self._add_tree(top) > 0  # the folder came back
        for path in [p for p in self._folders if p not in self._watched]:
            changed |= self._rescan(path)
        self._update_poll()
        if changed:
            self._noticed()
        polled = self._polled
        if self._polling or not polled:
            return
        batch = []
        for _ in range(min(self.poll_files, len(polled))):
            self._turn %= len(polled)
            batch.append(polled[self._turn])
            self._turn += 1
        self._polling = True
        self._in_thread(lambda: [(entry, _stamp(entry[0])) for entry in batch], self._polled_now)

    def _on_polled(self, turn: int, found: list[tuple[tuple[str, str, str], Stamp | None]]) -> None:
        """Compare the stamps the poll's thread took with those kept."""
        self._polling = False
        if turn != self._turns or self._fs is None:
            return  # stopped or started again meanwhile
        changed = False
        for (_path, folder_path, name), stamp in found:
            folder = self._folders.get(folder_path)
            if folder is None or name not in folder.files or stamp == folder.files[name]:
                continue
            changed = True
            if stamp is None:
                self._rescan(folder_path, every_file=False)  # gone: what else came or went
            else:
                folder.files[name] = stamp
        if changed:
            self._noticed()
        self._update_poll()

    # --- telling ---------------------------------------------------------------

    def _noticed(self) -> None:
        if self._held:
            self._missed = True
            return
        now = time.monotonic()
        if not self._settle.isActive():
            self._first_change = now
            self._settle.start()
        elif now - self._first_change < LONGEST_WAIT_S:
            self._settle.start()  # restarted: a burst ends in one signal

    def _settled(self) -> None:
        if self._dirty:
            self._look_timer.stop()
            self._look_at_dirty()  # told now with the rest, not in a signal of its own
            if self._settle.isActive():
                self._settle.stop()
        if self._held:
            self._missed = True
        else:
            self.changed.emit()
