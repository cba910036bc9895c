"""The national data set in ``inspect_bench``: check it, load it when missing, describe it."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import asyncpg

ROOT = Path(__file__).resolve().parent.parent
CLI = str(ROOT / ".venv" / "bin" / "inspect-app")
SEED = 2026
# Tables with their row count after `inspect-app seed --scale national --seed 2026`; a
# database with fewer rows than 99 % of these is not the benchmark data set.
EXPECTED_ROWS = {
    "agency": 1_076,
    "subject": 99_981,
    "inspection": 200_000,
    "finding": 1_011_674,
    "measure": 1_422_544,
    "execution": 1_247_014,
}
COUNTED_TABLES = (
    "agency",
    "app_user",
    "subject",
    "plan",
    "inspection",
    "inspection_subject",
    "inspection_member",
    "inspection_event",
    "finding",
    "measure",
    "execution",
    "notification",
    "agency_totals",
)


def server_dsn(database_url: str) -> str:
    """The DSN of the ``postgres`` maintenance database on the same server."""
    return database_url.rsplit("/", 1)[0] + "/postgres"


async def row_counts(database_url: str) -> dict[str, int] | None:
    """Exact row count of each benchmark table, or None when the database does not exist."""
    try:
        conn = await asyncpg.connect(database_url)
    except asyncpg.InvalidCatalogNameError:
        return None
    try:
        found = {
            r["tablename"]
            for r in await conn.fetch("SELECT tablename FROM pg_tables WHERE schemaname='public'")
        }
        counts = {}
        for table in COUNTED_TABLES:
            counts[table] = (
                int(await conn.fetchval(f'SELECT COUNT(*) FROM "{table}"')) if table in found else 0
            )
        return counts
    finally:
        await conn.close()


def is_loaded(counts: dict[str, int] | None) -> bool:
    """True when the counts are those of the national data set (within 1 %)."""
    if counts is None:
        return False
    return all(counts.get(t, 0) >= 0.99 * n for t, n in EXPECTED_ROWS.items())


def _cli(env: dict[str, str], *args: str) -> None:
    print(f"$ inspect-app {' '.join(args)}", flush=True)
    subprocess.run([CLI, *args], env=env, check=True)


async def ensure_dataset(
    database_url: str, env: dict[str, str], reload: bool, timings: dict[str, float] | None = None
) -> dict[str, int]:
    """Apply migrations and load the national data set unless it is already there.

    When it loads, ``timings["seed_s"]`` is the wall clock of migrating the new database and
    seeding it (``inspect-app migrate`` then ``inspect-app seed --scale national``)."""
    counts = await row_counts(database_url)
    name = database_url.rsplit("/", 1)[1]
    if reload or (counts is not None and counts.get("agency", 0) and not is_loaded(counts)):
        if not reload:
            sys.exit(
                f"{name} holds data that is not the national data set ({counts}); "
                "run `python -m bench.run --reload` to drop and reload it."
            )
        print(f"Dropping {name} (--reload)", flush=True)
        admin = await asyncpg.connect(server_dsn(database_url))
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        await admin.close()
        counts = None
    if counts is None:
        admin = await asyncpg.connect(server_dsn(database_url))
        await admin.execute(f'CREATE DATABASE "{name}"')
        await admin.close()
    started = time.monotonic()
    # Always: a new migration (e.g. an index) must be in place before measuring.
    _cli(env, "migrate")
    counts = await row_counts(database_url)
    if not is_loaded(counts):
        print("Loading the national data set (about 2 minutes)…", flush=True)
        # The seed ends with VACUUM (ANALYZE) of what it loaded (inspect_app/seed/bulk.py):
        # the first run measures what a fresh national load gives, nothing done by hand.
        _cli(env, "seed", "--scale", "national", "--seed", str(SEED))
        if timings is not None:
            timings["seed_s"] = round(time.monotonic() - started, 1)
        counts = await row_counts(database_url)
    assert counts is not None and is_loaded(counts), counts
    return counts


def machine() -> dict[str, Any]:
    """The machine the figures come from."""
    cpu = ""
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    mem_kb = 0
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            mem_kb = int(line.split()[1])
    return {
        "nproc": os.cpu_count(),
        "ram_gib": round(mem_kb / 1024 / 1024, 1),
        "cpu": cpu,
        "kernel": os.uname().release,
        "python": sys.version.split()[0],
    }


async def postgres_info(database_url: str) -> dict[str, Any]:
    """PostgreSQL version, the settings that matter for these figures and the database size."""
    conn = await asyncpg.connect(database_url)
    try:
        info: dict[str, Any] = {"version": await conn.fetchval("SHOW server_version")}
        settings = (
            "shared_buffers",
            "work_mem",
            "effective_cache_size",
            "max_connections",
            "autovacuum",
            "jit",
        )
        for setting in settings:
            info[setting] = await conn.fetchval(f"SHOW {setting}")
        info["database_mb"] = round(
            await conn.fetchval("SELECT pg_database_size(current_database())") / 1e6
        )
        return info
    finally:
        await conn.close()


def load_average() -> list[float]:
    """The 1, 5 and 15 minute load averages."""
    return [round(x, 2) for x in os.getloadavg()]
