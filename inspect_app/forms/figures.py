"""The query string of the records behind a dashboard figure (``/figures``)."""

from __future__ import annotations

from inspect_app.domain.periods import InvalidPeriod, parse_period
from inspect_app.errors import InvalidInput
from inspect_app.forms.common import CHOOSE_AGENCY, int_or_none
from inspect_app.schemas.bounds import MAX_ID
from inspect_app.services.counter_records import COUNTERS, MAX_PAGE, RecordRequest


def figure_request(
    counter: str | None, period: str | None, agency_id: str | None, page: str | None
) -> RecordRequest:
    """The request of a page of records, or InvalidInput naming each field that is wrong."""
    errors: dict[str, str] = {}
    chosen = counter or ""
    if chosen not in COUNTERS:
        errors["counter"] = "Choose a value from the list."
    try:
        parsed = parse_period(period or "")
    except InvalidPeriod:
        errors["period"] = "Enter a period such as 2026-Q1 or 2026-6M."
    agency = int_or_none(agency_id) if agency_id else None
    if agency_id and (agency is None or not 1 <= agency <= MAX_ID):
        errors["agency_id"] = CHOOSE_AGENCY
    number = int_or_none(page) if page else 1
    if number is None or not 1 <= number <= MAX_PAGE:
        errors["page"] = "Enter a whole number from 1 to 10000."
    if errors:
        raise InvalidInput(errors)
    return RecordRequest(counter=chosen, period=parsed, agency_id=agency, page=number or 1)
