"""The records behind a money figure of the reports: the rows that add up to it.

The dashboard shows, for the current period, the fines imposed, the recovery recommended by
conclusions and the money recovered. Each of those figures leads to this list: the
recommendations or the payments it sums, with their case, date and amount, and the count and
total of the whole list, which equal the figure.

The rows are chosen by the counters' own SQL (services/totals.py): the same ``cases`` and
``concluded`` CTEs (table 1 and 2) and the same ``due`` conclusions (table 3), so the rule of
"which case counts in this period" is written once; only the last step (which measure or
payment of those cases) is spelled out below, beside the counter it lists.
``tests/integration/test_counter_records.py`` compares each list with its counter on the
period boundaries.
"""

from __future__ import annotations

from datetime import date
from typing import Literal, get_args

import msgspec

from inspect_app.db import is_postgres
from inspect_app.domain.periods import Period
from inspect_app.principal import Principal
from inspect_app.services import agencies
from inspect_app.services.totals import CASES_CTES, IMPLEMENTATION_CTES, bind_periods
from models.tables import Inspection

CounterKey = Literal["checks.fines_vnd", "inspections.recover_vnd", "implementation.recovered_vnd"]
COUNTERS: tuple[str, ...] = get_args(CounterKey)
PAGE_SIZE = 100
MAX_PAGE = 10_000

# The agency subtree, filtered where the counters filter by a list of agency ids.
_SUBTREE = "AND i.agency IN (SELECT ag.id FROM agency ag WHERE ag.path LIKE {})"

# Per counter: the statement selecting (measure_id, execution_id, inspection_id, day, amount)
# of every row the counter adds up, for the one period of ``period``.
_RECORDS: dict[str, str] = {
    # Table 1: recover_money measures of the inspections concluded within the period.
    "inspections.recover_vnd": "WITH"
    + CASES_CTES.replace("{table}", "1")
    + """
SELECT m.id AS measure_id, NULL AS execution_id, c.id AS inspection_id,
  c.concluded_on AS day, m.amount_vnd AS amount_vnd
FROM concluded k JOIN cases c ON c.id = k.id
JOIN measure m ON m.inspection = c.id AND m.deleted_at IS NULL AND m.type = 'recover_money'
""",
    # Table 2: admin_fine measures of the checks, by the sanction decision's date.
    "checks.fines_vnd": "WITH"
    + CASES_CTES.replace("{table}", "2")
    + """
SELECT m.id AS measure_id, NULL AS execution_id, c.id AS inspection_id,
  m.decision_date AS day, m.amount_vnd AS amount_vnd
FROM period p CROSS JOIN cases c
JOIN measure m ON m.inspection = c.id AND m.deleted_at IS NULL AND m.type = 'admin_fine'
WHERE m.decision_date >= p.p_start AND m.decision_date <= p.p_end
""",
    # Table 3: payments on the recover_money measures of the conclusions to implement, dated
    # within the period (one made before the conclusion counts on the conclusion's day).
    "implementation.recovered_vnd": IMPLEMENTATION_CTES
    + """
SELECT m.id AS measure_id, e.id AS execution_id, d.id AS inspection_id,
  CASE WHEN e.executed_on < c.concluded_on THEN c.concluded_on ELSE e.executed_on END AS day,
  e.amount_vnd AS amount_vnd
FROM due d JOIN conclusions c ON c.id = d.id
JOIN measure m ON m.inspection = d.id AND m.deleted_at IS NULL AND m.type = 'recover_money'
JOIN execution e ON e.measure = m.id
WHERE CASE WHEN e.executed_on < c.concluded_on THEN c.concluded_on ELSE e.executed_on END
  BETWEEN d.p_start AND d.p_end
""",
}

# The page of the list, with the count and the total of the whole list in every row.
_PAGE = """
SELECT r.measure_id, r.execution_id, r.inspection_id, r.day, r.amount_vnd,
  i.code AS case_code, i.title AS case_title, ag.name AS agency_name,
  m.description, COUNT(*) OVER () AS n, SUM(r.amount_vnd) OVER () AS total
FROM records r
JOIN inspection i ON i.id = r.inspection_id
JOIN agency ag ON ag.id = i.agency
JOIN measure m ON m.id = r.measure_id
ORDER BY r.day DESC, r.inspection_id DESC, r.measure_id DESC, r.execution_id DESC
LIMIT {} OFFSET {}
"""
_TOTALS = "SELECT COUNT(*) AS n, SUM(r.amount_vnd) AS total FROM records r"


class RecordRow(msgspec.Struct, frozen=True, kw_only=True):
    """One recommendation (or one payment on it) the figure adds up."""

    measure_id: int
    execution_id: int | None
    inspection_id: int
    case_code: str
    case_title: str
    agency_name: str
    description: str
    day: date
    amount_vnd: int


class RecordList(msgspec.Struct, frozen=True, kw_only=True):
    """A page of the rows behind one figure, with the count and total of all of them."""

    counter: str
    period: Period
    agency_id: int | None
    agency_path: str
    count: int
    total_vnd: int
    page: int
    rows: list[RecordRow]

    @property
    def pages(self) -> int:
        """How many pages of :data:`PAGE_SIZE` rows the list has (at least one)."""
        return max(1, -(-self.count // PAGE_SIZE))


class RecordRequest(msgspec.Struct, frozen=True, kw_only=True):
    """Which figure's records to list: the counter, the period, the agency, the page."""

    counter: str
    period: Period
    agency_id: int | None = None
    page: int = 1


async def counter_records(principal: Principal, request: RecordRequest) -> RecordList:
    """The rows behind the request's counter for its period in the subtree of its agency
    (the reader's own by default), newest first, one page at a time."""
    counter, period, page = request.counter, request.period, request.page
    path = await agencies.subtree_path(principal, request.agency_id)
    records, args = bind_periods(
        _RECORDS[counter].replace("{agencies}", _SUBTREE), [period], None, is_postgres()
    )
    args.append(path + "%")
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
        period=period,
        agency_id=request.agency_id,
        agency_path=path,
        count=count,
        total_vnd=total,
        page=page,
        rows=[
            RecordRow(
                measure_id=int(row["measure_id"]),
                execution_id=None if row["execution_id"] is None else int(row["execution_id"]),
                inspection_id=int(row["inspection_id"]),
                case_code=str(row["case_code"]),
                case_title=str(row["case_title"] or ""),
                agency_name=str(row["agency_name"]),
                description=str(row["description"] or ""),
                day=_day(row["day"]),
                amount_vnd=int(row["amount_vnd"] or 0),
            )
            for row in rows
        ],
    )


def _day(value: object) -> date:
    # SQLite returns a computed date (the CASE of table 3) as text.
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value))
