"""``make bench``: the benchmark suite on the national data set.

    .venv/bin/python -m bench.run [--seconds 10] [--only jobs|http] [--match TEXT] [--reload]

1. Makes sure ``inspect_bench`` holds the national data set (loads it when missing) and has
   every migration applied.
2. Background work, in this process: the nightly totals rebuild, the deadline watch (twice,
   from an empty notices table, emptied again afterwards), the provincial Q1 totals against
   the hand-written SQL lower bound, and the consolidated provincial Q1 report (figures, XLSX,
   PDF).
3. HTTP: the app as in production (uvicorn, APP_ENV=production, Redis sessions, WEB_WORKERS
   processes) and the bare reference app (bench/bare_app.py), loaded by wrk from another
   process at 1, 20 and 100 connections; the RSS of the web and worker processes meanwhile.
4. Writes bench/results/latest.json and bench/results/latest.md.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).parent / "results"
DATABASE_URL = os.environ.get(
    "BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/inspect_bench"
)
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/9")
VAR_DIR = os.environ.get("BENCH_VAR_DIR", "/tmp/inspect-bench-var")
WEB_PORT, BARE_PORT = 8731, 8732
# Two cores: one web process per core. More processes only add memory and context switches
# (measured: see docs/performance.md); PostgreSQL and wrk share the same two cores.
WEB_WORKERS = int(os.environ.get("BENCH_WEB_WORKERS", "2"))
CONCURRENCY = (1, 20, 100)
PROVINCE_ID = 6  # Thanh tra thành phố Hà Nội, path /1/6/
PROVINCE_PATH = "/1/6/"
PERIOD = "2026-Q1"
BENCH_PASSWORD = "Bench@2026-ThanhTra"
USERS = {
    # The heavy case: the head of the top agency sees the whole country.
    "national": ("bench.national", "TTCP"),
    # The everyday case: a provincial head sees one province's 17 agencies.
    "province": ("bench.province", "T01"),
}
DEEP_PAGES = 40

# The targets of issue 16 (which raised those of the first benchmark: totals ≤ 1.5× the
# SQL bound, deadline watch ≤ 2 s, rebuild ≤ 30 s).
TARGETS = {
    "list_detail_p95_ms": 50.0,
    "list_detail_p50_ms": 10.0,
    "api_detail_vs_bare": 0.60,
    "totals_vs_sql": 1.1,
    "web_rss_mb": 250.0,
    "deadline_watch_s": 0.5,
    "totals_rebuild_s": 10.0,
    "seed_s": 120.0,
    "report_totals_s": 1.0,
    "report_xlsx_s": 3.0,
    "report_pdf_s": 2.0,
}


def bench_env() -> dict[str, str]:
    """The environment of every process under test: production settings."""
    env = dict(os.environ)
    env.update(
        DATABASE_URL=DATABASE_URL,
        REDIS_URL=REDIS_URL,
        VAR_DIR=VAR_DIR,
        APP_ENV="production",
        SECRET_KEY="bench-only-secret-key-not-for-production-use-0123456789",
        DEBUG="0",
        WEB_WORKERS=str(WEB_WORKERS),
        # The watch runs from the bench itself; the worker must not add runs of its own.
        DEADLINE_WATCH_MINUTES="60",
        PYTHONPATH=str(ROOT),
    )
    return env


def ensure_wrk() -> None:
    """Install wrk with apt-get when it is missing and we are root."""
    if shutil.which("wrk"):
        return
    if os.geteuid() == 0 and shutil.which("apt-get"):
        print("Installing wrk (apt-get)…", flush=True)
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(["apt-get", "update", "-q"], env=env, check=True)
        subprocess.run(["apt-get", "install", "-y", "-q", "wrk"], env=env, check=True)
        return
    sys.exit("wrk is required: install the Debian package `wrk` (needs root).")


# --------------------------------------------------------------------------- preparation


async def prepare_users() -> dict[str, dict[str, Any]]:
    """The bench users (created once) and a fresh API token for each."""
    from inspect_app.services.auth import create_token
    from inspect_app.services.identity import load_principal
    from inspect_app.services.users import create_user_cli
    from models.tables import ApiToken, AppUser

    found: dict[str, dict[str, Any]] = {}
    for key, (username, agency_code) in USERS.items():
        row = await AppUser.select(AppUser.id).where(AppUser.username == username).first()
        user_id = (
            row["id"]
            if row
            else await create_user_cli(
                username=username,
                full_name=f"Benchmark {key}",
                role="head",
                agency_code=agency_code,
                password=BENCH_PASSWORD,
            )
        )
        principal = await load_principal(user_id)
        assert principal is not None
        # Tokens of earlier runs are revoked: one live bench token per user.
        await ApiToken.update({ApiToken.revoked_at: datetime.now(UTC)}).where(
            (ApiToken.user == user_id) & ApiToken.revoked_at.is_null()
        )
        token = await create_token(principal, "bench")
        found[key] = {"username": username, "id": user_id, "token": token.token}
    return found


async def pick_records() -> dict[str, Any]:
    """The case of the detail benchmarks: the province's newest concluded case with findings."""
    from models.tables import Inspection

    rows = await Inspection.raw(
        """
        SELECT i.id, i.code, COUNT(DISTINCT f.id) AS findings, COUNT(m.id) AS measures
        FROM inspection i JOIN agency a ON a.id = i.agency
        JOIN finding f ON f.inspection = i.id LEFT JOIN measure m ON m.finding = f.id
        WHERE a.path LIKE {} AND i.status = 'concluded' AND i.deleted_at IS NULL
        GROUP BY i.id, i.code ORDER BY i.id DESC LIMIT 1
        """,
        PROVINCE_PATH + "%",
    )
    first: dict[str, Any] = rows[0]
    return first


async def writable_measure() -> int:
    """A money recommendation of the province with room for the bench's small payments."""
    from models.tables import Measure

    rows = await Measure.raw(
        """
        SELECT m.id FROM measure m JOIN inspection i ON i.id = m.inspection
        JOIN agency a ON a.id = i.agency
        WHERE a.path LIKE {} AND i.status = 'concluded' AND i.deleted_at IS NULL
          AND m.deleted_at IS NULL AND m.type = 'recover_money'
          AND m.amount_vnd - m.done_vnd > 100000000
        ORDER BY m.id LIMIT 1
        """,
        PROVINCE_PATH + "%",
    )
    return int(rows[0]["id"])


def login_cookie(username: str) -> str:
    """Sign in through the API and return the session cookie header line."""
    from bench.http import fetch

    body = json.dumps({"username": username, "password": BENCH_PASSWORD}).encode()
    status, headers, data = fetch(
        f"http://127.0.0.1:{WEB_PORT}/api/auth/login", "", method="POST", body=body
    )
    if status != 200:
        raise RuntimeError(f"bench login failed: {status} {data}")
    cookies = [c.split(";", 1)[0] for c in headers.get_all("Set-Cookie") or [] if "session" in c]
    return "Cookie: " + "; ".join(cookies)


def deep_cursor(path: str, query: str, auth: str, pages: int) -> str:
    """The cursor of page ``pages`` of an API list, following next_cursor page by page."""
    from bench.http import fetch

    cursor = ""
    for _ in range(pages):
        url = f"http://127.0.0.1:{WEB_PORT}{path}?{query}" + (f"&cursor={cursor}" if cursor else "")
        status, _, data = fetch(url, auth)
        if status != 200 or not data.get("next_cursor"):
            raise RuntimeError(f"no deep page for {url}: {status}")
        cursor = data["next_cursor"]
    return cursor


# --------------------------------------------------------------------------- phases


async def run_jobs(results: dict[str, Any]) -> None:
    """Background work and reports, timed in this process."""
    from bench import jobs

    print("Totals rebuild…", flush=True)
    results["totals_rebuild"] = await jobs.totals_rebuild()
    print(f"  {results['totals_rebuild']}", flush=True)
    print("Deadline watch (two runs)…", flush=True)
    results["deadline_watch"] = await jobs.deadline_watch()
    print(f"  {results['deadline_watch']}", flush=True)
    print("Provincial totals against the SQL lower bound…", flush=True)
    results["province_totals"] = await jobs.province_totals(PROVINCE_ID, PROVINCE_PATH, PERIOD)
    print(f"  {results['province_totals']}", flush=True)
    print("Provincial report…", flush=True)
    results["report"] = await jobs.provincial_report(PROVINCE_ID, PERIOD)
    print(f"  {results['report']}", flush=True)


def endpoints(
    users: dict[str, Any], case: dict[str, Any], cursors: dict[str, str]
) -> list[tuple[str, int, str, str]]:
    """(name, port, path, credentials) of every HTTP benchmark."""
    national, province = users["national"], users["province"]
    filters = "status=concluded&origin=ad_hoc"
    detail = case["id"]
    return [
        (
            "page: inspection list, filtered (country)",
            WEB_PORT,
            f"/inspections?{filters}",
            national["cookie"],
        ),
        (
            f"page: inspection list, filtered, page {DEEP_PAGES + 1} (country)",
            WEB_PORT,
            f"/inspections?{filters}&cursor={cursors['national']}",
            national["cookie"],
        ),
        ("page: inspection list (province)", WEB_PORT, "/inspections", province["cookie"]),
        (
            f"page: inspection list, page {DEEP_PAGES + 1} (province)",
            WEB_PORT,
            f"/inspections?cursor={cursors['province']}",
            province["cookie"],
        ),
        ("page: inspection", WEB_PORT, f"/inspections/{detail}", national["cookie"]),
        (
            "api: inspection list, filtered (country)",
            WEB_PORT,
            f"/api/inspections?{filters}",
            national["bearer"],
        ),
        (
            f"api: inspection list, filtered, page {DEEP_PAGES + 1} (country)",
            WEB_PORT,
            f"/api/inspections?{filters}&cursor={cursors['national']}",
            national["bearer"],
        ),
        ("api: inspection", WEB_PORT, f"/api/inspections/{detail}", national["bearer"]),
        ("bare: inspection", BARE_PORT, f"/api/inspections/{detail}", ""),
        ("page: follow-up board (province)", WEB_PORT, "/follow-ups", province["cookie"]),
        ("api: follow-ups (country)", WEB_PORT, "/api/follow-ups", national["bearer"]),
        ("page: dashboard (country)", WEB_PORT, "/", national["cookie"]),
        (
            "api: totals (province, 2026-Q1)",
            WEB_PORT,
            f"/api/totals?agency_id={PROVINCE_ID}&period={PERIOD}",
            national["bearer"],
        ),
    ]


def request_lines(log: Path | None, offset: int = 0) -> list[dict[str, Any]]:
    """The request lines a web process's log got from byte ``offset`` on."""
    if log is None or not log.exists():
        return []
    with log.open("rb") as stream:
        stream.seek(offset)
        data = stream.read()
    found = []
    for line in data.decode(errors="replace").splitlines():
        if line.startswith('{"request_id"'):
            try:
                found.append(json.loads(line))
            except ValueError:
                continue  # a line cut where the file ended as it was read
    return found


def log_size(log: Path | None) -> int:
    """Where a log file ends now (0 when there is none yet)."""
    return log.stat().st_size if log is not None and log.exists() else 0


def request_line(
    log: Path | None, request_id: str, offset: int, wait_s: float = 5.0
) -> dict[str, Any] | None:
    """The log line of one request, by the id its answer carried (X-Request-ID); it may
    reach the file a moment after the answer."""
    if not request_id:
        return None
    deadline = time.monotonic() + wait_s
    while True:
        for line in request_lines(log, offset):
            if line.get("request_id") == request_id:
                return line
        if time.monotonic() >= deadline:
            return None
        time.sleep(0.05)


def statements_under_load(log: Path | None, offset: int, method: str, route: str) -> int | None:
    """The median statement count of the requests to ``route`` logged from ``offset`` on
    (an endpoint's wrk runs: the same route, while nothing else is loaded)."""
    counts = [
        int(line["statements"])
        for line in request_lines(log, offset)
        if line.get("route") == route and line.get("method") == method
    ]
    return int(statistics.median_low(counts)) if counts else None


async def run_http(
    results: dict[str, Any],
    seconds: int,
    env: dict[str, str],
    match: str = "",
    server: str = "uvicorn",
    writes_per_second: float = 0,
) -> None:
    """Start the servers, load each endpoint with wrk, sample memory, stop the servers;
    with ``writes_per_second``, payments recorded through the API meanwhile."""
    from bench import http
    from inspect_app.clock import today

    users = await prepare_users()
    case = await pick_records()
    measure_id = await writable_measure() if writes_per_second else 0
    results["detail_case"] = case
    log_dir = Path(VAR_DIR) / "bench-logs"
    log_dir.mkdir(parents=True, exist_ok=True)
    serve = http.SERVERS[server]
    web = serve("inspect_app.asgi:create_app", WEB_PORT, WEB_WORKERS, env, log_dir, "web")
    bare = serve("bench.bare_app:create_app", BARE_PORT, WEB_WORKERS, env, log_dir, "bare")
    worker = http.start(
        "worker", [str(ROOT / ".venv" / "bin" / "inspect-app"), "worker"], env, log_dir, None
    )
    servers = [web, bare, worker]
    try:
        http.wait_ready(web, "/health")
        http.wait_ready(bare, f"/api/inspections/{case['id']}")
        for user in users.values():
            user["bearer"] = f"Authorization: Bearer {user['token']}"
            user["cookie"] = login_cookie(user["username"])
        cursors = {
            "national": deep_cursor(
                "/api/inspections",
                "status=concluded&origin=ad_hoc&limit=25",
                users["national"]["bearer"],
                DEEP_PAGES,
            ),
            "province": deep_cursor(
                "/api/inspections", "limit=25", users["province"]["bearer"], DEEP_PAGES
            ),
        }
        runs = []
        with http.MemorySampler({"web": web, "worker": worker, "bare": bare}) as memory:
            # A report generated by the worker while the web is loaded: worker memory under load.
            results["worker_report"] = await enqueue_report(users)
            for name, port, path, auth in endpoints(users, case, cursors):
                if match and match not in name and not name.startswith("bare"):
                    continue
                url = f"http://127.0.0.1:{port}{path}"
                offset = log_size(web.log)
                status, headers, body = http.fetch(url, auth)
                size = len(body if isinstance(body, str) else json.dumps(body))
                if status != 200:
                    raise RuntimeError(f"{name}: {url} answered {status}: {str(body)[:500]}")
                # What this request sent to the database: its own line in the web's log,
                # found by the request id its answer carried.
                first = (
                    request_line(web.log, str(headers.get("x-request-id", "")), offset)
                    if port == WEB_PORT
                    else None
                )
                http.wrk(url, auth, 2, 2)  # warm-up: caches, connections, JIT of templates
                http.drain(port)
                entry: dict[str, Any] = {
                    "name": name,
                    "url": path,
                    "bytes": size,
                    "statements": None if first is None else int(first["statements"]),
                    "runs": [],
                }
                offset = log_size(web.log)
                writer = (
                    http.Writer(
                        f"http://127.0.0.1:{WEB_PORT}/api/measures/{measure_id}/executions",
                        users["province"]["bearer"],
                        writes_per_second,
                        today().isoformat(),
                    )
                    if writes_per_second
                    else None
                )
                for connections in CONCURRENCY:
                    if writer is not None:
                        with writer:
                            run = http.wrk(url, auth, connections, seconds)
                        run["writes"] = writer.figures()
                    else:
                        run = http.wrk(url, auth, connections, seconds)
                    run["load"] = [round(x, 2) for x in os.getloadavg()]
                    http.settle(run, port)
                    entry["runs"].append(run)
                    print(
                        f"  {name:<58} c={connections:<3} p50 {http.shown(run['p50_ms']):>7} "
                        f"p95 {http.shown(run['p95_ms']):>7} p99 {http.shown(run['p99_ms']):>7} ms "
                        f"{run['rps']:>7} req/s  errors {http.errors_shown(run)}",
                        flush=True,
                    )
                if first is not None:
                    entry["statements_under_load"] = statements_under_load(
                        web.log, offset, str(first["method"]), str(first["route"])
                    )
                runs.append(entry)
        results["http"] = runs
        results["rss_mb"] = {
            group: {str(pid): round(mb, 1) for pid, mb in peaks.items()}
            for group, peaks in memory.peak.items()
        }
        results["worker_report"].update(await report_status(results["worker_report"]["id"]))
    finally:
        for started in servers:
            started.stop()


async def enqueue_report(users: dict[str, Any]) -> dict[str, Any]:
    """Ask for the provincial Q1 report through the API; the worker renders it."""
    from bench.http import fetch

    body = json.dumps({"agency_id": PROVINCE_ID, "period": PERIOD}).encode()
    status, _, data = fetch(
        f"http://127.0.0.1:{WEB_PORT}/api/reports", users["province"]["bearer"], "POST", body
    )
    if status not in (200, 201, 202):
        raise RuntimeError(f"report request failed: {status} {data}")
    return {"id": data["id"], "requested_at": time.time()}


async def report_status(report_id: int) -> dict[str, Any]:
    """Status of the report the worker generated during the load (waits up to 60 s)."""
    from models.tables import Report

    deadline = time.monotonic() + 60
    while True:
        row = (
            await Report.select(Report.status, Report.started_at, Report.finished_at, Report.error)
            .where(Report.id == report_id)
            .first()
        )
        assert row is not None, report_id
        if row["status"] in ("done", "failed") or time.monotonic() > deadline:
            break
        await asyncio.sleep(1)
    took = None
    if row["started_at"] and row["finished_at"]:
        took = round((row["finished_at"] - row["started_at"]).total_seconds(), 2)
    return {"status": row["status"], "seconds_under_load": took, "error": row["error"]}


# --------------------------------------------------------------------------- summary


def _run_of(results: dict[str, Any], prefix: str, connections: int) -> dict[str, Any] | None:
    for entry in results.get("http", []):
        if entry["name"].startswith(prefix):
            for run in entry["runs"]:
                if run["connections"] == connections:
                    found: dict[str, Any] = run
                    return found
    return None


def verdicts(results: dict[str, Any]) -> list[dict[str, Any]]:
    """Each target with its measured figure and pass/fail."""
    from bench import http

    rows: list[dict[str, Any]] = []

    def add(what: str, target: str, measured: Any, ok: bool | None) -> None:
        rows.append({"what": what, "target": target, "measured": measured, "pass": ok})

    for entry in results.get("http", []):
        if entry["name"].startswith(("page: inspection", "page: inspection list")):
            for connections, figure, limit in (
                (20, "p95", TARGETS["list_detail_p95_ms"]),
                (1, "p50", TARGETS["list_detail_p50_ms"]),
            ):
                run = next(r for r in entry["runs"] if r["connections"] == connections)
                measured = run[f"{figure}_ms"]
                add(
                    f"{entry['name']}: {figure} at {connections} client"
                    + ("s" if connections > 1 else ""),
                    f"≤ {limit:g} ms",
                    f"{http.shown(measured)} ms ({run['requests']} requests,"
                    f" {http.errors_shown(run, 'errors')})",
                    http.clean(run) and measured is not None and measured <= limit,
                )
    api = _run_of(results, "api: inspection", 20)
    for entry in results.get("http", []):
        if entry["name"] == "api: inspection":
            api = max(entry["runs"], key=lambda r: r["rps"])
    bare_runs: list[dict[str, Any]] = next(
        (e["runs"] for e in results.get("http", []) if e["name"].startswith("bare")), []
    )
    if api and bare_runs:
        bare = max(bare_runs, key=lambda r: r["rps"])
        ratio = api["rps"] / bare["rps"] if bare["rps"] else 0
        add(
            "API detail throughput / bare reference (best of 1/20/100 clients)",
            "≥ 60 %",
            f"{ratio:.0%} ({api['rps']} / {bare['rps']} req/s)",
            ratio >= TARGETS["api_detail_vs_bare"] and http.clean(api),
        )
    if "province_totals" in results:
        t = results["province_totals"]
        add(
            "provincial Q1 totals / SQL lower bound",
            f"≤ {TARGETS['totals_vs_sql']:g}×",
            f"{t['ratio']}× ({t['live_median_s'] * 1000:.0f}"
            f" / {t['lower_bound_median_s'] * 1000:.0f} ms,"
            f" same figures: {'yes' if t['same_figures'] else 'NO'})",
            t["ratio"] <= TARGETS["totals_vs_sql"] and t["same_figures"],
        )
    if "rss_mb" in results:
        web = max(results["rss_mb"].get("web", {"0": 0}).values())
        add(
            "web process RSS under load (largest process)",
            "≤ 250 MB",
            f"{web} MB",
            web <= TARGETS["web_rss_mb"],
        )
        worker = max(results["rss_mb"].get("worker", {"0": 0}).values())
        add("worker process RSS (report rendered under load)", "(no target)", f"{worker} MB", None)
    if "deadline_watch" in results:
        d = results["deadline_watch"]
        add(
            "deadline watch, first run (creates every notice owed)",
            f"≤ {TARGETS['deadline_watch_s']:g} s",
            f"{d['first_run_s']} s ({d['first_run']['created']:,} notices)",
            d["first_run_s"] <= TARGETS["deadline_watch_s"],
        )
        add(
            "deadline watch, second run",
            f"≤ {TARGETS['deadline_watch_s']:g} s",
            f"{d['second_run_s']} s",
            d["second_run_s"] <= TARGETS["deadline_watch_s"],
        )
    if "totals_rebuild" in results:
        r = results["totals_rebuild"]
        add(
            f"totals rebuild ({r['periods']} periods, {r['rows']} rows)",
            f"≤ {TARGETS['totals_rebuild_s']:g} s",
            f"{r['seconds']} s",
            r["seconds"] <= TARGETS["totals_rebuild_s"],
        )
    if "seed_s" in results:
        add(
            "national seed (migrations and `inspect-app seed`, wall clock; --reload only)",
            f"≤ {TARGETS['seed_s']:g} s",
            f"{results['seed_s']} s",
            results["seed_s"] <= TARGETS["seed_s"],
        )
    if "report" in results:
        r = results["report"]
        add(
            "provincial Q1 report: totals",
            "≤ 1 s",
            f"{r['totals_s']} s",
            r["totals_s"] <= TARGETS["report_totals_s"],
        )
        add(
            "provincial Q1 report: XLSX",
            "≤ 3 s",
            f"{r['xlsx_s']} s",
            r["xlsx_s"] <= TARGETS["report_xlsx_s"],
        )
        add(
            "provincial Q1 report: PDF",
            "≤ 2 s",
            f"{r['pdf_s']} s",
            r["pdf_s"] <= TARGETS["report_pdf_s"],
        )
        if "json_s" in r:
            add("provincial Q1 report: JSON copy", "(reported)", f"{r['json_s']} s", None)
        if "province_totals" in results:
            bound = results["province_totals"]["lower_bound_median_s"]
            add(
                "report totals / one SQL aggregate over the same rows",
                "(reported)",
                f"{r['totals_s'] / bound:.1f}×",
                None,
            )
    return rows


def markdown(results: dict[str, Any]) -> str:
    """The figures as markdown tables."""
    from bench import http

    machine, pg = results.get("machine", {}), results.get("postgres", {})
    lines = [
        f"{results.get('started_at', '')}: {machine.get('nproc')} CPUs ({machine.get('cpu')}), "
        f"{machine.get('ram_gib')} GiB, Python {machine.get('python')}; PostgreSQL "
        f"{pg.get('version')}, shared_buffers {pg.get('shared_buffers')}, work_mem "
        f"{pg.get('work_mem')}, autovacuum {pg.get('autovacuum')}, jit {pg.get('jit')}; "
        f"load average {results.get('load_before')} before, {results.get('load_after')} after.",
        "",
    ]
    if results.get("writes_per_second"):
        written = [
            run["writes"]
            for entry in results.get("http", [])
            for run in entry["runs"]
            if "writes" in run
        ]
        lines += [
            f"Payments recorded through the API during every run: "
            f"{results['writes_per_second']:g} per second asked, "
            f"{sum(w['ok'] for w in written)} recorded, "
            f"{sum(len(w['failed']) for w in written)} refused (per run in the JSON).",
            "",
        ]
    lines += [
        "| target | limit | measured | result |",
        "|---|---|---|---|",
    ]
    for row in results["verdicts"]:
        mark = "—" if row["pass"] is None else ("pass" if row["pass"] else "**FAIL**")
        lines.append(f"| {row['what']} | {row['target']} | {row['measured']} | {mark} |")
    lines += [
        "",
        "| endpoint | statements: first / median | clients | p50 ms | p95 ms | p99 ms | req/s"
        " | × bare | errors |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    bare = {
        r["connections"]: r["rps"]
        for e in results.get("http", [])
        if e["name"].startswith("bare")
        for r in e["runs"]
    }
    for entry in results.get("http", []):
        for run in entry["runs"]:
            ratio = ""
            if entry["name"].startswith("api:") and bare.get(run["connections"]):
                ratio = f"{run['rps'] / bare[run['connections']]:.2f}"
            statements = entry.get("statements")
            if statements is not None:
                typical = entry.get("statements_under_load")
                statements = f"{statements} / {'—' if typical is None else typical}"
            lines.append(
                f"| {entry['name']} | {'' if statements is None else statements} |"
                f" {run['connections']} | {http.shown(run['p50_ms'])} |"
                f" {http.shown(run['p95_ms'])} | {http.shown(run['p99_ms'])} | {run['rps']} |"
                f" {ratio} |"
                f" {http.errors_shown(run)} |"
            )
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------- main


async def main(args: argparse.Namespace) -> int:
    """Run the phases and write the results."""
    env = bench_env()
    os.environ.update({k: env[k] for k in ("DATABASE_URL", "REDIS_URL", "VAR_DIR", "SECRET_KEY")})
    os.environ["APP_ENV"] = "production"
    from bench import dataset

    ensure_wrk()
    results: dict[str, Any] = {
        "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": dataset.machine(),
        "load_before": dataset.load_average(),
        "web_workers": WEB_WORKERS,
        "seconds_per_run": args.seconds,
        "server": args.server,
    }
    timings: dict[str, float] = {}
    results["rows"] = await dataset.ensure_dataset(DATABASE_URL, env, args.reload, timings)
    results.update(timings)
    results["postgres"] = await dataset.postgres_info(DATABASE_URL)
    from inspect_app.db import close_pool, start_pool

    await start_pool()
    try:
        if args.only in (None, "jobs"):
            await run_jobs(results)
        if args.only in (None, "http"):
            await run_http(
                results, args.seconds, env, args.match, args.server, args.writes_per_second
            )
    finally:
        await close_pool()
    results["load_after"] = dataset.load_average()
    results["finished_at"] = datetime.now(UTC).isoformat(timespec="seconds")
    results["verdicts"] = verdicts(results)
    RESULTS.mkdir(exist_ok=True)
    name = "latest" if args.only is None else f"latest-{args.only}"
    if args.server != "uvicorn":
        name += f"-{args.server}"
    if args.writes_per_second:
        results["writes_per_second"] = args.writes_per_second
        name += f"-writes-{args.writes_per_second:g}"
    (RESULTS / f"{name}.json").write_text(json.dumps(results, indent=2, default=str) + "\n")
    table = markdown(results)
    (RESULTS / f"{name}.md").write_text(table)
    print("\n" + table)
    return 0


def _stop_on_sigterm() -> None:
    # SIGTERM (e.g. from `timeout`) unwinds like Ctrl-C, so the servers started are stopped.
    import signal

    def handler(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, handler)


def cli() -> int:
    """Parse the command line and run."""
    from bench import http

    _stop_on_sigterm()
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=int, default=10, help="length of each wrk run")
    parser.add_argument("--only", choices=("jobs", "http"), help="run one phase only")
    parser.add_argument("--reload", action="store_true", help="drop and reload inspect_bench")
    parser.add_argument(
        "--match",
        default="",
        help="HTTP: only the endpoints whose name contains this (and the bare reference)",
    )
    parser.add_argument(
        "--writes-per-second",
        type=float,
        default=0,
        help="HTTP: payments recorded through the API at this rate while each endpoint is"
        " loaded (every one moves the data version); results in latest-http-writes-N.*",
    )
    parser.add_argument(
        "--server",
        choices=sorted(http.SERVERS),
        default="uvicorn",
        help="HTTP: the server of the app and of the bare reference (uvicorn in production)",
    )
    return asyncio.run(main(parser.parse_args()))


if __name__ == "__main__":
    sys.exit(cli())
