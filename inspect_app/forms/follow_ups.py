"""The follow-up board's filters from the page's query string, and how much of a group shows."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from inspect_app.domain.text import ascii_digits
from inspect_app.errors import InvalidInput
from inspect_app.forms.common import CHOOSE_AGENCY, OFF_VALUES
from inspect_app.services.follow_ups import BoardFilter, Deadline, UnitGroup, check_filter

# A group shows its soonest deadlines; the rest are a link away (the exports hold them all).
GROUP_PREVIEW = 10


# The narrower filters of the board page, as typed in its query string.
EXTRA_FILTERS = (
    "measure_type",
    "overdue_days",
    "min_left_vnd",
    "inspection_id",
    "plan_year",
    "deadline_type",
)


def _whole(value: str, field: str, errors: dict[str, str], message: str) -> int | None:
    text = value.strip().replace(".", "").replace(" ", "")
    if not text:
        return None
    if not ascii_digits(text) or len(text) > 16:
        errors[field] = message
        return None
    return int(text)


def board_filter(
    agency_id: str | None,
    include_sub: str | None,
    state: str | None,
    responsible: str | None,
    extra: Mapping[str, str | None] | None = None,
) -> tuple[BoardFilter, dict[str, str]]:
    """The board filter from the page's query string; bad values come back as errors.

    ``extra`` holds the narrower filters (EXTRA_FILTERS) as typed: numbers may carry
    thousands dots ("500.000.000").
    """
    errors: dict[str, str] = {}
    agency: int | None = None
    if agency_id:
        if ascii_digits(agency_id) and len(agency_id) <= 10 and int(agency_id) <= 2**31 - 1:
            agency = int(agency_id)
        else:
            errors["agency_id"] = CHOOSE_AGENCY
    sub = include_sub not in OFF_VALUES
    raw = {key: (extra or {}).get(key) or "" for key in EXTRA_FILTERS}
    numbers = {
        "overdue_days": _whole(
            raw["overdue_days"], "overdue_days", errors, "Enter a number of days from 0 to 3650."
        ),
        "min_left_vnd": _whole(
            raw["min_left_vnd"], "min_left_vnd", errors, "Enter an amount of đồng from 0 to 10^15."
        ),
        "inspection_id": _whole(
            raw["inspection_id"], "inspection_id", errors, "Choose a case from the list."
        ),
        "plan_year": _whole(
            raw["plan_year"], "plan_year", errors, "Enter a year from 1990 to 2100."
        ),
    }
    try:
        board = check_filter(
            agency,
            sub,
            state,
            responsible,
            measure_type=raw["measure_type"].strip() or None,
            deadline_type=raw["deadline_type"].strip() or None,
            **{key: value for key, value in numbers.items() if key not in errors},
        )
    except InvalidInput as exc:
        errors.update(exc.errors)
        board = BoardFilter(agency, sub, "open", None)
    return board, errors


@dataclass(frozen=True)
class GroupPreview:
    """A group of the board as a page shows it: ``shown`` its rows to show, ``hidden`` how
    many of its deadlines are left out, ``collapsible`` when it is shown whole although
    longer than the preview."""

    group: UnitGroup
    shown: tuple[Deadline, ...]
    hidden: int
    collapsible: bool


def preview_groups(
    groups: list[UnitGroup], expanded: str | None, limit: int = GROUP_PREVIEW
) -> list[GroupPreview]:
    """Groups with at most ``limit`` rows shown each, except the one ``expanded`` by name."""
    previews = []
    for group in groups:
        whole = group.unit_name == expanded
        shown = group.rows if whole else group.rows[:limit]
        previews.append(
            GroupPreview(
                group=group,
                shown=shown,
                hidden=group.count - len(shown),
                collapsible=whole and group.count > limit,
            )
        )
    return previews


def board_filter_from_query(params: Mapping[str, str]) -> tuple[BoardFilter, dict[str, str]]:
    """:func:`board_filter` of a page's query string, read whole (the board's own keys)."""
    return board_filter(
        params.get("agency_id"),
        params.get("include_sub"),
        params.get("state"),
        params.get("responsible"),
        {key: params.get(key) for key in EXTRA_FILTERS},
    )
