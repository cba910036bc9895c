"""When the periodic jobs run: one reading of the schedule variables for both runners.

The arq worker (jobs/worker.py) and the in-process scheduler (jobs/inprocess.py) run the
same jobs; they read their timing here so the two modes cannot drift apart. A bad value
stops the program with a message naming the variable, in both modes.
"""

from __future__ import annotations

import os

from inspect_app.settings import ConfigurationError

# The nightly totals rebuild runs at TOTALS_REBUILD_HOUR:30 local time.
NIGHTLY_MINUTE = 30


def env_int(name: str, default: int, low: int, high: int) -> int:
    """A whole-number variable within [low, high], or ConfigurationError naming it."""
    raw = os.environ.get(name, "")
    try:
        value = int(raw) if raw else default
    except ValueError as exc:
        raise ConfigurationError(f"{name} must be a whole number, got {raw!r}") from exc
    if not low <= value <= high:
        raise ConfigurationError(f"{name} must be between {low} and {high}, got {value}")
    return value


def watch_every_minutes() -> int:
    """Minutes between two deadline watches (DEADLINE_WATCH_MINUTES, 15 by default)."""
    return env_int("DEADLINE_WATCH_MINUTES", 15, 1, 60)


def rebuild_hour() -> int:
    """Local hour of the nightly totals rebuild (TOTALS_REBUILD_HOUR, 1 by default)."""
    return env_int("TOTALS_REBUILD_HOUR", 1, 0, 23)


def digest_hour() -> int:
    """Local hour of the daily follow-up digest (DIGEST_HOUR, 7 by default)."""
    return env_int("DIGEST_HOUR", 7, 0, 23)


def job_timeout_s() -> int:
    """Seconds a job may run before the worker cancels it (JOB_TIMEOUT_S, 900 by default)."""
    return env_int("JOB_TIMEOUT_S", 900, 5, 24 * 3600)
