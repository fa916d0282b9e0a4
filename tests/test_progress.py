"""Progress is passed on in proportion to time, not to the number of steps."""

from __future__ import annotations

import pytest

from reader.ui.progress import throttled


def test_many_quick_steps_give_a_few_reports_and_always_the_last(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    clock = [100.0]
    monkeypatch.setattr("reader.ui.progress.time.monotonic", lambda: clock[0])
    reports: list[tuple[int, int]] = []
    report = throttled(lambda done, total: reports.append((done, total)), interval=0.1)
    for n in range(20_000):  # 20,000 files in one simulated second
        clock[0] += 1 / 20_000
        report(n, 20_000)
    report(20_000, 20_000)
    assert 9 <= len(reports) <= 12  # about ten a second, not one per file
    assert reports[0] == (0, 20_000)
    assert reports[-1] == (20_000, 20_000)
