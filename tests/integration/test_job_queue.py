"""Without Redis the enqueue helpers wake this process's in-process scheduler, which the
services reach through the waker it registers (inspect_app.job_queue), never by import."""

from __future__ import annotations

import pytest

from inspect_app import job_queue
from inspect_app.settings import get_settings
from jobs.inprocess import running_scheduler


@pytest.fixture
def no_redis(monkeypatch: pytest.MonkeyPatch) -> object:
    monkeypatch.delenv("REDIS_URL", raising=False)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.mark.usefixtures("db", "no_redis")
async def test_enqueue_wakes_the_running_scheduler_and_nothing_else() -> None:
    assert get_settings().redis_url in (None, "")
    # No scheduler here: the work waits for the periodic scans (the markers are stored).
    assert await job_queue.enqueue_totals_refresh() is False
    assert await job_queue.enqueue_report(7) is False
    async with running_scheduler(tick_s=3600) as scheduler:
        scheduler._wake.clear()
        assert await job_queue.enqueue_totals_refresh() is True
        assert scheduler._wake.is_set()  # a tick now, not in an hour
        scheduler._wake.clear()
        assert await job_queue.enqueue_import(3) is True
        assert scheduler._wake.is_set()
    # Stopped: the waker is gone again.
    assert await job_queue.enqueue_report(7) is False
