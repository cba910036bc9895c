"""The worker of the fault tests: the real settings, with a pause inside the deadline watch.

Run as ``python -m tests.integration.fault_worker``. After the watch's first statement that
writes notices (one deadline type's first rung) it writes FAULT_SIGNAL_FILE and sleeps, so
that the test can kill the process with SIGKILL in the middle of the job. ``job_timeout`` is
short so that arq's in-progress lock of the killed job expires quickly (job_timeout + 10 s).
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
from typing import Any

from arq.worker import run_worker

from jobs import deadlines
from jobs.worker import WorkerSettings as RealSettings

_insert_owed = deadlines.insert_owed


async def _insert_then_hang(sql: str, args: list[Any]) -> int:
    created = await _insert_owed(sql, args)
    if created:
        await asyncio.to_thread(Path(os.environ["FAULT_SIGNAL_FILE"]).write_text, f"{created}\n")
        await asyncio.sleep(3600)
    return created


deadlines.insert_owed = _insert_then_hang  # type: ignore[assignment]

# arq reads a settings class through its own __dict__: a dict copy keeps every setting.
WorkerSettings: dict[str, Any] = {
    **{key: value for key, value in vars(RealSettings).items() if not key.startswith("__")},
    "cron_jobs": [],
    "job_timeout": 5,
    "poll_delay": 0.1,
}

if __name__ == "__main__":
    asyncio.set_event_loop(asyncio.new_event_loop())
    run_worker(WorkerSettings)
