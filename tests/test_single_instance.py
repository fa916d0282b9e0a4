"""One window per data folder: a later ``reader`` or ``reader open`` goes to the window open."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QDir
from PySide6.QtNetwork import QLocalServer, QLocalSocket
from pytestqt.qtbot import QtBot

from reader.core import ReaderCore
from reader.ui import instance
from reader.ui.app import answer_requests
from reader.ui.bookmarks_panel import BOOKMARK_ROLE
from reader.ui.instance import InstanceServer, answers, claim, hand_over, lock_path, server_name
from reader.ui.main_window import MainWindow
from tests.conftest import OpenWindow, show

ROOT = Path(__file__).resolve().parent.parent
LAUNCH_MS = 30_000  # a later launch starts Python and Qt, asks, and exits well within this
BOOKMARKED = "empowering-national-progress"

Serve = Callable[[Path, MainWindow], InstanceServer]

# The offscreen platform has no stacking order to raise a window in, and says so.
pytestmark = pytest.mark.qt_log_ignore(r"^This plugin does not support raise\(\)$", extend=True)


def child_env() -> dict[str, str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "QT_QPA_PLATFORM": "offscreen"}
    env.pop("READER_DATA_DIR", None)
    return env


def launch(data_dir: Path, *args: str) -> subprocess.Popen[str]:
    """``reader --data-dir DATA_DIR ARGS...`` in a process of its own."""
    command = [sys.executable, "-m", "reader", "--data-dir", str(data_dir), *args]
    return subprocess.Popen(
        command, env=child_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def finish(qtbot: QtBot, process: subprocess.Popen[str], timeout: int = LAUNCH_MS) -> str:
    """Wait for a launch to exit while this process answers it; its exit code must be 0.

    A launch that opened a window of its own would never exit: it is killed when
    the time is up, and the test fails.
    """
    try:
        qtbot.waitUntil(lambda: process.poll() is not None, timeout=timeout)
    finally:
        if process.poll() is None:
            process.kill()
        _, err = process.communicate(timeout=10)
    assert process.returncode == 0, err
    assert "Traceback" not in err
    return err


@pytest.fixture
def serve() -> Iterator[Serve]:
    """Makes a window the one instance of its data dir, as ``reader`` does."""
    servers: list[InstanceServer] = []

    def serve_(data_dir: Path, window: MainWindow) -> InstanceServer:
        server = InstanceServer(server_name(data_dir))
        servers.append(server)
        assert server.listen()
        answer_requests(server, window)
        return server

    yield serve_
    for server in servers:
        server.close()


@pytest.fixture
def server(data_dir: Path) -> Iterator[InstanceServer]:
    """A listening server on data_dir with no window behind it."""
    s = InstanceServer(server_name(data_dir))
    assert s.listen()
    yield s
    s.close()


def shown_id(window: MainWindow) -> str | None:
    return window.view.page.id if window.view.page is not None else None


def another_article(core: ReaderCore, window: MainWindow) -> str:
    return next(a.id for a in core.articles() if a.id != shown_id(window))


def test_reader_open_goes_to_the_window_already_open(
    qtbot: QtBot, data_dir: Path, core: ReaderCore, open_window: OpenWindow, serve: Serve
) -> None:
    window = open_window(data_dir)
    serve(data_dir, window)
    target = another_article(core, window)
    with qtbot.waitSignal(window.page_shown, timeout=LAUNCH_MS) as shown:
        finish(qtbot, launch(data_dir, "open", target))
    assert shown.args == [target]
    qtbot.waitUntil(lambda: shown_id(window) == target)


def test_reader_open_at_a_bookmark_goes_to_the_passage(
    qtbot: QtBot, data_dir: Path, core: ReaderCore, open_window: OpenWindow, serve: Serve
) -> None:
    b = core.add_bookmark_quote(BOOKMARKED, "Kenya’s M-Pesa")
    window = open_window(data_dir)
    serve(data_dir, window)
    show(qtbot, window, "backend-developer")  # the article opened at start is the bookmarked one
    with qtbot.waitSignal(window.page_shown, timeout=LAUNCH_MS) as shown:
        finish(qtbot, launch(data_dir, "open", f"{BOOKMARKED}#{b.id}"))
    assert shown.args == [BOOKMARKED]
    qtbot.waitUntil(lambda: window.view.verticalScrollBar().value() > 0)
    current = window.bookmarks_panel.list.currentItem()
    assert current is not None and current.data(BOOKMARK_ROLE).id == b.id


def test_a_second_reader_brings_the_minimised_window_back(
    qtbot: QtBot, data_dir: Path, open_window: OpenWindow, serve: Serve
) -> None:
    window = open_window(data_dir)
    serve(data_dir, window)
    before = shown_id(window)
    window.showMinimized()
    qtbot.waitUntil(window.isMinimized)
    finish(qtbot, launch(data_dir))
    qtbot.waitUntil(lambda: window.isVisible() and not window.isMinimized())
    assert shown_id(window) == before  # a plain `reader` opens nothing new


def test_the_same_folder_by_another_path_is_the_same_instance(
    qtbot: QtBot, tmp_path: Path, data_dir: Path, core: ReaderCore, server: InstanceServer
) -> None:
    link = tmp_path / "link"
    link.symlink_to(data_dir, target_is_directory=True)
    article = core.articles()[0].id
    with qtbot.waitSignal(server.request, timeout=LAUNCH_MS) as asked:
        finish(qtbot, launch(link / ".." / "link", "open", article))
    assert asked.args == [article, None]


def test_another_data_folder_has_its_own_window(
    qtbot: QtBot, tmp_path: Path, data_dir: Path, open_window: OpenWindow, serve: Serve
) -> None:
    other_dir = tmp_path / "other"
    other_dir.mkdir()
    assert server_name(other_dir) != server_name(data_dir)
    window = open_window(data_dir)
    other = open_window(other_dir)
    serve(data_dir, window)
    serve(other_dir, other)
    before = shown_id(window)
    target = "backend-developer"
    assert shown_id(other) != target
    with qtbot.waitSignal(other.page_shown, timeout=LAUNCH_MS) as shown:
        finish(qtbot, launch(other_dir, "open", target))
    assert shown.args == [target]
    qtbot.wait(200)
    assert shown_id(window) == before


def test_a_window_that_crashed_does_not_stop_the_next_one(
    qtbot: QtBot, data_dir: Path, core: ReaderCore
) -> None:
    name = server_name(data_dir)
    script = textwrap.dedent(
        """
        import sys, time
        from PySide6.QtCore import QCoreApplication
        from reader.ui.instance import InstanceServer
        app = QCoreApplication([])
        server = InstanceServer(sys.argv[1])
        assert server.listen()
        time.sleep(60)
        """
    )
    crashing = subprocess.Popen([sys.executable, "-c", script, name], env=child_env())
    try:
        qtbot.waitUntil(lambda: answers(name, 200), timeout=LAUNCH_MS)
    finally:
        crashing.kill()
        crashing.wait(timeout=10)
    assert Path(lock_path(name)).exists() and not answers(name)  # what the crash left behind

    started = time.monotonic()
    server = claim(name, None, None)
    assert server is not None
    try:
        assert server.is_listening()
        assert time.monotonic() - started < 3
        article = core.articles()[0].id
        with qtbot.waitSignal(server.request, timeout=LAUNCH_MS) as asked:
            finish(qtbot, launch(data_dir, "open", article))
        assert asked.args == [article, None]
    finally:
        server.close()


@pytest.mark.skipif(not hasattr(socket, "AF_UNIX"), reason="named pipes leave no file")
def test_a_leftover_socket_file_does_not_stop_the_next_window(
    qtbot: QtBot, data_dir: Path, core: ReaderCore
) -> None:
    name = server_name(data_dir)
    leftover = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    leftover.bind(os.path.join(QDir.tempPath(), name))
    leftover.close()  # the file stays, and nobody listens on it
    assert not answers(name)
    server = claim(name, None, None)
    assert server is not None
    try:
        assert server.is_listening()
        article = core.articles()[0].id
        with qtbot.waitSignal(server.request, timeout=LAUNCH_MS) as asked:
            finish(qtbot, launch(data_dir, "open", article))
        assert asked.args == [article, None]
    finally:
        server.close()


def test_two_launches_at_once_make_one_window(tmp_path: Path) -> None:
    name = server_name(tmp_path)
    script = textwrap.dedent(
        """
        import sys, time
        from PySide6.QtCore import QCoreApplication, QTimer
        from reader.ui.instance import claim
        app = QCoreApplication([])
        name, start_at, article = sys.argv[1], float(sys.argv[2]), sys.argv[3]
        time.sleep(max(0.0, start_at - time.time()))
        server = claim(name, article, None)
        if server is None:
            print("handed over", flush=True)
            sys.exit(0)
        print("serving" if server.is_listening() else "alone", flush=True)
        def on_request(article, bookmark):
            print("asked for", article, flush=True)
            app.quit()
        server.request.connect(on_request)
        QTimer.singleShot(20_000, app.quit)
        app.exec()
        server.close()
        """
    )
    start_at = str(time.time() + 3)  # both are past their imports by then
    launches = [
        subprocess.Popen(
            [sys.executable, "-c", script, name, start_at, article],
            env=child_env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for article in ("first", "second")
    ]
    outputs = []
    try:
        for process in launches:
            out, err = process.communicate(timeout=40)
            assert process.returncode == 0, err
            outputs.append(out.split("\n"))
    finally:
        for process in launches:
            if process.poll() is None:
                process.kill()
                process.communicate(timeout=10)
    assert sorted(out[0] for out in outputs) == ["handed over", "serving"]
    first, second = outputs
    if first[0] == "serving":
        assert first[1] == "asked for second"
    else:
        assert second[1] == "asked for first"


def test_a_window_that_does_not_answer_costs_a_launch_little(tmp_path: Path) -> None:
    name = server_name(tmp_path)
    started = time.monotonic()
    assert not hand_over(name, "an-article", None)  # nobody there
    assert time.monotonic() - started < 1
    deaf = QLocalServer()  # takes connections and never answers them
    assert deaf.listen(name)
    try:
        started = time.monotonic()
        assert not hand_over(name, "an-article", None, timeout_ms=1000)
        assert time.monotonic() - started < 2.5
    finally:
        deaf.close()


@pytest.mark.parametrize(
    "message",
    [
        b"hello\n",
        b"[1, 2]\n",
        b'{"open": 5, "bookmark": null}\n',
        b'{"open": null, "bookmark": "a-bookmark"}\n',
        b'{"open": "a\\u0000b", "bookmark": null}\n',
        b'{"open": "", "bookmark": null}\n',
        b"\xff\xfe\n",
        b"[" * 3000 + b"\n",
        b'{"open": "' + b"x" * 10_000 + b'"}\n',
    ],
)
def test_malformed_requests_are_ignored(
    qtbot: QtBot, server: InstanceServer, message: bytes
) -> None:
    asked: list[object] = []
    server.request.connect(lambda *args: asked.append(args))
    client = QLocalSocket()
    with qtbot.waitSignal(client.disconnected, timeout=5000):
        client.connectToServer(server.name)
        client.write(message)
    assert bytes(client.readAll().data()) == b""  # no answer
    assert asked == []
    # and the window still answers the next launch
    good = QLocalSocket()
    with qtbot.waitSignal(server.request, timeout=5000) as request:
        good.connectToServer(server.name)
        good.write(b'{"open": "an-article", "bookmark": null}\n')
    assert request.args == ["an-article", None]
    qtbot.waitUntil(good.canReadLine, timeout=5000)
    assert bytes(good.readAll().data()) == b"ok\n"


def test_a_connection_that_says_nothing_is_closed(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch, server: InstanceServer
) -> None:
    monkeypatch.setattr(instance, "CONNECTION_MS", 200)
    client = QLocalSocket()
    with qtbot.waitSignal(client.disconnected, timeout=5000):
        client.connectToServer(server.name)


def test_a_closed_window_lets_the_next_one_serve(data_dir: Path) -> None:
    first = InstanceServer(server_name(data_dir))
    assert first.listen()
    second = InstanceServer(server_name(data_dir))
    assert not second.listen() and second.taken_elsewhere
    first.close()
    try:
        assert second.listen()
    finally:
        second.close()
