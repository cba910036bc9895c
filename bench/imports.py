"""``make bench-import``: a big legacy workbook through the import, on PostgreSQL.

    .venv/bin/python -m bench.imports [--cases 10000] [--keep]

1. Writes one workbook (openpyxl, write-only) with ``--cases`` cases, 3 findings, 4
   recommendations and 3 executions per case, a subject per case: 10,000 / 30,000 / 40,000 /
   30,000 rows at the default scale (issue 18's target), dates as Excel dates, money in đồng.
2. In a fresh child process (so that its peak RSS is the import's, not the generator's), on
   a scratch database ``inspect_bench_import`` (created, migrated, emptied): the dry run and
   the commit exactly as the job runs them (``services.imports.work_run``), each timed; then
   a re-import of the same file (everything unchanged) and the rollback of the first.
3. Prints the figures and writes bench/results/import.json.

The child reports its peak resident set size (``ru_maxrss``) after each step.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import random
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).parent / "results"
SERVER_URL = os.environ.get("BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432")
DATABASE = "inspect_bench_import"
VAR_DIR = Path(os.environ.get("BENCH_VAR_DIR", "/tmp/inspect-bench-var")) / "import"

CASE_HEADER = [
    "Số quyết định thanh tra",
    "Ngày quyết định",
    "Tên cuộc thanh tra",
    "Hình thức",
    "Ngày công bố",
    "Ngày kết thúc trực tiếp",
    "Số kết luận",
    "Ngày kết luận",
]
SUBJECT_HEADER = ["Số quyết định thanh tra", "Tên đối tượng", "Mã số thuế", "Loại đối tượng"]
FINDING_HEADER = [
    "Số quyết định thanh tra",
    "Mã phát hiện",
    "Lĩnh vực",
    "Nội dung vi phạm",
    "Số tiền vi phạm (đồng)",
]
MEASURE_HEADER = [
    "Số quyết định thanh tra",
    "Mã kiến nghị",
    "Mã phát hiện",
    "Loại kiến nghị",
    "Nội dung kiến nghị",
    "Số tiền kiến nghị (đồng)",
    "Thời hạn",
]
EXECUTION_HEADER = [
    "Số quyết định thanh tra",
    "Mã kiến nghị",
    "Ngày thực hiện",
    "Số tiền đã thu hồi (đồng)",
    "Số văn bản",
]


def write_workbook(path: Path, cases: int, seed: int = 18) -> dict[str, int]:
    """The benchmark workbook; the number of rows per sheet."""
    from openpyxl import Workbook

    rng = random.Random(seed)
    book = Workbook(write_only=True)
    sheets = {
        name: book.create_sheet(name)
        for name in ("Cuộc thanh tra", "Đối tượng", "Phát hiện", "Kiến nghị", "Thực hiện")
    }
    for sheet, header in zip(
        sheets.values(),
        (CASE_HEADER, SUBJECT_HEADER, FINDING_HEADER, MEASURE_HEADER, EXECUTION_HEADER),
        strict=True,
    ):
        sheet.append(header)
    counts = dict.fromkeys(sheets, 0)
    for n in range(1, cases + 1):
        year = 2016 + n % 9
        decided = dt.date(year, 1, 2) + dt.timedelta(days=rng.randint(0, 300))
        announced = decided + dt.timedelta(days=rng.randint(2, 10))
        ended = announced + dt.timedelta(days=rng.randint(20, 45))
        concluded = ended + dt.timedelta(days=rng.randint(15, 60))
        number = f"{n}/QĐ-TTr"
        sheets["Cuộc thanh tra"].append(
            [
                number,
                decided,
                f"Thanh tra chuyên đề số {n}",
                "Theo kế hoạch" if n % 5 else "Đột xuất",
                announced,
                ended,
                f"{n}/KL-TTr",
                concluded,
            ]
        )
        sheets["Đối tượng"].append(
            [number, f"Công ty TNHH Số {n}", f"{5700000000 + n}", "Doanh nghiệp"]
        )
        counts["Cuộc thanh tra"] += 1
        counts["Đối tượng"] += 1
        for f in range(1, 4):
            amount = rng.randint(10, 5_000) * 1_000_000
            sheets["Phát hiện"].append(
                [number, f"PH{f}", "Tài chính, ngân sách", f"Sai phạm {f} của cuộc {n}", amount]
            )
            counts["Phát hiện"] += 1
        for m in range(1, 5):
            target = rng.randint(5, 2_000) * 1_000_000
            due = concluded + dt.timedelta(days=rng.randint(30, 180))
            sheets["Kiến nghị"].append(
                [
                    number,
                    f"KN{m}",
                    f"PH{1 + (m - 1) % 3}",
                    "Thu hồi về NSNN",
                    f"Thu hồi khoản {m} của cuộc {n}",
                    target,
                    due,
                ]
            )
            counts["Kiến nghị"] += 1
            if m <= 3:
                paid = concluded + dt.timedelta(days=rng.randint(1, 90))
                sheets["Thực hiện"].append(
                    [
                        number,
                        f"KN{m}",
                        min(paid, dt.date(2026, 11, 30)),
                        target // 2,
                        f"GNT {n}-{m}",
                    ]
                )
                counts["Thực hiện"] += 1
    book.save(path)
    return counts


def peak_rss_mb() -> float:
    """The peak resident set size of this process so far, in MB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def _child(path: Path) -> dict[str, Any]:
    """Runs in the child process: the import steps on the scratch database."""
    from piccolo.apps.migrations.commands.forwards import run_forwards

    from inspect_app.db import close_pool, start_pool
    from inspect_app.services import imports
    from models.tables import ALL_TABLES, Agency, ImportRun, Inspection

    await run_forwards("all")
    names = ", ".join(f'"{t._meta.tablename}"' for t in ALL_TABLES)
    await Agency.raw(f"TRUNCATE {names} RESTART IDENTITY CASCADE")
    await start_pool()
    figures: dict[str, Any] = {"rss_mb_start": round(peak_rss_mb(), 1)}
    try:
        agency = await Agency.insert(Agency(code="STC", name="Thanh tra tỉnh")).returning(Agency.id)
        agency_id = int(agency[0]["id"])
        await Agency.update({Agency.path: f"/{agency_id}/"}).where(Agency.id == agency_id)
        content = await asyncio.to_thread(path.read_bytes)

        async def step(name: str, run_id: int, expect: str) -> None:
            started = time.perf_counter()
            outcome = await imports.work_run(run_id)
            figures[f"{name}_s"] = round(time.perf_counter() - started, 2)
            figures[f"{name}_rss_mb"] = round(peak_rss_mb(), 1)
            assert outcome == expect, (name, outcome)

        first = await imports.create_run(agency_id, None, path.name, content)
        await step("dry_run", first, "checked")
        run = await ImportRun.select().where(ImportRun.id == first).first()
        assert run is not None, first
        figures["rows"] = run["rows_checked"]
        figures["problems"] = run["problem_count"]
        await ImportRun.update({ImportRun.status: "commit_queued"}).where(ImportRun.id == first)
        await step("commit", first, "committed")
        figures["cases_written"] = await Inspection.count()
        second = await imports.create_run(agency_id, None, path.name, content)
        await step("reimport_check", second, "checked")
        await ImportRun.update({ImportRun.status: "commit_queued"}).where(ImportRun.id == second)
        await step("reimport_commit", second, "committed")
        figures["cases_after_reimport"] = await Inspection.count()
        await imports.rollback_committed(second, agency_id)
        started = time.perf_counter()
        await imports.rollback_committed(first, agency_id)
        figures["rollback_s"] = round(time.perf_counter() - started, 2)
        figures["cases_after_rollback"] = await Inspection.count()
        figures["peak_rss_mb"] = round(peak_rss_mb(), 1)
    finally:
        await close_pool()
    return figures


def _database_url() -> str:
    return f"{SERVER_URL}/{DATABASE}"


def _ensure_database() -> None:
    import asyncpg

    async def create() -> None:
        connection = await asyncpg.connect(f"{SERVER_URL}/postgres")
        try:
            exists = await connection.fetchval(
                "SELECT 1 FROM pg_database WHERE datname = $1", DATABASE
            )
            if not exists:
                await connection.execute(f'CREATE DATABASE "{DATABASE}"')
        finally:
            await connection.close()

    asyncio.run(create())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--child", default="", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(asyncio.run(_child(Path(args.child)))))
        return 0
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    path = VAR_DIR / f"bench-{args.cases}.xlsx"
    started = time.perf_counter()
    counts = write_workbook(path, args.cases)
    print(
        f"workbook: {path} ({path.stat().st_size / 1e6:.1f} MB) in "
        f"{time.perf_counter() - started:.1f} s: {counts}"
    )
    _ensure_database()
    env = os.environ | {
        "DATABASE_URL": _database_url(),
        "VAR_DIR": str(VAR_DIR),
        "APP_ENV": "development",
        "SECRET_KEY": "bench-import-secret-key-0123456789abcdef",
    }
    env.pop("REDIS_URL", None)
    result = subprocess.run(
        [sys.executable, "-m", "bench.imports", "--child", str(path)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        print(result.stdout[-3000:], result.stderr[-3000:], file=sys.stderr)
        return 1
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    figures["sheets"] = counts
    figures["workbook_mb"] = round(path.stat().st_size / 1e6, 1)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "import.json").write_text(json.dumps(figures, indent=2, ensure_ascii=False) + "\n")
    for key, value in figures.items():
        print(f"{key}: {value}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
