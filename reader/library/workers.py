"""Running conversions in worker processes, each job with a time limit.

A file that makes a converter hang, recurse without end or crash takes down
only the worker it ran in: its job is reported failed with a one-line reason,
the worker is replaced, and the other jobs go on. Workers are forked from a
small server process that has the converters loaded and no threads (never
from the window's process), so starting one costs milliseconds. As with any
multiprocessing server, it imports the program's main script: a script that
converts files (the benchmarks, say) runs its work under
``if __name__ == "__main__"``, as ``reader``'s own entry points do.
"""

from __future__ import annotations

import contextlib
import math
import multiprocessing
import os
import signal
import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from multiprocessing.context import BaseContext
from typing import Any

from reader.errors import ReaderError

# What a worker's server has loaded before it forks a worker.
_PRELOAD = ["reader.library.conversion"]


@dataclass(frozen=True)
class Failed:
    """A job that did not finish: why, in one line."""

    reason: str


def one_line(text: str, limit: int = 200) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def failure(exc: BaseException) -> str:
    """What a converter's exception means to the user, in one line."""
    if isinstance(exc, ReaderError):
        return " ".join(str(exc).split())  # cut short only once the file's name is off it
    if isinstance(exc, RecursionError):
        return "nested too deeply to convert"
    if isinstance(exc, MemoryError):
        return "too big to convert in the memory there is"
    return one_line(f"the converter failed ({type(exc).__name__}: {exc})")


def _context() -> BaseContext:
    if "forkserver" in multiprocessing.get_all_start_methods():
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(_PRELOAD)
        return ctx
    return multiprocessing.get_context("spawn")


_MARGIN_S = 10


def alarm(seconds: int) -> None:
    """Have the system end this process in ``seconds`` (0: not at all), where it can."""
    if hasattr(signal, "alarm"):
        signal.alarm(seconds)


def _serve(conn: Connection) -> None:
    """A worker: run each job sent, send back ("ok", value) or ("failed", reason)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C is the parent's to handle
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        if job is None:
            return
        fn, args, limit = job
        # Past its limit and a margin, the job ends the worker itself: its parent
        # may be gone (killed) and no longer able to stop it.
        alarm(math.ceil(limit) + _MARGIN_S)
        try:
            answer: tuple[str, Any] = ("ok", fn(*args))
        except Exception as exc:  # any failure is the job's, told in one line
            answer = ("failed", failure(exc))
        alarm(0)
        conn.send(answer)


class _Worker:
    def __init__(self, ctx: BaseContext) -> None:
        self.conn, child = ctx.Pipe()
        self.process = ctx.Process(target=_serve, args=(child,), daemon=True)  # type: ignore[attr-defined]
        self.process.start()
        child.close()

    def stop(self, kill: bool = False) -> None:
        if not kill:
            with contextlib.suppress(OSError):
                self.conn.send(None)
            self.process.join(2)
        if self.process.is_alive():
            self.process.kill()
            self.process.join()
        self.conn.close()
        self.process.close()


class Workers:
    """Up to ``count`` worker processes; use as a context manager.

    With ``isolated`` False, or where worker processes cannot be started,
    jobs run in this process, with no time limit.
    """

    def __init__(self, count: int, isolated: bool = True) -> None:
        self.count = max(1, count)
        self._ctx: BaseContext | None = _context() if isolated else None
        self._idle: list[_Worker] = []

    def __enter__(self) -> Workers:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        while self._idle:
            self._idle.pop().stop()

    def _start(self) -> _Worker | None:
        if self._ctx is None:
            return None
        try:
            return _Worker(self._ctx)
        except (OSError, ValueError, RuntimeError):
            self._ctx = None  # no processes here: run the jobs in this process
            return None

    def run(
        self, fn: Callable[..., Any], jobs: Sequence[tuple[tuple[Any, ...], float]]
    ) -> Iterator[tuple[int, Any]]:
        """Run ``fn(*args)`` for each job ``(args, seconds it may take)``; yield (its place
        in ``jobs``, its value or a :class:`Failed`) as each finishes.

        A job is given up only if it has not answered by its deadline: an answer
        waiting while the caller was busy with the one before still counts.
        """
        pending = deque(enumerate(jobs))
        busy: dict[Connection, tuple[_Worker, int, float, float]] = {}
        try:
            while pending or busy:
                done: list[tuple[int, Any]] = []
                while pending and len(busy) < self.count:
                    worker = self._idle.pop() if self._idle else self._start()
                    place, (args, limit) = pending.popleft()
                    if worker is None:
                        done.append((place, _here(fn, args)))
                        continue
                    try:
                        worker.conn.send((fn, args, limit))
                    except OSError:
                        worker.stop(kill=True)
                        done.append((place, Failed("the converter could not be started")))
                        continue
                    busy[worker.conn] = (worker, place, time.monotonic() + limit, limit)
                if busy:
                    soonest = min(deadline for _w, _p, deadline, _l in busy.values())
                    timeout = max(0.0, soonest - time.monotonic())
                    ready = wait(list(busy), timeout=timeout)
                    now = time.monotonic()
                    for conn, (worker, place, deadline, limit) in list(busy.items()):
                        if conn in ready or conn.poll():
                            del busy[conn]
                            done.append((place, self._answer(worker)))
                        elif now >= deadline:
                            del busy[conn]
                            worker.stop(kill=True)
                            done.append(
                                (place, Failed(f"gave up converting it after {limit:.3g} s"))
                            )
                yield from done
        finally:
            for worker, *_ in busy.values():  # left early: what still runs is stopped
                worker.stop(kill=True)

    def _answer(self, worker: _Worker) -> Any:
        """The answer a worker has sent, or why there is none (it died)."""
        try:
            kind, value = worker.conn.recv()
        except (EOFError, OSError):
            worker.process.join(5)
            code = worker.process.exitcode
            worker.stop(kill=True)
            return Failed(f"the converter stopped (exit code {code})")
        self._idle.append(worker)
        return value if kind == "ok" else Failed(value)


def _here(fn: Callable[..., Any], args: tuple[Any, ...]) -> Any:
    try:
        return fn(*args)
    except Exception as exc:  # as in a worker
        return Failed(failure(exc))


def default_count() -> int:
    """As many workers as this process may use cores, and at most 8."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:
        cores = os.cpu_count() or 1
    return max(1, min(8, cores))
