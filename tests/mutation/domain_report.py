"""The verdict of a mutmut run over inspect_app/domain/: ``python -m tests.mutation.domain_report``.

``mutmut run`` (``make mutate-domain``) leaves the outcome of every mutant in
``mutants/**/*.py.meta``. This reads them and fails when

- a mutant was not checked, or no test covers it ("no tests"),
- the kill rate is below ``--fail-under`` (95 % by default),
- a mutant survives that tests/mutation/accepted.py does not list with a reason, or
- a mutant listed there is killed now (the list is kept exact).

``--only PATTERN`` judges the mutants whose names match (the short run of ``make mutate-ci``).

A mutant that makes the tests time out counts as killed: the suite caught it.
"""

from __future__ import annotations

import argparse
import fnmatch
import json
import sys
from collections import Counter
from pathlib import Path

from tests.mutation.accepted import DOMAIN_SURVIVORS

PROJECT_ROOT = Path(__file__).resolve().parents[2]
MUTANTS_DIR = PROJECT_ROOT / "mutants" / "inspect_app" / "domain"

# mutmut's exit codes (mutmut/stats.py): what counts as caught.
KILLED = {1, 3, 36, 37, -24, 24, 152, 255}
SURVIVED = {0}


def outcomes(directory: Path) -> dict[str, int | None]:
    """Mutant name → mutmut's exit code for it (None: not checked)."""
    found: dict[str, int | None] = {}
    for meta in sorted(directory.rglob("*.py.meta")):
        data = json.loads(meta.read_text(encoding="utf-8"))
        found.update(data["exit_code_by_key"])
    return found


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.mutation.domain_report")
    parser.add_argument("--fail-under", type=float, default=95.0, help="minimum kill rate (%%)")
    parser.add_argument("--mutants", type=Path, default=MUTANTS_DIR)
    parser.add_argument(
        "--only", action="append", default=[], help="mutant names matching this pattern"
    )
    args = parser.parse_args(argv)

    results = outcomes(args.mutants)
    if args.only:
        results = {
            name: code
            for name, code in results.items()
            if any(fnmatch.fnmatch(name, pattern) for pattern in args.only)
        }
    if not results:
        print(f"FAIL: no mutmut results under {args.mutants}: run `make mutate-domain`")
        return 1
    killed = sorted(name for name, code in results.items() if code in KILLED)
    survived = sorted(name for name, code in results.items() if code in SURVIVED)
    other = sorted(name for name, code in results.items() if code not in KILLED | SURVIVED)
    rate = 100.0 * len(killed) / len(results)
    by_module = Counter(name.rsplit(".", 1)[0].split(".x")[0] for name in survived)
    print(f"domain: {len(killed)} of {len(results)} mutants killed ({rate:.1f} %)")
    for module, count in sorted(by_module.items()):
        print(f"  {module}: {count} survived")

    failures: list[str] = []
    for name in survived:
        reason = DOMAIN_SURVIVORS.get(name)
        print(f"  survived {name}: {'accepted: ' + reason if reason else 'NOT ACCEPTED'}")
        if reason is None:
            failures.append(f"{name} survived (`mutmut show {name}` shows it)")
    for name in other:
        failures.append(f"{name} was not judged (mutmut exit code {results[name]})")
    accepted = {name for name in DOMAIN_SURVIVORS if name in results or not args.only}
    for name in sorted(accepted - set(survived)):
        failures.append(f"accepted survivor no longer survives, remove it from accepted.py: {name}")
    if rate < args.fail_under:
        failures.append(f"kill rate {rate:.1f} % is below {args.fail_under:.0f} %")
    for failure in failures:
        print("FAIL: " + failure)
    print("OK" if not failures else f"{len(failures)} problem(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
