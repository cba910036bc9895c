"""Report forms: the request form (agency, year and kind of period) and numeric fields."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def optional_int(raw: str | None) -> int | None:
    """A whole number typed in a form or query string; None when empty or not a number."""
    try:
        return int(raw) if raw not in (None, "") else None
    except ValueError:
        return None


def report_request(data: Mapping[str, str]) -> tuple[int | None, str, dict[str, Any]]:
    """The agency and period ("2026-Q1") asked for, and the form as it is shown back."""
    year, kind = data.get("year", "").strip(), data.get("kind", "").strip()
    shown = {"agency_id": data.get("agency_id", ""), "year": year, "kind": kind}
    return optional_int(data.get("agency_id")), f"{year}-{kind}", shown


def request_errors(errors: Mapping[str, str]) -> dict[str, str]:
    """The service's errors placed on the form: a bad period is shown beside the year."""
    placed = dict(errors)
    if "period" in placed:
        placed["year"] = placed.pop("period")
    return placed
