"""Jobs for the worker-process tests: importable without Qt or the test fixtures."""

from __future__ import annotations

import os
import time


def crash() -> None:
    os._exit(3)


def recurse(n: int = 0) -> int:
    return recurse(n + 1) + 1


def sleep(seconds: float) -> str:
    time.sleep(seconds)
    return "slept"
