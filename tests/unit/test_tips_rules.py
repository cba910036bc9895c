"""Tip rules: codes, deadlines, decisions, who sees a sender, the public form's limit."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from inspect_app.domain import tips as rules
from inspect_app.domain.holidays import default_calendar


def test_codes_are_ten_unambiguous_characters_and_differ() -> None:
    codes = {rules.new_code() for _ in range(2_000)}
    assert len(codes) == 2_000
    for code in codes:
        assert len(code) == rules.CODE_LENGTH
        assert set(code) <= set(rules.CODE_ALPHABET)
    assert not set("01IOL") & set(rules.CODE_ALPHABET)


def test_codes_as_typed() -> None:
    assert rules.normalise_code(" 7kq2 m9xh ta ") == "7KQ2M9XHTA"
    assert rules.normalise_code("7KQ2M9XHT") is None  # 9 characters
    assert rules.normalise_code("7KQ2M9XHTAA") is None  # 11
    assert rules.normalise_code("7KQ2M9XHT0") is None  # 0 is not in the alphabet
    assert rules.normalise_code("") is None


def test_due_days_from_the_environment() -> None:
    assert rules.parse_due_days(None) == rules.DEFAULT_DUE_DAYS
    assert rules.parse_due_days("denunciation=10")["denunciation"] == rules.TimeLimit(10, False)
    assert rules.parse_due_days("complaint=5w")["complaint"] == rules.TimeLimit(5, True)
    assert rules.parse_due_days("complaint=1, feedback=365")["feedback"].days == 365
    for bad in ("denunciation=0", "feedback=366", "gossip=5", "complaint=x", "complaint", "a=5w"):
        with pytest.raises(ValueError):
            rules.parse_due_days(bad)


def test_handling_due_on_the_legal_clock() -> None:
    calendar = default_calendar()
    limits = rules.DEFAULT_DUE_DAYS
    # A denunciation: 7 working days from the day after. Received Thursday 05/03/2026:
    # Fri 6, Mon 9 … Fri 13 is the 6th, Mon 16/03 the 7th.
    assert rules.handling_due("denunciation", date(2026, 3, 5), limits, calendar) == date(
        2026, 3, 16
    )
    # Over the Lunar New Year (16–20/02/2026 are holidays) it waits for the work to resume.
    assert rules.handling_due("denunciation", date(2026, 2, 13), limits, calendar) == date(
        2026, 3, 3
    )
    # Calendar days: the 10th day after, whatever it is.
    assert rules.handling_due("feedback", date(2026, 2, 20), limits, calendar) == date(2026, 3, 2)
    assert rules.handling_due("complaint", date(2026, 12, 28), limits, calendar) == date(2027, 1, 7)


def test_a_tip_is_decided_once() -> None:
    for outcome in rules.OUTCOMES:
        assert rules.decide("received", outcome) == outcome
    with pytest.raises(rules.IllegalDecision):
        rules.decide("accepted", "rejected")
    with pytest.raises(rules.IllegalDecision):
        rules.decide("received", "received")
    with pytest.raises(rules.IllegalDecision):
        rules.decide("received", "lost")


def test_who_sees_a_sender() -> None:
    assert rules.identity_visible("denunciation", "head", False)
    assert rules.identity_visible("denunciation", "lead", True)
    assert not rules.identity_visible("denunciation", "lead", False)
    assert not rules.identity_visible("denunciation", "admin", False)
    assert not rules.identity_visible("denunciation", "inspector", False)
    assert rules.identity_visible("complaint", "lead", False)
    assert not rules.identity_visible("feedback", "inspector", False)
    assert rules.identity_visible("feedback", "inspector", True)


def test_origin_source_of_a_case_from_a_tip() -> None:
    assert rules.origin_source("denunciation", "hotline") == "denunciation"
    assert rules.origin_source("complaint", "web") == "complaint"
    assert rules.origin_source("feedback", "hotline") == "hotline"
    assert rules.origin_source("feedback", "feedback_box") == "feedback_box"
    assert rules.origin_source("feedback", "web") == "other"


def test_the_limit_counts_the_last_hour_only() -> None:
    now = datetime(2026, 12, 5, 12, 0, tzinfo=UTC)
    nine = [now - timedelta(minutes=m) for m in range(9)]
    assert not rules.over_limit(nine, now)
    assert rules.over_limit([*nine, now - timedelta(minutes=59, seconds=59)], now)
    # One exactly an hour old no longer counts.
    assert not rules.over_limit([*nine, now - timedelta(hours=1)], now)


def test_the_reports_paragraph_on_tips() -> None:
    from inspect_app.services.report_runner import tips_paragraph

    assert "không tiếp nhận phản ánh, kiến nghị nào" in tips_paragraph({})
    text = tips_paragraph(
        {"hotline": {"accepted": 2, "received": 1}, "web": {"rejected": 1, "forwarded": 3}}
    )
    assert "tiếp nhận 7 phản ánh" in text
    assert "4 qua cổng thông tin, 3 qua đường dây nóng" in text
    assert "chuyển thành cuộc thanh tra 2" in text and "không thụ lý 1" in text
    assert "chuyển cơ quan có thẩm quyền 3" in text and "đang xử lý 1" in text
