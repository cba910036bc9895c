"""Reading the document frame stored on a report (services.report_document.stored_frame)."""

from __future__ import annotations

import pytest

from inspect_app.services.report_document import stored_frame


def test_no_frame_is_none() -> None:
    assert stored_frame(None) is None
    assert stored_frame({}) is None
    assert stored_frame("not an object") is None


def test_a_frame_that_does_not_read_is_none_and_said(caplog: pytest.LogCaptureFixture) -> None:
    # One damaged row must not take the whole list of reports down with it.
    assert stored_frame({"signed": "perhaps"}) is None
    assert "report document frame not readable" in caplog.text
