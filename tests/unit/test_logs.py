"""The app's loggers write to stderr once: JSON lines as they are, the rest with time,
level and logger name; a handler the deployment set is kept."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import pytest

from inspect_app import logs


@pytest.fixture
def fresh_loggers() -> Iterator[None]:
    saved = {}
    for name in logs.ROOTS:
        logger = logging.getLogger(name)
        saved[name] = (logger.handlers[:], logger.level)
        logger.handlers.clear()
        logger.setLevel(logging.NOTSET)
    yield
    for name, (handlers, level) in saved.items():
        logger = logging.getLogger(name)
        logger.handlers[:] = handlers
        logger.setLevel(level)


def _stderr(monkeypatch: pytest.MonkeyPatch) -> io.StringIO:
    # Set in the test itself: pytest puts its own capture back on sys.stderr after setup.
    stream = io.StringIO()
    monkeypatch.setattr("sys.stderr", stream)
    return stream


@pytest.mark.usefixtures("fresh_loggers")
def test_json_lines_as_they_are_and_other_records_with_their_level(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    stream = _stderr(monkeypatch)
    logs.configure()
    logs.configure()  # a second app in the same process adds no second handler
    logging.getLogger("inspect_app.requests").info('{"request_id":"ab12cd34ef56ab78"}')
    logging.getLogger("jobs.deadlines").info("deadline watch for %s", "2026-03-21")
    logging.getLogger("inspect_app.services.mailer").debug("not shown below INFO")
    lines = stream.getvalue().splitlines()
    assert lines[0] == '{"request_id":"ab12cd34ef56ab78"}'
    assert lines[1].endswith(" INFO jobs.deadlines: deadline watch for 2026-03-21")
    assert len(lines) == 2


@pytest.mark.usefixtures("fresh_loggers")
def test_a_handler_the_deployment_set_is_kept() -> None:
    own = logging.StreamHandler(io.StringIO())
    logging.getLogger("inspect_app").addHandler(own)
    logs.configure()
    assert logging.getLogger("inspect_app").handlers == [own]
    assert len(logging.getLogger("jobs").handlers) == 1
