"""The records behind a figure of the reports: the rows that add up to it.

Every counter of the report tables leads to a list of its records: the cases a count of
cases counts, the subjects, findings, recommendations or payments a sum adds up, each with
what it adds (1 for a count; đồng, hundredths of m² or people for a sum), and the count and
total of the whole list, which equal the figure. The dashboard's money figures and every
cell of the report page link here.

The rows are chosen by the counters' own SQL (services/totals.py): the same ``cases``,
``counted`` and ``concluded`` CTEs (tables 1 and 2) and the same ``due`` conclusions (table
3), so the rule of "which case counts in this period" is written once; only the last step
(which subject, finding, measure or payment of those cases, and what it adds) is spelled out
below, beside the counter it lists. ``tests/integration/test_counter_records.py`` compares
each list with its counter on the period boundaries and on every cell of the demo
province's reports.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import msgspec

from inspect_app.db import is_postgres
from inspect_app.domain import report_layout as rl
from inspect_app.domain.periods import Period
from inspect_app.principal import Principal
from inspect_app.services import agencies
from inspect_app.services.casework import stored_day, stored_id
from inspect_app.services.totals import (
    CASE_CONDITIONS,
    CASES_CTES,
    COUNTER_KEYS,
    IMPLEMENTATION_CTES,
    bind_periods,
    is_land,
    is_money,
)
from models.tables import Inspection

PAGE_SIZE = 100
MAX_PAGE = 10_000

# The agency subtree, filtered where the counters filter by a list of agency ids; or the
# agency's own records (a report's "own records" row).
_SUBTREE = "AND i.agency IN (SELECT ag.id FROM agency ag WHERE ag.path LIKE {})"
_OWN = "AND i.agency = {}"

_NONE = "CAST(NULL AS INTEGER)"


def _row(
    source: str,
    *,
    inspection: str = "c.id",
    subject: str = _NONE,
    finding: str = _NONE,
    measure: str = _NONE,
    execution: str = _NONE,
    day: str,
    value: str = "1",
    distinct: bool = False,
) -> str:
    """One record per row: what it is, its day and what it adds to the figure."""
    return (
        f"SELECT {'DISTINCT ' if distinct else ''}{inspection} AS inspection_id,"
        f" {subject} AS subject_id, {finding} AS finding_id, {measure} AS measure_id,"
        f" {execution} AS execution_id, {day} AS day, {value} AS value\n{source}"
    )


_LAND = "CAST(ROUND({}.land_m2 * 100) AS BIGINT)"

# Cases a count of cases counts (tables 1 and 2): the condition on ``counted`` (each
# period's cases, services/totals.py) and the day shown.
_CASE_COUNTS = {
    "total": ("1 = 1", "started_on"),
    "carried_over": ("is_carried = 1", "started_on"),
    "started": ("is_started = 1", "started_on"),
    "scheduled": ("origin = 'scheduled'", "started_on"),
    "ad_hoc": ("origin = 'ad_hoc'", "started_on"),
    "onsite_ended": (CASE_CONDITIONS["onsite_ended"], "onsite_ended_on"),
    "concluded": (CASE_CONDITIONS["concluded"], "concluded_on"),
    "in_progress": (CASE_CONDITIONS["in_progress"], "started_on"),
}
_CONCLUDED = "FROM concluded k JOIN cases c ON c.id = k.id"
_FINDINGS = _CONCLUDED + " JOIN finding f ON f.inspection = c.id AND f.deleted_at IS NULL"
_SUBJECTS = _CONCLUDED + " JOIN inspection_subject s ON s.inspection = c.id"


def _measures(source: str, kind: str) -> str:
    return f"{source} JOIN measure m ON m.inspection = c.id AND m.deleted_at IS NULL" + (
        f" AND m.type = '{kind}'"
    )


def _concluded_measure(kind: str, value: str) -> str:
    """A recommendation of a case concluded within the period, by the conclusion's day."""
    return _row(_measures(_CONCLUDED, kind), measure="m.id", day="c.concluded_on", value=value)


def _violators(kind_test: str) -> str:
    """Each (case, subject) with a finding; a finding without a subject is one organisation."""
    return _row(
        _FINDINGS + " LEFT JOIN subject sj ON sj.id = f.subject"
        f" WHERE COALESCE(sj.kind, 'organization') {kind_test}",
        subject="f.subject",
        day="c.concluded_on",
        distinct=True,
    )


def _dated_measure(kind: str, value: str) -> str:
    """A sanction of a check, by the day of its decision."""
    return _row(
        _measures("FROM period p CROSS JOIN cases c", kind)
        + " WHERE m.decision_date >= p.p_start AND m.decision_date <= p.p_end",
        measure="m.id",
        day="m.decision_date",
        value=value,
    )


def _collected(kind: str) -> str:
    """A payment on a check's recommendation or fine, by its own day."""
    return _row(
        _measures("FROM period p CROSS JOIN cases c", kind)
        + " JOIN execution e ON e.measure = m.id"
        " WHERE e.executed_on >= p.p_start AND e.executed_on <= p.p_end",
        measure="m.id",
        execution="e.id",
        day="e.executed_on",
        value="e.amount_vnd",
    )


_TABLE_1 = {
    "units_inspected": _row(_SUBJECTS, subject="s.subject", day="c.concluded_on"),
    "units_violating": _violators("IS NOT NULL"),
    "violation_vnd": _row(_FINDINGS, finding="f.id", day="c.concluded_on", value="f.amount_vnd"),
    "violation_m2": _row(_FINDINGS, finding="f.id", day="c.concluded_on", value=_LAND.format("f")),
    "recover_vnd": _concluded_measure("recover_money", "m.amount_vnd"),
    "recover_m2": _concluded_measure("recover_land", _LAND.format("m")),
    "other_financial_vnd": _concluded_measure("other_financial", "m.amount_vnd"),
    "discipline_collectives": _concluded_measure("discipline", "m.collectives"),
    "discipline_individuals": _concluded_measure("discipline", "m.individuals"),
    "referral_cases": _concluded_measure("criminal_referral", "m.cases"),
    "referral_persons": _concluded_measure("criminal_referral", "m.persons"),
}
_TABLE_2 = {
    "organisations_checked": _row(
        _SUBJECTS + " JOIN subject sj ON sj.id = s.subject WHERE sj.kind <> 'individual'",
        subject="s.subject",
        day="c.concluded_on",
    ),
    "individuals_checked": _row(
        _SUBJECTS + " JOIN subject sj ON sj.id = s.subject WHERE sj.kind = 'individual'",
        subject="s.subject",
        day="c.concluded_on",
    ),
    "organisations_violating": _violators("<> 'individual'"),
    "individuals_violating": _violators("= 'individual'"),
    "sanctions": _dated_measure("admin_fine", "1"),
    "fines_vnd": _dated_measure("admin_fine", "m.amount_vnd"),
    "confiscated_vnd": _dated_measure("confiscation", "m.amount_vnd"),
    "recover_vnd": _concluded_measure("recover_money", "m.amount_vnd"),
    "recovered_vnd": _collected("recover_money"),
    "fines_collected_vnd": _collected("admin_fine"),
}

# Table 3: the conclusions each period has to implement (``due``), their recommendations,
# and the payments or steps done on them. One made before the conclusion counts on the
# conclusion's day.
_DUE = "FROM due d JOIN conclusions c ON c.id = d.id"
_SHIFTED = "CASE WHEN e.executed_on < c.concluded_on THEN c.concluded_on ELSE e.executed_on END"


def _due_measure(kind: str, value: str) -> str:
    return _row(
        _DUE + f" JOIN measure m ON m.inspection = d.id AND m.deleted_at IS NULL"
        f" AND m.type = '{kind}'",
        inspection="d.id",
        measure="m.id",
        day="c.concluded_on",
        value=value,
    )


def _done(kind: str, value: str, cumulative: bool = False) -> str:
    since = "" if cumulative else f" AND {_SHIFTED} >= d.p_start"
    return _row(
        _DUE + f" JOIN measure m ON m.inspection = d.id AND m.deleted_at IS NULL"
        f" AND m.type = '{kind}' JOIN execution e ON e.measure = m.id"
        f" WHERE {_SHIFTED} <= d.p_end{since}",
        inspection="d.id",
        measure="m.id",
        execution="e.id",
        day=_SHIFTED,
        value=value,
    )


_TABLE_3 = {
    "to_implement": _row(_DUE, inspection="d.id", day="c.concluded_on"),
    "completed": _row(_DUE + " WHERE d.is_completed = 1", inspection="d.id", day="c.concluded_on"),
    "not_completed": _row(
        _DUE + " WHERE d.is_completed = 0", inspection="d.id", day="c.concluded_on"
    ),
    "to_recover_vnd": _due_measure("recover_money", "m.amount_vnd"),
    "recovered_vnd": _done("recover_money", "e.amount_vnd"),
    "recovered_total_vnd": _done("recover_money", "e.amount_vnd", cumulative=True),
    "to_recover_m2": _due_measure("recover_land", _LAND.format("m")),
    "recovered_m2": _done("recover_land", _LAND.format("e")),
    "recovered_total_m2": _done("recover_land", _LAND.format("e"), cumulative=True),
    "discipline_collectives": _due_measure("discipline", "m.collectives"),
    "discipline_individuals": _due_measure("discipline", "m.individuals"),
    "discipline_done": _done("discipline", "e.quantity"),
    "referrals_required": _due_measure(
        "criminal_referral", "CASE WHEN m.persons > 0 THEN m.persons ELSE m.cases END"
    ),
    "referrals_made": _done("criminal_referral", "e.quantity"),
}


def _cases_statements(table: int, results: dict[str, str]) -> dict[str, str]:
    ctes = "WITH" + CASES_CTES.replace("{table}", str(table)) + "\n"
    counts = {
        key: ctes + _row(f"FROM counted c WHERE {condition}", day=f"c.{day}")
        for key, (condition, day) in _CASE_COUNTS.items()
    }
    return counts | {key: ctes + sql for key, sql in results.items()}


# Per counter: the statement selecting (inspection_id, subject_id, finding_id, measure_id,
# execution_id, day, value) of every record the counter adds up, for one period.
_RECORDS: dict[str, str] = {
    **{f"inspections.{k}": v for k, v in _cases_statements(1, _TABLE_1).items()},
    **{
        f"checks.{k}": v
        for k, v in _cases_statements(2, _TABLE_2).items()
        if k not in ("onsite_ended", "concluded", "in_progress")
    },
    **{f"implementation.{k}": IMPLEMENTATION_CTES + "\n" + v for k, v in _TABLE_3.items()},
}
# Every counter of the report, in the order of the tables.
COUNTERS: tuple[str, ...] = tuple(
    f"{table}.{key}" for table, keys in COUNTER_KEYS.items() for key in keys
)


_DATED = {"sanctions", "fines_vnd", "confiscated_vnd"}
_COLLECTED = {"recovered_vnd", "fines_collected_vnd"}
_DONE = {"recovered_vnd", "recovered_total_vnd", "recovered_m2", "recovered_total_m2"} | {
    "discipline_done",
    "referrals_made",
}


def rule_of(counter: str) -> str:
    """Which rule chooses a counter's records, for the sentence the page says about it:
    ``cases``, ``results``, ``sanctions``, ``collected`` (tables 1 and 2), ``due`` or
    ``done`` (table 3)."""
    table, key = counter.split(".", 1)
    if table == "implementation":
        return "done" if key in _DONE else "due"
    if key in _CASE_COUNTS:
        return "cases"
    if table == "checks" and key in _DATED:
        return "sanctions"
    if table == "checks" and key in _COLLECTED:
        return "collected"
    return "results"


def unit_of(counter: str) -> str:
    """What a counter's records add: ``vnd`` (đồng), ``m2`` (hundredths of m²) or ``count``."""
    key = counter.split(".", 1)[1]
    return "vnd" if is_money(key) else "m2" if is_land(key) else "count"


def counter_label(counter: str, period: Period, lang: str) -> str:
    """The figure's name as the report's table heads it: "Form 01 · … › Tiền (Tr.đ)"."""
    table_key, key = counter.split(".", 1)
    for table in rl.layout_for(period.end).tables:
        if table.counters == table_key:
            path = rl.column_path(table, key, lang)
            return " › ".join([table.title(lang), *path]) if path else table.title(lang)
    return counter


# The page of the list, with the count and the total of the whole list in every row. A
# record that adds nothing (a finding without money to a money figure) is not listed.
_PAGE = """
SELECT r.inspection_id, r.subject_id, r.finding_id, r.measure_id, r.execution_id, r.day,
  r.value, i.code AS case_code, i.title AS case_title, ag.name AS agency_name,
  COALESCE(m.description, f.description, '') AS description,
  COALESCE(sj.name, '') AS subject_name,
  COUNT(*) OVER () AS n, SUM(r.value) OVER () AS total
FROM records r
JOIN inspection i ON i.id = r.inspection_id
JOIN agency ag ON ag.id = i.agency
LEFT JOIN measure m ON m.id = r.measure_id
LEFT JOIN finding f ON f.id = r.finding_id
LEFT JOIN subject sj ON sj.id = r.subject_id
WHERE r.value <> 0
ORDER BY r.day DESC, r.inspection_id DESC, r.measure_id DESC, r.execution_id DESC,
  r.finding_id DESC, r.subject_id DESC
LIMIT {} OFFSET {}
"""
_TOTALS = "SELECT COUNT(*) AS n, SUM(r.value) AS total FROM records r WHERE r.value <> 0"


class RecordRow(msgspec.Struct, frozen=True, kw_only=True):
    """One record the figure adds up: a case, or a subject, finding, recommendation or
    payment of a case, with what it adds."""

    inspection_id: int
    subject_id: int | None
    finding_id: int | None
    measure_id: int | None
    execution_id: int | None
    case_code: str
    case_title: str
    agency_name: str
    description: str
    subject_name: str
    day: date | None
    value: int

    @property
    def m2(self) -> Decimal:
        """The value of a land figure's record in m² (it is kept in hundredths)."""
        return Decimal(self.value) / 100


class RecordList(msgspec.Struct, frozen=True, kw_only=True):
    """A page of the records behind one figure, with the count and total of all of them."""

    counter: str
    unit: str
    period: Period
    agency_id: int | None
    agency_name: str  # "" for the reader's own agency
    own: bool
    agency_path: str
    count: int
    total: int
    page: int
    rows: list[RecordRow]

    @property
    def total_m2(self) -> Decimal:
        """The total of a land figure in m²."""
        return Decimal(self.total) / 100

    @property
    def pages(self) -> int:
        """How many pages of :data:`PAGE_SIZE` rows the list has (at least one)."""
        return max(1, -(-self.count // PAGE_SIZE))


class RecordRequest(msgspec.Struct, frozen=True, kw_only=True):
    """Which figure's records to list: the counter, the period, the agency (its subtree, or
    with ``own`` its own records only), the page."""

    counter: str
    period: Period
    agency_id: int | None = None
    own: bool = False
    page: int = 1


async def counter_records(principal: Principal, request: RecordRequest) -> RecordList:
    """The records behind the request's counter for its period in the subtree of its agency
    (the reader's own by default), newest first, one page at a time."""
    counter, period, page = request.counter, request.period, request.page
    if request.agency_id is None:
        path, agency_name = principal.agency_path, ""
    else:
        agency = await agencies.get_visible(principal, request.agency_id)
        path, agency_name = agency.path, agency.name
    own_id = request.agency_id if request.agency_id is not None else principal.agency_id
    records, args = bind_periods(
        _RECORDS[counter].replace("{agencies}", _OWN if request.own else _SUBTREE),
        [period],
        None,
        is_postgres(),
    )
    args.append(own_id if request.own else path + "%")
    head = f"WITH records AS ({records})\n"
    # Leading WITH of the records statement becomes a nested one: both engines accept a
    # WITH inside a CTE.
    offset = (page - 1) * PAGE_SIZE
    rows = await Inspection.raw(head + _PAGE, *args, PAGE_SIZE, offset)
    if rows:
        count, total = int(rows[0]["n"]), int(rows[0]["total"] or 0)
    else:  # a page past the end: the figures still come from the whole list
        found = await Inspection.raw(head + _TOTALS, *args)
        count, total = int(found[0]["n"]), int(found[0]["total"] or 0)
    return RecordList(
        counter=counter,
        unit=unit_of(counter),
        period=period,
        agency_id=request.agency_id,
        agency_name=agency_name,
        own=request.own,
        agency_path=path,
        count=count,
        total=total,
        page=page,
        rows=[
            RecordRow(
                inspection_id=int(row["inspection_id"]),
                subject_id=stored_id(row["subject_id"]),
                finding_id=stored_id(row["finding_id"]),
                measure_id=stored_id(row["measure_id"]),
                execution_id=stored_id(row["execution_id"]),
                case_code=str(row["case_code"]),
                case_title=str(row["case_title"] or ""),
                agency_name=str(row["agency_name"]),
                description=str(row["description"] or ""),
                subject_name=str(row["subject_name"] or ""),
                day=stored_day(row["day"]),
                value=int(row["value"]),
            )
            for row in rows
        ],
    )
