"""Mutation testing of the report counters' SQL: ``python -m tests.mutation.sql_counters``.

Runs the counter tests (``COUNTER_TESTS``) on PostgreSQL once per SQL mutant (see
tests/mutation/sql_mutants.py for the faults, tests/mutation/sql_plugin.py for how they are
run), then prints the kill rate and every surviving mutant. It fails when

- the tests fail on the SQL as written,
- the kill rate is below ``--fail-under`` (95 % by default),
- a mutant survives that tests/mutation/accepted.py does not list with a reason, or
- (full runs only) a mutant listed there is killed now: the list is kept exact.

``--table`` limits the run to one statement, ``--sample N`` to a seeded random sample; both
are what CI runs (``make mutate-ci``). Like plain pytest, it finds or starts PostgreSQL and
Redis and claims a test database of its own (tests/conftest.py).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

from tests.mutation.accepted import SQL_SURVIVORS

PROJECT_ROOT = Path(__file__).resolve().parents[2]
COUNTER_TESTS = (
    "tests/integration/test_totals.py",
    "tests/integration/test_totals_boundaries.py",
)
DEFAULT_REPORT = PROJECT_ROOT / "var" / "mutation" / "sql-counters.json"


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m tests.mutation.sql_counters")
    parser.add_argument("--table", action="append", default=[], help="one statement only")
    parser.add_argument("--sample", type=int, default=0, help="a random sample of N mutants")
    parser.add_argument("--seed", type=int, default=15)
    parser.add_argument("--only", action="append", default=[], help="a mutant id")
    parser.add_argument("--fail-under", type=float, default=95.0, help="minimum kill rate (%%)")
    parser.add_argument("--report", type=Path, default=DEFAULT_REPORT)
    parser.add_argument("tests", nargs="*", default=list(COUNTER_TESTS))
    return parser.parse_args(argv)


def run(args: argparse.Namespace) -> dict[str, object]:
    """Run pytest with the plugin; the JSON outcome."""
    args.report.parent.mkdir(parents=True, exist_ok=True)
    args.report.unlink(missing_ok=True)
    command = [
        sys.executable,
        "-m",
        "pytest",
        "-p",
        "tests.mutation.sql_plugin",
        "--sql-mutants",
        f"--sql-mutants-report={args.report}",
        f"--sql-mutants-seed={args.seed}",
        "-q",
        "--tb=no",
        "-rN",
        "-p",
        "no:cacheprovider",
        *(f"--sql-mutants-table={table}" for table in args.table),
        *(f"--sql-mutants-only={mutant}" for mutant in args.only),
        *([f"--sql-mutants-sample={args.sample}"] if args.sample else []),
        *args.tests,
    ]
    print("$ " + " ".join(command[1:]), flush=True)
    completed = subprocess.run(command, cwd=PROJECT_ROOT, check=False)
    if not args.report.exists():
        raise SystemExit(f"pytest ended with exit code {completed.returncode} and no report")
    result: dict[str, object] = json.loads(args.report.read_text(encoding="utf-8"))
    result["exit_code"] = completed.returncode
    return result


def judge(result: dict[str, object], args: argparse.Namespace, seconds: float) -> int:
    """Print the verdict; 0 when the run meets every condition."""
    if result["baseline_failures"] or result["exit_code"] != 0:
        print(f"FAIL: the counter tests fail on the SQL as written: {result['baseline_failures']}")
        return 1
    mutants = result["mutants"]
    assert isinstance(mutants, list)
    survivors = [m for m in mutants if not m["killed_by"]]
    killed = len(mutants) - len(survivors)
    rate = 100.0 * killed / len(mutants) if mutants else 100.0
    full = not (args.table or args.sample or args.only)
    failures: list[str] = []
    print(
        f"\nSQL counters: {killed} of {len(mutants)} mutants killed ({rate:.1f} %)"
        f" in {seconds:.0f} s"
    )
    for mutant in survivors:
        reason = SQL_SURVIVORS.get(mutant["key"])
        print(f"  survived {mutant['id']} {mutant['description']}")
        print(f"      {'accepted: ' + reason if reason else 'NOT ACCEPTED'}")
        if reason is None:
            failures.append(f"mutant {mutant['id']} survived: {mutant['description']}")
    if full:
        keys = {m["key"] for m in mutants}
        surviving = {m["key"] for m in survivors}
        for key in sorted(set(SQL_SURVIVORS) - surviving):
            where = "is killed now" if key in keys else "is no longer generated"
            failures.append(f"accepted survivor {where}, remove it from accepted.py: {key}")
    if rate < args.fail_under:
        failures.append(f"kill rate {rate:.1f} % is below {args.fail_under:.0f} %")
    for failure in failures:
        print("FAIL: " + failure)
    print("OK" if not failures else f"{len(failures)} problem(s)")
    return 1 if failures else 0


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    started = time.monotonic()
    result = run(args)
    return judge(result, args, time.monotonic() - started)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
