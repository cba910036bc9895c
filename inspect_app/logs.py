"""Where the app's own log lines go: one stderr handler for the ``inspect_app`` and ``jobs``
loggers.

uvicorn and the arq worker configure their own loggers, not the root one, and the app
leaves the root logger to its host (configured by the framework, it wrote every request
line twice). So the app's loggers get a handler of their own, unless the deployment gave
them one: the request and job lines (:mod:`inspect_app.request_log`, :mod:`jobs.job_log`)
as bare JSON, one object a line, everything else (a deadline watch's summary, a mail that
could not be sent, an unexpected error with its traceback) with its time, level and logger.
They still propagate, so a root handler set up by the host (or pytest's) sees them too.
"""

from __future__ import annotations

import logging
import sys

# Loggers whose messages are JSON lines of their own: written as they are.
JSON_LOGGERS = frozenset({"inspect_app.requests", "inspect_app.jobs"})
ROOTS = ("inspect_app", "jobs")


class AppFormatter(logging.Formatter):
    """JSON lines as they are; other records with time, level and logger name."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        if record.name in JSON_LOGGERS:
            return record.getMessage()
        return super().format(record)


def configure() -> None:
    """Give the app's loggers their stderr handler at INFO (once; not when the deployment
    configured them itself)."""
    for name in ROOTS:
        logger = logging.getLogger(name)
        if logger.level == logging.NOTSET:
            logger.setLevel(logging.INFO)
        if not logger.handlers:
            handler = logging.StreamHandler(sys.stderr)
            handler.setFormatter(AppFormatter())
            logger.addHandler(handler)
