"""The query string of the records behind a figure of the dashboard or a report (``/figures``)."""

from __future__ import annotations

from datetime import date

from inspect_app.domain import report_layout as rl
from inspect_app.domain.periods import InvalidPeriod, Period, parse_period
from inspect_app.errors import InvalidInput
from inspect_app.forms.common import CHOOSE_AGENCY, int_or_none
from inspect_app.forms.reports import period_option, period_options
from inspect_app.i18n import translate
from inspect_app.schemas.bounds import MAX_ID
from inspect_app.services.counter_records import COUNTERS, MAX_PAGE, RecordRequest
from inspect_app.services.totals import COUNTER_KEYS

Options = list[tuple[str, list[tuple[str, str]]]]


def figure_request(
    counter: str | None,
    period: str | None,
    agency_id: str | None,
    page: str | None,
    own: str | None = None,
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
    if own not in (None, "", "0", "1"):
        errors["own"] = "Choose a value from the list."
    if errors:
        raise InvalidInput(errors)
    return RecordRequest(
        counter=chosen, period=parsed, agency_id=agency, own=own == "1", page=number or 1
    )


def counter_options(period: Period, lang: str) -> Options:
    """Every figure of the report, grouped by table as the period's layout heads them."""
    groups: Options = []
    for table in rl.layout_for(period.end).tables:
        options = [
            (f"{table.counters}.{key}", " › ".join(rl.column_path(table, key, lang)) or key)
            for key in COUNTER_KEYS[table.counters]
        ]
        groups.append((table.title(lang), options))
    return groups


def figure_period_options(today: date, lang: str, chosen: str | None) -> Options:
    """The periods to choose from (those a report can be made for), and the chosen one when
    it is older: a report of an earlier year links here too."""
    groups = period_options(today, lang)
    offered = {code for _, options in groups for code, _ in options}
    try:
        period = parse_period(chosen or "")
    except InvalidPeriod:
        return groups
    if period.code in offered:
        return groups
    group = f"{translate('Report year', lang)} {period.year}"
    return [(group, [(period.code, period_option(period, lang))]), *groups]
