"""A pytest plugin that runs the selected tests against every SQL mutant of the counters.

Loaded with ``-p tests.mutation.sql_plugin --sql-mutants`` (``python -m
tests.mutation.sql_counters`` does it). The tests that use the database are run first on the
counters as written (they must all pass), then once per mutant, with the mutant's statement
swapped into the counters' dict for the duration of each test. Tests without a database run
once, on the SQL as written. A mutant is killed by the first test that fails on it; its other
tests are not run. The tests that have killed most mutants so far are tried first. The
outcome per mutant is written as JSON to ``--sql-mutants-report``.
"""

from __future__ import annotations

import json
import random
import time
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.mutation.sql_mutants import Mutant, all_mutants, counter_statements

ORIGINAL = "original"


@dataclass
class _State:
    mutants: dict[str, Mutant] = field(default_factory=dict)
    order: list[str] = field(default_factory=list)
    killed: dict[str, str] = field(default_factory=dict)  # mutant id -> the test that killed it
    tests_run: Counter[str] = field(default_factory=Counter)
    kills_by_test: Counter[str] = field(default_factory=Counter)
    baseline_failures: list[str] = field(default_factory=list)
    current: str = ORIGINAL
    started: float = field(default_factory=time.monotonic)


# The run's state: one pytest session per process.
_ACTIVE: list[_State] = []


def _state() -> _State | None:
    return _ACTIVE[0] if _ACTIVE else None


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("sql-mutants", "mutation testing of the counters' SQL")
    group.addoption("--sql-mutants", action="store_true", help="run the tests on every mutant")
    group.addoption(
        "--sql-mutants-table",
        action="append",
        default=[],
        help="only the mutants of this statement (inspections, checks, implementation)",
    )
    group.addoption(
        "--sql-mutants-sample", type=int, default=0, help="a random sample of this many mutants"
    )
    group.addoption("--sql-mutants-seed", type=int, default=15, help="seed of the sample")
    group.addoption("--sql-mutants-only", action="append", default=[], help="only these ids")
    group.addoption("--sql-mutants-report", default="", help="write the outcome here (JSON)")


def select_mutants(tables: list[str], only: list[str], sample: int, seed: int) -> list[Mutant]:
    """The mutants of the named statements (all by default), or a seeded random sample."""
    mutants = all_mutants(counter_statements())
    if tables:
        unknown = set(tables) - {m.table for m in mutants}
        if unknown:
            raise pytest.UsageError(f"no counter statement named {sorted(unknown)}")
        mutants = [m for m in mutants if m.table in tables]
    if only:
        mutants = [m for m in mutants if m.short_id in only]
    if sample and sample < len(mutants):
        chosen = set(random.Random(seed).sample(range(len(mutants)), sample))
        mutants = [m for i, m in enumerate(mutants) if i in chosen]
    return mutants


def pytest_configure(config: pytest.Config) -> None:
    if config.getoption("sql_mutants"):
        _ACTIVE[:] = [_State()]


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    state = _state()
    # Only the tests on the database can see the SQL.
    if state is None or "db" not in metafunc.fixturenames:
        return
    if not state.order:
        config = metafunc.config
        selected = select_mutants(
            config.getoption("sql_mutants_table"),
            config.getoption("sql_mutants_only"),
            config.getoption("sql_mutants_sample"),
            config.getoption("sql_mutants_seed"),
        )
        state.mutants = {m.short_id: m for m in selected}
        state.order = [ORIGINAL, *state.mutants]
    metafunc.parametrize("sql_mutant", state.order, indirect=True, ids=state.order)


def _mutant_of(item: pytest.Item) -> str:
    callspec = getattr(item, "callspec", None)
    return str(callspec.params.get("sql_mutant", ORIGINAL)) if callspec else ORIGINAL


def _test_of(item: pytest.Item) -> str:
    """The node id without the mutant parameter: the same test for every mutant."""
    mutant_id = _mutant_of(item)
    return item.nodeid.replace(f"[{mutant_id}]", "").replace(f"{mutant_id}-", "")


@pytest.hookimpl(tryfirst=True)
def pytest_runtestloop(session: pytest.Session) -> bool | None:
    """The tests as written first, then mutant by mutant, each until one test kills it."""
    state = _state()
    if state is None or session.config.option.collectonly:
        return None
    if session.testsfailed:
        raise session.Interrupted(f"{session.testsfailed} errors during collection")
    groups: dict[str, list[pytest.Item]] = {mutant_id: [] for mutant_id in state.order}
    groups.setdefault(ORIGINAL, [])
    for item in session.items:
        groups[_mutant_of(item)].append(item)

    def ordered(mutant_id: str) -> list[pytest.Item]:
        items = groups[mutant_id]
        if mutant_id == ORIGINAL:
            return items
        return sorted(items, key=lambda item: -state.kills_by_test[_test_of(item)])

    schedule = [mutant_id for mutant_id in groups if groups[mutant_id]]
    upcoming = ordered(schedule[0]) if schedule else []
    for position, mutant_id in enumerate(schedule):
        items = upcoming
        state.current = mutant_id
        for index, item in enumerate(items):
            if index + 1 < len(items):
                next_item: pytest.Item | None = items[index + 1]
            elif position + 1 < len(schedule):
                upcoming = ordered(schedule[position + 1])
                next_item = upcoming[0]
            else:
                next_item = None
            if mutant_id != ORIGINAL:
                state.tests_run[mutant_id] += 1
            item.config.hook.pytest_runtest_protocol(item=item, nextitem=next_item)
            if session.shouldfail or session.shouldstop:
                raise session.Interrupted(str(session.shouldfail or session.shouldstop))
            if mutant_id in state.killed:
                if index + 1 < len(items):
                    # The rest of this mutant's tests will not run: tear down what was kept
                    # for the next of them (a module of its own, say) unless the test that
                    # runs next needs it too, as pytest's own loop would have.
                    upcoming = (
                        ordered(schedule[position + 1]) if position + 1 < len(schedule) else []
                    )
                    session._setupstate.teardown_exact(upcoming[0] if upcoming else None)
                break
        if mutant_id == ORIGINAL and state.baseline_failures:
            break
    return True


@pytest.fixture(autouse=True)
def sql_mutant(request: pytest.FixtureRequest, _connection_pool: None) -> Iterator[Mutant | None]:
    """The mutant of the counters' SQL in force during this test (None: the SQL as written)."""
    state = _state()
    mutant_id = getattr(request, "param", ORIGINAL)
    if state is None or mutant_id == ORIGINAL:
        yield None
        return
    mutant = state.mutants[mutant_id]
    statements = counter_statements()
    written = statements[mutant.table]
    statements[mutant.table] = mutant.apply(written)
    try:
        yield mutant
    finally:
        statements[mutant.table] = written


@pytest.fixture(scope="session")
async def _connection_pool(migrated_database: str) -> AsyncIterator[None]:
    """One pool for the whole run, on the migrated database: the tests run hundreds of times."""
    if _state() is None:
        yield
        return
    from inspect_app.db import close_pool, start_pool

    await start_pool()
    try:
        yield
    finally:
        await close_pool()


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    state = _state()
    if state is None or not report.failed:
        return
    if state.current == ORIGINAL:
        state.baseline_failures.append(report.nodeid)
    elif state.current not in state.killed:
        state.killed[state.current] = report.nodeid
        state.kills_by_test[report.nodeid.replace(f"[{state.current}]", "")] += 1


def outcome(state: _State) -> dict[str, object]:
    """The JSON report: every mutant with the test that killed it (null: it survived)."""
    return {
        "baseline_failures": state.baseline_failures,
        "seconds": round(time.monotonic() - state.started, 1),
        "mutants": [
            {
                "id": mutant_id,
                "key": mutant.key,
                "table": mutant.table,
                "operator": mutant.operator,
                "description": mutant.describe(),
                "killed_by": state.killed.get(mutant_id),
                "tests_run": state.tests_run[mutant_id],
            }
            for mutant_id, mutant in state.mutants.items()
        ],
    }


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    state = _state()
    if state is None:
        return
    path = session.config.getoption("sql_mutants_report")
    if path:
        Path(path).write_text(json.dumps(outcome(state), indent=1), encoding="utf-8")
    # Failing tests are how mutants die: the run itself failed only if the SQL as written
    # failed a test.
    if exitstatus == pytest.ExitCode.TESTS_FAILED and not state.baseline_failures:
        session.exitstatus = pytest.ExitCode.OK


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    state = _state()
    if state is None:
        return
    if state.baseline_failures:
        terminalreporter.write_line(
            "SQL mutants: not counted, the tests fail on the SQL as written: "
            + ", ".join(state.baseline_failures),
            red=True,
        )
        return
    terminalreporter.write_line(f"SQL mutants: {len(state.killed)} of {len(state.mutants)} killed")
