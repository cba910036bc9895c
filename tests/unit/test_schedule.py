"""Both job runners read the same schedule variables, and reject bad values alike."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from inspect_app.settings import ConfigurationError
from jobs.inprocess import nightly_due, watch_interval

HANOI = ZoneInfo("Asia/Ho_Chi_Minh")


def test_the_in_process_nightly_rebuild_follows_totals_rebuild_hour(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # 03:00 in Hà Nội on 22/11/2026; the last rebuild ran at 02:00 the same night.
    now = datetime(2026, 11, 21, 20, 0, tzinfo=UTC)
    last = datetime(2026, 11, 21, 19, 0, tzinfo=UTC)
    monkeypatch.setenv("TOTALS_REBUILD_HOUR", "1")
    assert nightly_due(last, now, HANOI) is False  # 01:30 slot already covered
    monkeypatch.setenv("TOTALS_REBUILD_HOUR", "2")
    assert nightly_due(last, now, HANOI) is True  # 02:30 slot passed since 02:00


def test_a_bad_watch_interval_stops_the_in_process_scheduler_too(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DEADLINE_WATCH_MINUTES", "90")
    with pytest.raises(ConfigurationError, match="DEADLINE_WATCH_MINUTES"):
        watch_interval()
    monkeypatch.setenv("DEADLINE_WATCH_MINUTES", "10")
    assert watch_interval().total_seconds() == 600
