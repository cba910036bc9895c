"""The follow-up board's filters from the page's query string, and how much of a group shows."""

from __future__ import annotations

from typing import Any

from inspect_app.exceptions import InvalidInput
from inspect_app.forms.common import CHOOSE_AGENCY, OFF_VALUES
from inspect_app.services.follow_ups import BoardFilter, check_filter

# A group shows its soonest deadlines; the rest are a link away (the exports hold them all).
GROUP_PREVIEW = 10


def board_filter(
    agency_id: str | None, include_sub: str | None, state: str | None, responsible: str | None
) -> tuple[BoardFilter, dict[str, str]]:
    """The board filter from the page's query string; bad values come back as errors."""
    errors: dict[str, str] = {}
    agency: int | None = None
    if agency_id:
        if agency_id.isdigit():
            agency = int(agency_id)
        else:
            errors["agency_id"] = CHOOSE_AGENCY
    sub = include_sub not in OFF_VALUES
    try:
        board = check_filter(agency, sub, state, responsible)
    except InvalidInput as exc:
        errors.update(exc.errors)
        board = BoardFilter(agency, sub, "open", None)
    return board, errors


def preview_groups(
    groups: list[dict[str, Any]], expanded: str | None, limit: int = GROUP_PREVIEW
) -> list[dict[str, Any]]:
    """Groups with at most ``limit`` rows shown each, except the one ``expanded`` by name.

    A group holds ``rows`` (at least the ones to show) and may hold ``count``, the number of
    all its deadlines (default: its rows). Each group gets ``count``, ``shown`` (the rows to
    show), ``hidden`` (how many are left out) and ``collapsible`` (shown whole although
    longer than ``limit``).
    """
    previews = []
    for group in groups:
        rows = group["rows"]
        count = group.get("count", len(rows))
        whole = group["unit_name"] == expanded
        shown = rows if whole else rows[:limit]
        previews.append(
            {
                **group,
                "count": count,
                "shown": shown,
                "hidden": count - len(shown),
                "collapsible": whole and count > limit,
            }
        )
    return previews
