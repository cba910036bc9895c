"""The worker of the fault tests: the real worker and settings, with a pause inside a job.

Run as ``python -m tests.integration.fault_worker``. FAULT_MODE chooses where it stops:

- ``deadlines`` (the default): after the deadline watch's first statement that writes
  notices (one deadline type's first rung), before any other statement has run;
- ``report``: in the middle of a report, once its HTML is rendered (progress 70).

There it writes FAULT_SIGNAL_FILE and sleeps, so that the test can kill the process with
SIGKILL in the middle of the job. Everything else is the production worker
(:class:`jobs.worker.ResilientWorker` with the real job timeout): the killed job is taken up
again only because its lease is no longer renewed.
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
from typing import Any

from inspect_app.services import report_runner
from jobs import deadlines
from jobs.worker import WorkerSettings, build_worker, redis_settings


async def _signal_and_hang(detail: str) -> None:
    await asyncio.to_thread(Path(os.environ["FAULT_SIGNAL_FILE"]).write_text, f"{detail}\n")
    await asyncio.sleep(3600)


_insert_owed = deadlines.insert_owed
# The watch runs its deadline types' statements side by side on PostgreSQL: here they take
# turns, so that the first one that writes notices hangs before any other has run, and the
# kill leaves exactly that statement's notices behind.
_one_at_a_time = asyncio.Lock()


async def _insert_then_hang(sql: str, args: list[Any]) -> int:
    async with _one_at_a_time:
        created = await _insert_owed(sql, args)
        if created:
            await _signal_and_hang(str(created))
    return created


_set_progress = report_runner._set_progress


async def _progress_then_hang(report_id: int, token: str, progress: int, callback: Any) -> None:
    await _set_progress(report_id, token, progress, callback)
    if progress == 70:
        await _signal_and_hang(f"report {report_id} at {progress}%")


if os.environ.get("FAULT_MODE", "deadlines") == "report":
    report_runner._set_progress = _progress_then_hang  # type: ignore[assignment]
else:
    deadlines.insert_owed = _insert_then_hang  # type: ignore[assignment]

if __name__ == "__main__":
    asyncio.set_event_loop(asyncio.new_event_loop())
    build_worker(
        WorkerSettings,
        cron_jobs=[],
        poll_delay=0.1,
        redis_settings=redis_settings(os.environ["REDIS_URL"]),
    ).run()
