"""The bench's own bookkeeping (bench/http.py, bench/run.py): what counts as a failed run,
and which request lines the statements column reads. No server, no database."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from bench import http
from bench.run import log_size, request_line, statements_under_load


def _run(**changes: Any) -> dict[str, Any]:
    run = {"requests": 100, "status_errors": 0, "socket_errors": 0, "timeout_s": 5}
    run.update(changes)
    return run


def test_a_queue_that_outlasts_the_timeout_fails_the_run(monkeypatch: Any) -> None:
    for drained, stalled in ((4.9, False), (5.0, True), (5.1, True)):
        monkeypatch.setattr(http, "drain", lambda port, d=drained: d)
        run = _run()
        http.settle(run, 8000)
        assert run["stalled"] is stalled, drained
        assert http.clean(run) is not stalled
    assert http.errors_shown(run) == "0, stalled 5.1 s"
    assert http.errors_shown(_run(status_errors=2, socket_errors=1), "errors") == "3 errors"


def test_no_request_completed_or_one_error_is_not_clean() -> None:
    assert http.clean(_run())
    assert not http.clean(_run(requests=0))
    assert not http.clean(_run(status_errors=1))
    assert not http.clean(_run(socket_errors=1))  # time-outs are counted among them


def _line(request_id: str, route: str, statements: int, method: str = "GET") -> str:
    return json.dumps(
        {"request_id": request_id, "method": method, "route": route, "statements": statements},
        separators=(",", ":"),
    )


def test_the_statements_are_those_of_the_request_itself(tmp_path: Path) -> None:
    log = tmp_path / "web.log"
    log.write_text(_line("before", "/inspections", 7) + "\n")
    offset = log_size(log)
    with log.open("a") as out:
        out.write("INFO some other line\n")
        out.write(_line("mine", "/inspections", 11) + "\n")
        out.write(_line("later", "/health", 0) + "\n")  # the newest line is another's
        out.write('{"request_id":"cut')  # a line cut where the file ended
    found = request_line(log, "mine", offset, wait_s=0)
    assert found is not None and found["statements"] == 11
    assert request_line(log, "before", offset, wait_s=0) is None  # before the offset
    assert request_line(log, "", offset) is None  # no id: no wait, no line


def test_under_load_the_median_of_the_same_route_and_method(tmp_path: Path) -> None:
    log = tmp_path / "web.log"
    lines = [
        _line("a", "/inspections", 0),
        _line("b", "/inspections", 0),
        _line("c", "/inspections", 9),
        _line("d", "/health", 2),
        _line("e", "/inspections", 5, method="POST"),
    ]
    log.write_text("\n".join(lines) + "\n")
    assert statements_under_load(log, 0, "GET", "/inspections") == 0
    assert statements_under_load(log, 0, "GET", "/cases") is None
    assert statements_under_load(tmp_path / "missing.log", 0, "GET", "/inspections") is None
