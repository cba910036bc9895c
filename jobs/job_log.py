"""One JSON line per job run, as the web writes one per request (inspect_app/request_log.py).

Each job function is wrapped by :func:`logged_job`, so the worker (arq), the in-process
schedule of the embedded default and a direct call all log the same line to the
``inspect_app.jobs`` logger: the job's name, its arq id and try when arq ran it, how it
ended (``ok``, ``failed`` or ``cancelled``), milliseconds, and the statements it sent to the
database. A job that sends thousands of statements where it used to send ten shows here.
"""

from __future__ import annotations

import asyncio
import functools
import json
import logging
import time
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar, cast

from inspect_app import logs
from inspect_app.db import counting_statements

log = logging.getLogger("inspect_app.jobs")

Job = TypeVar("Job", bound=Callable[..., Coroutine[Any, Any, Any]])


def configure() -> None:
    """Write these lines to stderr, one JSON object a line (inspect_app/logs.py), unless
    the deployment configured the app's loggers itself."""
    logs.configure()


def logged_job(job: Job) -> Job:
    """The job, logging one line per run (see the module's docstring)."""

    @functools.wraps(job)
    async def run(ctx: dict[str, Any] | None, *args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        status = "failed"
        with counting_statements() as tally:
            try:
                result = await job(ctx, *args, **kwargs)
                status = "ok"
                return result
            except asyncio.CancelledError:
                status = "cancelled"
                raise
            finally:
                log.info(
                    json.dumps(
                        {
                            "job": job.__name__,
                            "job_id": (ctx or {}).get("job_id"),
                            "try": (ctx or {}).get("job_try"),
                            "status": status,
                            "ms": round((time.perf_counter() - started) * 1000, 1),
                            "statements": tally.count,
                        },
                        separators=(",", ":"),
                        default=str,
                    )
                )

    return cast(Job, run)
