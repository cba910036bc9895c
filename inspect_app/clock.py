"""The current date and time in the configured time zone (Asia/Ho_Chi_Minh by default)."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from inspect_app.settings import get_settings


def now() -> datetime:
    """The current time, aware, in the configured time zone."""
    return datetime.now(ZoneInfo(get_settings().time_zone))


def today() -> date:
    """Today's date where the inspectorate is (not UTC: 06:00 in Hà Nội is still 'today')."""
    return now().date()
