"""``make bench-portal``: the public portal of conclusions on the national data set.

    .venv/bin/python -m bench.portal [--seconds 10]

1. Makes sure ``inspect_bench`` holds the national data set (bench/dataset.py loads it when
   missing, about 6 minutes) with every migration applied.
2. Publishes every concluded case that has no publication yet, as the publish step would
   leave it (one ``INSERT … SELECT``: the case's title, numbers, subjects and tax codes, a
   summary and a public text, the folded search text, dated 5 days after the conclusion),
   then ``VACUUM (ANALYZE) publication``.
3. Serves the app as in production (uvicorn, 2 processes, APP_ENV=production) and loads with
   wrk, from another process, at 1 and 20 connections: the portal's first page, a search
   without diacritics, a year and agency filter, page 50, one conclusion, an agency's feed.
4. Writes bench/results/portal.json and prints p50/p95/p99 and requests per second.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg

from bench import http
from bench.dataset import ensure_dataset, machine
from bench.run import DATABASE_URL, RESULTS, VAR_DIR, WEB_WORKERS, bench_env, ensure_wrk

PORT = 8741
CONCURRENCY = (1, 20)

PUBLISH_SQL = """
INSERT INTO publication (inspection, agency, title, conclusion_no, concluded_on, year,
    subject_names, subject_tax_codes, summary, public_text, search_text, published_on,
    version, created_at, updated_at)
SELECT i.id, i.agency, i.title, COALESCE(i.conclusion_no, ''), i.concluded_on,
    EXTRACT(YEAR FROM i.concluded_on)::int,
    COALESCE(s.names, ''), COALESCE(s.codes, ''),
    'Kết luận thanh tra ' || i.title,
    'Toàn văn kết luận công khai của cuộc thanh tra ' || i.code || '.',
    i.search_text || ' ' || lower(COALESCE(i.conclusion_no, '')),
    i.concluded_on + 5, 1, now(), now()
FROM inspection i
LEFT JOIN LATERAL (
    SELECT string_agg(sj.name, '; ') AS names,
           left(string_agg(COALESCE(sj.tax_code, ''), ' '), 500) AS codes
    FROM inspection_subject x JOIN subject sj ON sj.id = x.subject
    WHERE x.inspection = i.id
) s ON true
WHERE i.concluded_on IS NOT NULL AND i.deleted_at IS NULL
  AND NOT EXISTS (SELECT 1 FROM publication p WHERE p.inspection = i.id)
"""


async def publish_all(database_url: str) -> dict[str, Any]:
    """A publication for every concluded case (once); how many and how long it took."""
    connection = await asyncpg.connect(database_url)
    try:
        started = time.perf_counter()
        status = await connection.execute(PUBLISH_SQL)
        inserted = int(status.split()[-1])
        await connection.execute("VACUUM (ANALYZE) publication")
        total = await connection.fetchval(
            "SELECT count(*) FROM publication WHERE published_on IS NOT NULL"
        )
        sample = await connection.fetchrow(
            "SELECT p.id, a.code FROM publication p JOIN agency a ON a.id = p.agency"
            " ORDER BY p.id LIMIT 1 OFFSET 1000"
        )
        year = await connection.fetchval(
            "SELECT year FROM publication GROUP BY year ORDER BY count(*) DESC LIMIT 1"
        )
    finally:
        await connection.close()
    return {
        "inserted": inserted,
        "published": int(total),
        "seconds": round(time.perf_counter() - started, 1),
        "sample_id": int(sample["id"]),
        "sample_agency": sample["code"],
        "busiest_year": int(year),
    }


def endpoints(data: dict[str, Any]) -> list[tuple[str, str]]:
    agency, year, item = data["sample_agency"], data["busiest_year"], data["sample_id"]
    return [
        ("portal, first page", "/public/conclusions"),
        ("portal, search without diacritics", "/public/conclusions?q=quan+ly+dat+dai"),
        ("portal, agency and year", f"/public/conclusions?agency={agency}&year={year}"),
        ("portal, page 50", "/public/conclusions?page=50"),
        ("one conclusion", f"/public/conclusions/{item}"),
        ("agency feed", f"/public/feeds/{agency}"),
    ]


async def main(args: argparse.Namespace) -> int:
    ensure_wrk()
    env = bench_env()
    results: dict[str, Any] = {
        "started": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "dataset": await ensure_dataset(DATABASE_URL, env, reload=False),
    }
    results["publications"] = await publish_all(DATABASE_URL)
    print(f"publications: {results['publications']}", flush=True)
    log_dir = Path(VAR_DIR) / "bench-logs"
    log_dir.mkdir(parents=True, exist_ok=True)
    web = http.uvicorn("inspect_app.asgi:create_app", PORT, WEB_WORKERS, env, log_dir, "portal")
    runs = []
    try:
        http.wait_ready(web, "/health")
        for name, path in endpoints(results["publications"]):
            url = f"http://127.0.0.1:{PORT}{path}"
            status, _, body = http.fetch(url, "")
            if status != 200:
                raise RuntimeError(f"{name}: {url} answered {status}: {str(body)[:300]}")
            http.wrk(url, "", 2, 2)  # warm-up: caches, connections
            http.drain(PORT)
            entry: dict[str, Any] = {"name": name, "url": path, "runs": []}
            for connections in CONCURRENCY:
                run = http.wrk(url, "", connections, args.seconds)
                http.settle(run, PORT)
                entry["runs"].append(run)
                print(
                    f"  {name:<36} c={connections:<3} p50 {http.shown(run['p50_ms']):>7} "
                    f"p95 {http.shown(run['p95_ms']):>7} p99 {http.shown(run['p99_ms']):>7} ms "
                    f"{run['rps']:>7} req/s  errors {http.errors_shown(run)}",
                    flush=True,
                )
            runs.append(entry)
    finally:
        web.stop()
    results["http"] = runs
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "portal.json").write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    worst = max(
        run["p95_ms"] or 0 for entry in runs for run in entry["runs"] if run["connections"] == 20
    )
    print(f"worst p95 at 20 connections: {worst} ms (target 50 ms)")
    return 0


def cli() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=int, default=int(os.environ.get("BENCH_SECONDS", "10")))
    return asyncio.run(main(parser.parse_args()))


if __name__ == "__main__":
    sys.exit(cli())
