"""``make bench-follow-up``: the dashboard and the follow-up board on the national data set.

    .venv/bin/python -m bench.follow_up [--seconds 10]

1. Makes sure ``inspect_bench`` holds the national data set (bench/dataset.py) and the bench
   users (bench/run.py: the head of the top agency sees the whole country, a provincial
   head one province of 17 agencies).
2. Refreshes the follow-up figures kept per agency (as the totals job does after a change)
   and times that refresh.
3. Serves the app as in production (uvicorn, 2 processes, APP_ENV=production) and loads with
   wrk, from another process: the national dashboard and the national board's first page at
   1 connection, the provincial board at 1 and 20 connections, and again at 20 while the
   data version moves every second (as a write committed every second would: the kept
   board is rendered again); then times the XLSX export of the whole provincial board
   (every deadline of the province, one request).
4. Writes bench/results/follow_up.json and prints p50/p95/p99 against the targets.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench import http
from bench.dataset import ensure_dataset, machine
from bench.run import (
    BENCH_PASSWORD,
    DATABASE_URL,
    REDIS_URL,
    RESULTS,
    VAR_DIR,
    WEB_WORKERS,
    bench_env,
    ensure_wrk,
    prepare_users,
)

PORT = 8751
# (name, user, path, connections, target p95 in ms)
RUNS: tuple[tuple[str, str, str, tuple[int, ...], int], ...] = (
    ("national dashboard", "national", "/", (1,), 150),
    ("national board, first page", "national", "/follow-ups", (1,), 300),
    ("provincial board", "province", "/follow-ups", (1, 20), 100),
)
EXPORT_TARGET_S = 3.0
CHANGE_EVERY_S = 1.0


def login_cookie(username: str) -> str:
    """Sign in through the API of the server under test; the Cookie header line."""
    body = json.dumps({"username": username, "password": BENCH_PASSWORD}).encode()
    status, headers, data = http.fetch(
        f"http://127.0.0.1:{PORT}/api/auth/login", "", method="POST", body=body
    )
    if status != 200:
        raise RuntimeError(f"bench login failed: {status} {data}")
    cookies = [c.split(";", 1)[0] for c in headers.get_all("Set-Cookie") or [] if "session" in c]
    return "Cookie: " + "; ".join(cookies)


async def refresh_figures() -> dict[str, Any]:
    """The state production is in after its nightly job: the report totals of the maintained
    periods (rebuilt when the table has none) and the follow-up figures of every agency,
    each timed."""
    from inspect_app.clock import today
    from inspect_app.services import follow_up_figures
    from jobs.totals import rebuild_totals
    from models.tables import AgencyTotals

    timings: dict[str, Any] = {}
    if not await AgencyTotals.count().where(AgencyTotals.period != follow_up_figures.PERIOD):
        started = time.perf_counter()
        timings["totals_periods"] = await rebuild_totals(None)
        timings["totals_rebuild_s"] = round(time.perf_counter() - started, 2)
    started = time.perf_counter()
    timings["figures_rows"] = await follow_up_figures.refresh(today())
    timings["figures_refresh_s"] = round(time.perf_counter() - started, 2)
    return timings


@contextmanager
def changing_data(every_s: float) -> Iterator[None]:
    """Move the data version (inspect_app/data_version.py) every ``every_s`` seconds while
    the block runs, from a thread: what a committed write does to the kept pages."""
    from redis import Redis

    from inspect_app.data_version import KEY

    stop = threading.Event()

    def bump() -> None:
        client = Redis.from_url(REDIS_URL)
        try:
            while not stop.wait(every_s):
                client.incr(KEY)
        finally:
            client.close()

    thread = threading.Thread(target=bump, daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


def timed_export(url: str, cookie: str, tries: int = 3) -> dict[str, Any]:
    """The XLSX export of a whole board, fetched ``tries`` times; the seconds of each."""
    seconds = []
    for _ in range(tries):
        started = time.perf_counter()
        status, _, _ = http.fetch(url, cookie)
        seconds.append(round(time.perf_counter() - started, 2))
        if status != 200:
            raise RuntimeError(f"export answered {status}")
    return {"seconds": seconds, "best_s": min(seconds)}


async def main(args: argparse.Namespace) -> int:
    env = bench_env()
    os.environ.update({k: env[k] for k in ("DATABASE_URL", "REDIS_URL", "VAR_DIR", "SECRET_KEY")})
    os.environ["APP_ENV"] = "production"
    ensure_wrk()
    results: dict[str, Any] = {
        "started": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "dataset": await ensure_dataset(DATABASE_URL, env, reload=False),
    }
    from inspect_app.db import close_pool, start_pool

    await start_pool()
    try:
        users = await prepare_users()
        results["figures_refresh"] = await refresh_figures()
    finally:
        await close_pool()
    print(f"follow-up figures refreshed: {results['figures_refresh']}", flush=True)
    log_dir = Path(VAR_DIR) / "bench-logs"
    log_dir.mkdir(parents=True, exist_ok=True)
    web = http.uvicorn("inspect_app.asgi:create_app", PORT, WEB_WORKERS, env, log_dir, "follow")
    runs = []
    try:
        http.wait_ready(web, "/health")
        cookies = {key: login_cookie(user["username"]) for key, user in users.items()}
        for name, user, path, concurrency, target in RUNS:
            url = f"http://127.0.0.1:{PORT}{path}"
            status, _, body = http.fetch(url, cookies[user])
            if status != 200:
                raise RuntimeError(f"{name}: {url} answered {status}: {str(body)[:300]}")
            http.wrk(url, cookies[user], 1, 2)  # warm-up
            http.drain(PORT)
            entry: dict[str, Any] = {"name": name, "url": path, "target_p95_ms": target, "runs": []}
            for connections in concurrency:
                run = http.wrk(url, cookies[user], connections, args.seconds)
                http.settle(run, PORT)
                entry["runs"].append(run)
                print(
                    f"  {name:<30} c={connections:<3} p50 {http.shown(run['p50_ms']):>7} "
                    f"p95 {http.shown(run['p95_ms']):>7} p99 {http.shown(run['p99_ms']):>7} ms "
                    f"{run['rps']:>7} req/s  errors {http.errors_shown(run)}"
                    f"  (target p95 {target} ms at c={concurrency[-1]})",
                    flush=True,
                )
            runs.append(entry)
        # The same board while the data changes every second (each write makes the board
        # be rendered again, once per web process): the version is moved in Redis as a
        # committed write does.
        url = f"http://127.0.0.1:{PORT}/follow-ups"
        with changing_data(CHANGE_EVERY_S):
            run = http.wrk(url, cookies["province"], 20, args.seconds)
        http.settle(run, PORT)
        runs.append(
            {
                "name": f"provincial board, data changed every {CHANGE_EVERY_S:g} s",
                "url": "/follow-ups",
                "target_p95_ms": 100,
                "runs": [run],
            }
        )
        print(
            f"  {'provincial board, a write/s':<30} c=20  p50 {http.shown(run['p50_ms']):>7} "
            f"p95 {http.shown(run['p95_ms']):>7} p99 {http.shown(run['p99_ms']):>7} ms "
            f"{run['rps']:>7} req/s  errors {http.errors_shown(run)}",
            flush=True,
        )
        export_url = f"http://127.0.0.1:{PORT}/follow-ups/export.xlsx"
        results["export"] = timed_export(export_url, cookies["province"])
        print(
            f"  provincial board XLSX export: {results['export']} (target {EXPORT_TARGET_S} s)",
            flush=True,
        )
    finally:
        web.stop()
    results["http"] = runs
    RESULTS.mkdir(exist_ok=True)
    text = json.dumps(results, indent=2, ensure_ascii=False) + "\n"
    (RESULTS / "follow_up.json").write_text(text)
    return 0


def cli() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=int, default=int(os.environ.get("BENCH_SECONDS", "10")))
    return asyncio.run(main(parser.parse_args()))


if __name__ == "__main__":
    sys.exit(cli())
