"""One window per data folder: a later launch hands its request to the window already running.

The running window listens on a local socket (a Unix domain socket or a named pipe:
nothing reaches the network). Its name comes from the data folder and the user, so
each data folder has its own window and two users never meet. A later launch sends
one JSON line, ``{"open": ARTICLE_ID or null, "bookmark": BOOKMARK_ID or null}``, and
the window answers ``ok`` once it has taken the request; a launch that gets no answer
in time opens a window of its own.

A lock file beside the socket decides which of two launches made at the same moment
serves: the other hands its request over. The lock names its owner's process, so one
left by a crash does not count, and neither does the socket file a crash leaves.
"""

from __future__ import annotations

import getpass
import hashlib
import json
import os
import time
from pathlib import Path

from PySide6.QtCore import QDir, QLockFile, QObject, QTimer, Signal
from PySide6.QtNetwork import QAbstractSocket, QLocalServer, QLocalSocket

HAND_OVER_MS = 1500  # a later launch waits this long for the running window to connect and answer
START_WAIT_MS = 4000  # ...and this long in all while another launch is still starting to serve
RETRY_MS = 150  # the pause between attempts while that other launch starts
PROBE_MS = 500  # how long a server found in the way has to accept a connection
CONNECTION_MS = 3000  # a connection that sends no whole line in this time is dropped
MAX_CONNECTIONS = 16  # at once; more are turned away
MAX_REQUEST_BYTES = 4096  # a request is one short line; a longer one is not read
MAX_ID_CHARS = 512
REPLY = b"ok"


def server_name(data_dir: Path) -> str:
    """The name the window for ``data_dir`` listens on: one per data folder and user."""
    folder = os.path.normcase(str(data_dir.expanduser().resolve()))
    key = f"{_user_key()}\0{folder}".encode()
    return "reader-" + hashlib.sha256(key).hexdigest()[:24]


def _user_key() -> str:
    getuid = getattr(os, "getuid", None)  # not on Windows
    if getuid is not None:
        return str(getuid())
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return ""


def lock_path(name: str) -> str:
    """The lock file that says which process serves ``name``."""
    return QDir(QDir.tempPath()).filePath(f"{name}.lock")


def encode_request(article_id: str | None, bookmark_id: str | None) -> bytes:
    """One request line; a bookmark is only sent with its article."""
    message = {"open": article_id, "bookmark": bookmark_id if article_id else None}
    return json.dumps(message, ensure_ascii=True).encode("ascii") + b"\n"


def parse_request(line: bytes) -> tuple[str | None, str | None] | None:
    """The article and bookmark a request line asks for, or None when it is malformed."""
    try:
        message = json.loads(line.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return None
    if not isinstance(message, dict):
        return None
    article_id, bookmark_id = message.get("open"), message.get("bookmark")
    if not (_valid_id(article_id) and _valid_id(bookmark_id)):
        return None
    if bookmark_id is not None and article_id is None:
        return None
    return article_id, bookmark_id


def _valid_id(value: object) -> bool:
    if value is None:
        return True
    return isinstance(value, str) and 0 < len(value) <= MAX_ID_CHARS and value.isprintable()


def hand_over(
    name: str,
    article_id: str | None,
    bookmark_id: str | None,
    timeout_ms: int = HAND_OVER_MS,
) -> bool:
    """Give the request to the window serving ``name``; True once it has answered.

    Blocks for at most ``timeout_ms`` in all, so a window that has stopped
    answering costs a launch that long and no more.
    """
    deadline = time.monotonic() + timeout_ms / 1000

    def left_ms() -> int:
        return max(0, int((deadline - time.monotonic()) * 1000))

    socket = QLocalSocket()
    try:
        socket.connectToServer(name)
        if not socket.waitForConnected(left_ms()):
            return False
        socket.write(encode_request(article_id, bookmark_id))
        while socket.bytesToWrite() > 0:
            if left_ms() == 0 or not socket.waitForBytesWritten(left_ms()):
                return False
        reply = b""
        while b"\n" not in reply and len(reply) <= len(REPLY):
            if socket.bytesAvailable() == 0 and (
                left_ms() == 0 or not socket.waitForReadyRead(left_ms())
            ):
                break
            reply += bytes(socket.read(len(REPLY) + 1).data())
        return reply.split(b"\n", 1)[0].strip() == REPLY
    finally:
        socket.abort()


def answers(name: str, timeout_ms: int = PROBE_MS) -> bool:
    """Whether a server accepts connections on ``name`` (a crash leaves one that does not)."""
    probe = QLocalSocket()
    probe.connectToServer(name)
    connected = probe.waitForConnected(timeout_ms)
    probe.abort()
    return connected


class InstanceServer(QObject):
    """The running window's side: takes the requests of later launches."""

    request = Signal(object, object)  # an article id or None, a bookmark id or None

    def __init__(self, name: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.name = name
        self.taken_elsewhere = False  # the last listen() failed because another process serves
        self._lock = QLockFile(lock_path(name))
        self._lock.setStaleLockTime(
            0
        )  # held as long as the window runs; stale only if its owner died
        self._server = QLocalServer(self)
        self._server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        self._server.newConnection.connect(self._on_new_connection)
        self._connections: set[_Connection] = set()

    def is_listening(self) -> bool:
        return self._server.isListening()

    def listen(self) -> bool:
        """Serve ``name``; False when another process does (see taken_elsewhere) or it cannot."""
        if self._server.isListening():
            return True
        self.taken_elsewhere = False
        # The lock, not listen(), decides who serves: with UserAccessOption, Qt on Unix
        # binds in a private folder and renames the socket over the name, so a second
        # listen() takes the name from the first instead of failing.
        if not self._lock.tryLock(0):
            self.taken_elsewhere = self._lock.error() == QLockFile.LockError.LockFailedError
            return False
        if self._server.listen(self.name):
            return True
        if self._server.serverError() == QAbstractSocket.SocketError.AddressInUseError:
            if answers(self.name):
                self.taken_elsewhere = True
            else:  # left by a window that crashed
                QLocalServer.removeServer(self.name)
                if self._server.listen(self.name):
                    return True
        self._lock.unlock()
        return False

    def close(self) -> None:
        """Stop serving and let the next launch serve; safe to call twice."""
        self._server.close()
        for connection in list(self._connections):
            connection.drop()
        if self._lock.isLocked():
            self._lock.unlock()

    def _on_new_connection(self) -> None:
        while self._server.hasPendingConnections():
            socket = self._server.nextPendingConnection()
            if socket is None:
                break
            if len(self._connections) >= MAX_CONNECTIONS:
                socket.abort()
                socket.deleteLater()
                continue
            self._connections.add(_Connection(socket, self))

    def _accept(self, article_id: str | None, bookmark_id: str | None) -> None:
        self.request.emit(article_id, bookmark_id)

    def _forget(self, connection: _Connection) -> None:
        self._connections.discard(connection)


class _Connection(QObject):
    """One later launch's connection: reads one bounded line, answers it, and goes."""

    def __init__(self, socket: QLocalSocket, server: InstanceServer) -> None:
        super().__init__(server)
        self._socket = socket
        self._server = server
        self._buffer = b""
        self._reading = True  # until a request has been read: one per connection
        self._closed = False
        socket.setParent(self)
        socket.readyRead.connect(self._on_ready_read)
        socket.disconnected.connect(self._finish)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.drop)
        self._timer.start(CONNECTION_MS)
        if socket.bytesAvailable() > 0:
            self._on_ready_read()

    def drop(self) -> None:
        """Close at once, without an answer."""
        if not self._closed:
            self._socket.abort()
        self._finish()

    def _finish(self) -> None:
        if self._closed:
            return
        self._closed = True
        self._reading = False
        self._timer.stop()
        self._server._forget(self)
        self.deleteLater()

    def _on_ready_read(self) -> None:
        if not self._reading:
            return
        room = MAX_REQUEST_BYTES - len(self._buffer)
        self._buffer += bytes(self._socket.read(room + 1).data())
        line, newline, _ = self._buffer.partition(b"\n")
        if not newline:
            if len(self._buffer) > MAX_REQUEST_BYTES:
                self.drop()
            return
        parsed = parse_request(line)
        if parsed is None:
            self.drop()
            return
        self._reading = False
        self._server._accept(*parsed)
        if not self._closed:  # the server may have closed while the request was taken
            self._socket.write(REPLY + b"\n")
            self._socket.flush()
            self._socket.disconnectFromServer()  # disconnected() follows once the answer is out
            if self._socket.state() == QLocalSocket.LocalSocketState.UnconnectedState:
                self._finish()


def claim(
    name: str,
    article_id: str | None,
    bookmark_id: str | None,
    wait_ms: int = START_WAIT_MS,
    hand_over_ms: int = HAND_OVER_MS,
) -> InstanceServer | None:
    """None when a running window took the request; else this launch's server.

    The server listens unless neither worked out within ``wait_ms``; the launch
    then opens its own window all the same.
    """
    deadline = time.monotonic() + wait_ms / 1000
    server = InstanceServer(name)
    while True:
        if hand_over(name, article_id, bookmark_id, hand_over_ms):
            server.close()
            return None
        if server.listen() or not server.taken_elsewhere or time.monotonic() >= deadline:
            return server
        time.sleep(RETRY_MS / 1000)  # another launch holds the name and is starting to serve
