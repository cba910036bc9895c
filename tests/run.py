"""Run the test suite the way CI does: ``python -m tests.run [pytest args]``.

1. Make sure a PostgreSQL and a Redis server answer (see tests/services.py: the machine's
   servers, or throwaway embedded ones that are stopped when this command ends).
2. Run the whole suite on PostgreSQL (database ``inspect_test``, Redis database 15; the next
   free pair when another run holds those, see ``services.claim_test_targets``), with any
   extra arguments passed through to pytest.
3. Run the tests marked ``storage`` again on SQLite, in a temporary file.

Exits non-zero if either run fails or collects no tests (pytest's exit code 5).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from types import FrameType

from tests import services

PROJECT_ROOT = Path(__file__).resolve().parent.parent

PYTEST_EXIT_MEANINGS = {
    0: "passed",
    1: "tests failed",
    2: "interrupted",
    3: "internal error",
    4: "usage error",
    5: "no tests collected",
}


@dataclass(frozen=True)
class RunResult:
    """What one pytest run returned."""

    label: str
    exit_code: int
    seconds: float

    @property
    def ok(self) -> bool:
        # Exit code 5 (nothing collected) is a failure here: a run that tests nothing
        # must never turn CI green.
        return self.exit_code == 0

    def describe(self) -> str:
        meaning = PYTEST_EXIT_MEANINGS.get(self.exit_code, "failed")
        return f"{self.label}: {meaning} (exit {self.exit_code}, {self.seconds:.0f}s)"


def _stop_on_sigterm(signum: int, frame: FrameType | None) -> None:
    # Turn SIGTERM into SystemExit so that atexit stops the throwaway servers.
    raise SystemExit(128 + signum)


def run_pytest(label: str, args: list[str], env: dict[str, str]) -> RunResult:
    """Run pytest in a child process with ``env`` and report how it ended."""
    command = [sys.executable, "-m", "pytest", *args]
    print(f"\n=== {label}: {' '.join(command[1:])}", flush=True)
    started = time.monotonic()
    completed = subprocess.run(command, env=env, cwd=PROJECT_ROOT, check=False)
    return RunResult(label, completed.returncode, time.monotonic() - started)


def main(argv: list[str]) -> int:
    """Start the services, run both pytest passes and print a closing summary."""
    signal.signal(signal.SIGTERM, _stop_on_sigterm)
    targets = services.claim_test_targets()
    server_url = services.ensure_postgres()
    postgres_url = services.create_database(server_url, targets.database)
    redis_url = services.redis_db_url(services.ensure_redis(), targets.redis_db)
    print(f"PostgreSQL: {postgres_url}\nRedis: {redis_url}", flush=True)

    with tempfile.TemporaryDirectory(prefix="inspect-tests-") as scratch:
        base_env = dict(os.environ)
        postgres_env = base_env | services.app_environment(
            postgres_url, redis_url, Path(scratch) / "var-postgres"
        )
        sqlite_url = f"sqlite:///{Path(scratch) / 'test.sqlite3'}"
        sqlite_env = base_env | services.app_environment(
            sqlite_url, redis_url, Path(scratch) / "var-sqlite"
        )
        results = [
            run_pytest("PostgreSQL, whole suite", argv, postgres_env),
            run_pytest("SQLite, storage tests", ["-m", "storage"], sqlite_env),
        ]

    failed = [r for r in results if not r.ok]
    print("\n" + "=" * 78)
    for result in results:
        print(("  ok    " if result.ok else "  FAIL  ") + result.describe())
    verdict = "FAILED" if failed else "PASSED"
    print(f"tests.run {verdict}: " + "; ".join(r.describe() for r in results), flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
