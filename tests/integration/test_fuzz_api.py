"""The whole JSON API under Schemathesis with every check, as an admin and as a head.

Runs the ``schemathesis run`` command (the same one docs/security.md shows) against the live
server, over every /api operation except signing out and deleting a token (the run would
revoke its own credentials), with all checks on. The rules held here: no answer ≥ 500 and
no status code the schema does not declare (ST101, ST103). The other checks' findings are
printed with the run's summary, not asserted: schema-valid filters that name nothing in the
caller's scope, for instance, are refused on purpose.

``FUZZ_EXAMPLES`` sets the examples per operation (50 by default, as in ``make fuzz``, which
also draws a new seed each run; the suite keeps the fixed one).
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.authz.world import World, build_world

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "50"))
SEED = os.environ.get("FUZZ_SEED", "20261205")
# Failures that must never happen: a server error, a status the schema does not declare.
FORBIDDEN = {"ST101": "Server error", "ST103": "Undocumented status code"}
EXCLUDED = ["--exclude-path", "/api/auth/logout", "--exclude-path-regex", r"^/api/tokens/\{"]


@pytest.fixture(scope="module")
def fuzz_world(migrated_database: str) -> World:
    """Records inside and outside the callers' scope, committed for the server to find."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(lambda: asyncio.run(build_world())).result()


def run_schemathesis(base_url: str, token: str, report: Path) -> dict[str, object]:
    """``schemathesis run --checks all`` over /api; the JSON run report."""
    command = [
        str(Path(sys.executable).with_name("schemathesis")),
        "run",
        f"{base_url}/schema/openapi.json",
        "--checks",
        "all",
        "--max-examples",
        str(EXAMPLES),
        "--seed",
        SEED,
        "--header",
        f"Authorization: Bearer {token}",
        "--include-path-regex",
        "^/api/",
        *EXCLUDED,
        "--request-timeout",
        "30",
        "--workers",
        "2",
        "--no-color",
        "--report",
        "json",
        "--report-json-path",
        str(report),
    ]
    # Its crash cache (.schemathesis/) goes to the scratch folder, not the checkout.
    done = subprocess.run(
        command, capture_output=True, text=True, timeout=1800, check=False, cwd=report.parent
    )
    print(done.stdout)
    assert report.exists(), done.stderr[-3000:] or done.stdout[-3000:]
    result: dict[str, object] = json.loads(report.read_text())
    return result


@pytest.mark.slow
@pytest.mark.timeout(1800)
@pytest.mark.parametrize("role", ["head", "admin"])
def test_whole_api_answers_no_5xx_and_only_declared_statuses(
    role: str, live_server: str, fuzz_world: World, tmp_path: Path
) -> None:
    result = run_schemathesis(live_server, fuzz_world.bearer[role], tmp_path / "run.json")
    operations = result["operations"]
    assert isinstance(operations, dict) and operations["tested"] >= 55, operations
    failures = result["failures"]
    assert isinstance(failures, list)
    forbidden = [
        f"{item['code']} {item['title']}: {item['count']} in {item['operations']}"
        for item in failures
        if item["code"] in FORBIDDEN
    ]
    assert forbidden == [], "\n".join(forbidden)
