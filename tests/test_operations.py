"""Work off the UI thread: answers come back in turn, and superseded work is dropped."""

from __future__ import annotations

import threading
from typing import Any

from pytestqt.qtbot import QtBot

from reader.ui.operations import Lane, Operations


class _Core:
    """What a lane needs of a core here: nothing but its notices."""

    def take_notices(self) -> list[str]:
        return []

    def close(self) -> None:
        pass


def test_a_search_typed_past_before_it_began_is_not_run(qtbot: QtBot) -> None:
    ops = Operations(lambda: _Core())  # type: ignore[arg-type, return-value]
    gate, running = threading.Event(), threading.Event()
    ran: list[str] = []
    answered: list[str] = []

    def work(name: str) -> Any:
        def fn(_core: Any, _progress: Any) -> str:
            if name == "first":
                running.set()
                gate.wait(5)  # the lane is busy while the user types on
            ran.append(name)
            return name

        return fn

    ops.start(Lane.INDEX, work("first"), answered.append, key="search")
    assert running.wait(5)
    for name in ("second", "third"):
        ops.start(Lane.INDEX, work(name), answered.append, key="search")
    gate.set()
    qtbot.waitUntil(lambda: not ops.busy(), timeout=5000)
    assert ran == ["first", "third"]  # "second" was typed past before the lane was free
    assert answered == ["third"]  # "first" ran, but its answer is not shown
    ops.shutdown()


def test_work_without_a_key_is_always_run_and_answered_in_turn(qtbot: QtBot) -> None:
    ops = Operations(lambda: _Core())  # type: ignore[arg-type, return-value]
    answered: list[int] = []

    def number(n: int) -> Any:
        return lambda _core, _progress: n

    for n in range(5):
        ops.start(Lane.READ, number(n), answered.append)
    qtbot.waitUntil(lambda: not ops.busy(), timeout=5000)
    assert answered == [0, 1, 2, 3, 4]
    ops.shutdown()
