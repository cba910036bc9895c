"""A test that never ends fails the run instead of hanging it (pytest-timeout)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[2]

ENDLESS_CLOCK = """
from datetime import date, timedelta

import pytest

from inspect_app.domain import clock
from inspect_app.domain.holidays import default_calendar


def test_a_clock_whose_days_do_not_advance(monkeypatch: pytest.MonkeyPatch) -> None:
    # The fault a mutation tool makes of `day += _ONE_DAY`: counting from a Sunday in
    # working days, the clock never reaches a working day and never returns.
    monkeypatch.setattr(clock, "_ONE_DAY", timedelta(0))
    clock.count_forward(
        date(2026, 3, 1), 5, working_days=True, calendar=default_calendar(), include_start=True
    )


def test_the_next_test_still_runs() -> None:
    assert True
"""


def test_the_suite_has_a_default_timeout_per_test(pytestconfig: pytest.Config) -> None:
    assert pytestconfig.pluginmanager.hasplugin("timeout")
    assert float(pytestconfig.getini("timeout")) == 60
    # "signal" fails the one test and goes on; "thread" would end the whole run.
    assert pytestconfig.getini("timeout_method") == "signal"


def test_a_plain_test_runs_under_the_default(request: pytest.FixtureRequest) -> None:
    assert request.node.get_closest_marker("timeout") is None


@pytest.mark.slow
def test_slow_and_browser_tests_get_a_longer_timeout(request: pytest.FixtureRequest) -> None:
    marker = request.node.get_closest_marker("timeout")
    assert marker is not None and marker.args == (300,)


def test_an_endless_loop_in_the_legal_clock_fails_its_test_and_the_run_goes_on(
    tmp_path: Path,
) -> None:
    test_file = tmp_path / "test_endless_clock.py"
    test_file.write_text(ENDLESS_CLOCK, encoding="utf-8")
    # The project's own pytest configuration, with the limit shortened to keep this quick.
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-c",
            str(PROJECT_ROOT / "pyproject.toml"),
            "--rootdir",
            str(tmp_path),
            "-p",
            "no:cacheprovider",
            "-o",
            "timeout=2",
            str(test_file),
        ],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert "Failed: Timeout (>2.0s)" in output, output
    assert "1 failed, 1 passed" in output, output
    # The traceback points at the loop that never ended.
    assert "count_forward" in output, output
