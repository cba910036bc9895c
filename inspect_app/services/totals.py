"""The counters of the three report tables, computed in SQL from the records.

Every counter is computed for one agency's OWN records (those whose ``inspection.agency`` is
that agency) with one GROUP BY agency query per table; a subtree's figures are the sum of its
agencies' own figures (:func:`roll_up`). That only works because every counter is additive
over agencies: nothing here is a distinct count across agencies or a ratio. "Units
inspected", for example, counts subject-inspections (one subject inspected by two agencies
counts twice), and percentages are derived when a report is rendered, never stored.

Period bounds ``[start, end]`` come from :mod:`inspect_app.domain.periods` (Circular
01/2024/TT-TTCP: Q1 runs 15/12 of the previous year – 14/03, both days included). Deleted
inspections, findings and measures never count. Dates are the ones recorded on the case:

Table 1, inspections (case kinds whose ``case_kind.report_table`` = 1):
    started_on      ``announced_on``, or the ``decision_date`` when no announcement is
                    recorded; a case with neither has not started and never counts.
    started         started_on within the period.
    carried_over    started before the period start and, at the period start, neither
                    concluded, closed nor cancelled (concluded_on, closed_on and cancelled_on
                    each empty or on/after the start).
    total           carried_over + started; scheduled + ad_hoc = total (by ``origin``).
    onsite_ended    among total, on-site work ended (onsite_ended_on) within the period.
    concluded       among total, conclusion signed (concluded_on) within the period.
    in_progress     among total, not concluded, closed nor cancelled on or before the end.
    The results of an inspection count in the period of its conclusion (they are only
    established by it): for inspections concluded within the period,
    units_inspected     its subjects (inspection_subject rows);
    units_violating     distinct subjects named by its findings (findings without a subject
                        count as one unit of their inspection);
    violation_vnd/_m2   sum of its findings' amounts;
    recover_vnd/_m2     recommended recovery: ``recover_money`` amounts / ``recover_land``
                        areas of its measures;
    other_financial_vnd ``other_financial`` measures;
    discipline_collectives / discipline_individuals   ``discipline`` measures;
    referral_cases / referral_persons                 ``criminal_referral`` measures.

Table 2, specialised checks (``report_table`` = 2): checks_total, carried_over, started,
scheduled, ad_hoc as in table 1; for checks concluded within the period, organisations and
individuals checked (subjects by ``subject.kind``: ``individual`` or any other kind) and those
named by findings (a finding without a subject counts as one organisation), recommended
recovery (``recover_money``). Sanctions count by the sanction decision's date, whatever the
check's conclusion date: ``admin_fine`` measures with ``decision_date`` within the period
(sanctions, fines_vnd = their amounts) and ``confiscation`` measures likewise
(confiscated_vnd). recovered_vnd / fines_collected_vnd: executions dated within the period on
the checks' ``recover_money`` / ``admin_fine`` measures.

Table 3, implementation of the conclusions of table-1 inspections. A conclusion is "to be
implemented" in the period when it was signed on or before the end, the case was not closed
before the start, and either it was signed within the period or at least one of its measures
was still outstanding at the start (``completed_on`` empty or on/after the start).
    completed        to be implemented, and closed on or before the end, or every measure
                     (at least one) completed (``completed_on``, set when a measure becomes
                     done or written off) on or before the end;
    not_completed    to_implement - completed.
    to_recover_vnd / to_recover_m2                    ``recover_money`` / ``recover_land``
                     amounts of those conclusions' measures;
    recovered_vnd / recovered_m2                      executions on them within the period
                     (one dated before the conclusion, recovered during the inspection,
                     counts on the conclusion's day, so that the quarters add up to the
                     6-month, 9-month and year figures);
    recovered_total_vnd / recovered_total_m2          executions on them up to the end
                     (cumulative; the report's % is recovered_total / to_recover);
    discipline_collectives / discipline_individuals   required by ``discipline`` measures;
    discipline_done  people/collectives disciplined: executions within the period;
    referrals_required  ``criminal_referral`` targets (persons, else cases);
    referrals_made   executions on them within the period.

Money is whole đồng (int); land is a decimal string with two places ("1250.50"), summed in
SQL as integer hundredths of m² so that no float ever touches it.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from decimal import Decimal
from functools import partial
from typing import Any, TypeVar

from inspect_app.db import engine, is_postgres, on_own_connection
from inspect_app.domain.periods import Period
from models.tables import Agency, AgencyTotals, Inspection

T = TypeVar("T")

Counters = dict[str, dict[str, int | str]]

COUNTER_KEYS: dict[str, tuple[str, ...]] = {
    "inspections": (
        "total",
        "carried_over",
        "started",
        "scheduled",
        "ad_hoc",
        "onsite_ended",
        "concluded",
        "in_progress",
        "units_inspected",
        "units_violating",
        "violation_vnd",
        "violation_m2",
        "recover_vnd",
        "recover_m2",
        "other_financial_vnd",
        "discipline_collectives",
        "discipline_individuals",
        "referral_cases",
        "referral_persons",
    ),
    "checks": (
        "total",
        "carried_over",
        "started",
        "scheduled",
        "ad_hoc",
        "organisations_checked",
        "individuals_checked",
        "organisations_violating",
        "individuals_violating",
        "sanctions",
        "fines_vnd",
        "confiscated_vnd",
        "recover_vnd",
        "recovered_vnd",
        "fines_collected_vnd",
    ),
    "implementation": (
        "to_implement",
        "completed",
        "not_completed",
        "to_recover_vnd",
        "recovered_vnd",
        "recovered_total_vnd",
        "to_recover_m2",
        "recovered_m2",
        "recovered_total_m2",
        "discipline_collectives",
        "discipline_individuals",
        "discipline_done",
        "referrals_required",
        "referrals_made",
    ),
}
TABLES = tuple(COUNTER_KEYS)
_HUNDRED = Decimal(100)

# Periods and cases shared by tables 1 and 2. ``{periods}`` becomes the VALUES list of the
# periods computed (code, first day, last day); ``{agencies}`` an optional agency filter;
# ``{table}`` the report table, 1 or 2. Every statement computes all its periods at once:
# the records are read once, not once per period (the nightly rebuild computes 14 periods,
# a report 10).
CASES_CTES = """
period(code, p_start, p_end) AS (VALUES {periods}),
cases AS MATERIALIZED (
  SELECT i.id, i.agency, i.origin, i.onsite_ended_on, i.concluded_on, i.closed_on,
         i.cancelled_on, COALESCE(i.announced_on, i.decision_date) AS started_on
  FROM inspection i
  WHERE i.deleted_at IS NULL {agencies}
    AND i.kind IN (SELECT ck.code FROM case_kind ck WHERE ck.report_table = {table})
),
counted AS (
  -- Each period's cases: started within it, or started before it and still open at its start.
  SELECT p.code, p.p_start, p.p_end, c.*,
    CASE WHEN c.started_on >= p.p_start THEN 1 ELSE 0 END AS is_started,
    CASE WHEN c.started_on < p.p_start THEN 1 ELSE 0 END AS is_carried
  FROM period p JOIN cases c ON c.started_on <= p.p_end
  WHERE c.started_on >= p.p_start
     OR ((c.concluded_on IS NULL OR c.concluded_on >= p.p_start)
         AND (c.closed_on IS NULL OR c.closed_on >= p.p_start)
         AND (c.cancelled_on IS NULL OR c.cancelled_on >= p.p_start))
),
concluded AS MATERIALIZED (
  -- Each period's cases concluded within it (their results count in that period).
  SELECT p.code, c.id, c.agency FROM period p
  JOIN cases c ON c.concluded_on >= p.p_start AND c.concluded_on <= p.p_end
)
"""

# Which of a period's cases (a row of ``counted``) a count of table 1 counts beyond its
# total, carried-over, started, scheduled and ad-hoc columns; the records behind a figure
# (services/counter_records.py) choose their cases with the same conditions.
CASE_CONDITIONS = {
    "onsite_ended": "onsite_ended_on >= p_start AND onsite_ended_on <= p_end",
    "concluded": "concluded_on >= p_start AND concluded_on <= p_end",
    "in_progress": "(concluded_on IS NULL OR concluded_on > p_end)"
    " AND (closed_on IS NULL OR closed_on > p_end)"
    " AND (cancelled_on IS NULL OR cancelled_on > p_end)",
}

_COUNT_COLUMNS = """
  COUNT(*) AS total,
  SUM(is_carried) AS carried_over,
  SUM(is_started) AS started,
  SUM(CASE WHEN origin = 'scheduled' THEN 1 ELSE 0 END) AS scheduled,
  SUM(CASE WHEN origin = 'ad_hoc' THEN 1 ELSE 0 END) AS ad_hoc
"""

_INSPECTIONS_SQL = (
    "WITH"
    + CASES_CTES
    + """,
case_counts AS (
  SELECT code, agency,"""
    + _COUNT_COLUMNS
    + """,
    """
    + ",\n".join(
        f"    SUM(CASE WHEN {CASE_CONDITIONS[key]} THEN 1 ELSE 0 END) AS {key}"
        for key in ("onsite_ended", "concluded", "in_progress")
    )
    + """
  FROM counted GROUP BY code, agency
),
-- The results of each concluded case, whatever the period.
subjects AS (
  SELECT s.inspection, COUNT(*) AS units_inspected FROM inspection_subject s
  WHERE s.inspection IN (SELECT id FROM concluded)
  GROUP BY s.inspection
),
findings AS (
  -- A finding without a subject counts as one unit of its inspection.
  SELECT f.inspection, COUNT(DISTINCT COALESCE(f.subject, 0)) AS units_violating,
    SUM(f.amount_vnd) AS violation_vnd,
    SUM(CAST(ROUND(f.land_m2 * 100) AS BIGINT)) AS violation_cm2
  FROM finding f
  WHERE f.deleted_at IS NULL AND f.inspection IN (SELECT id FROM concluded)
  GROUP BY f.inspection
),
measures AS (
  SELECT m.inspection,
    SUM(CASE WHEN m.type = 'recover_money' THEN m.amount_vnd ELSE 0 END) AS recover_vnd,
    SUM(CASE WHEN m.type = 'recover_land'
        THEN CAST(ROUND(m.land_m2 * 100) AS BIGINT) ELSE 0 END) AS recover_cm2,
    SUM(CASE WHEN m.type = 'other_financial' THEN m.amount_vnd ELSE 0 END)
      AS other_financial_vnd,
    SUM(CASE WHEN m.type = 'discipline' THEN m.collectives ELSE 0 END)
      AS discipline_collectives,
    SUM(CASE WHEN m.type = 'discipline' THEN m.individuals ELSE 0 END)
      AS discipline_individuals,
    SUM(CASE WHEN m.type = 'criminal_referral' THEN m.cases ELSE 0 END) AS referral_cases,
    SUM(CASE WHEN m.type = 'criminal_referral' THEN m.persons ELSE 0 END) AS referral_persons
  FROM measure m
  WHERE m.deleted_at IS NULL AND m.inspection IN (SELECT id FROM concluded)
  GROUP BY m.inspection
),
results AS (
  SELECT c.code, c.agency,
    SUM(s.units_inspected) AS units_inspected, SUM(f.units_violating) AS units_violating,
    SUM(f.violation_vnd) AS violation_vnd, SUM(f.violation_cm2) AS violation_cm2,
    SUM(m.recover_vnd) AS recover_vnd, SUM(m.recover_cm2) AS recover_cm2,
    SUM(m.other_financial_vnd) AS other_financial_vnd,
    SUM(m.discipline_collectives) AS discipline_collectives,
    SUM(m.discipline_individuals) AS discipline_individuals,
    SUM(m.referral_cases) AS referral_cases, SUM(m.referral_persons) AS referral_persons
  FROM concluded c
  LEFT JOIN subjects s ON s.inspection = c.id
  LEFT JOIN findings f ON f.inspection = c.id
  LEFT JOIN measures m ON m.inspection = c.id
  GROUP BY c.code, c.agency
)
SELECT p.code AS period_code, a.id AS agency_id,
  COALESCE(k.total, 0) AS total, COALESCE(k.carried_over, 0) AS carried_over,
  COALESCE(k.started, 0) AS started, COALESCE(k.scheduled, 0) AS scheduled,
  COALESCE(k.ad_hoc, 0) AS ad_hoc, COALESCE(k.onsite_ended, 0) AS onsite_ended,
  COALESCE(k.concluded, 0) AS concluded, COALESCE(k.in_progress, 0) AS in_progress,
  COALESCE(r.units_inspected, 0) AS units_inspected,
  COALESCE(r.units_violating, 0) AS units_violating,
  COALESCE(r.violation_vnd, 0) AS violation_vnd,
  COALESCE(r.violation_cm2, 0) AS violation_m2,
  COALESCE(r.recover_vnd, 0) AS recover_vnd, COALESCE(r.recover_cm2, 0) AS recover_m2,
  COALESCE(r.other_financial_vnd, 0) AS other_financial_vnd,
  COALESCE(r.discipline_collectives, 0) AS discipline_collectives,
  COALESCE(r.discipline_individuals, 0) AS discipline_individuals,
  COALESCE(r.referral_cases, 0) AS referral_cases,
  COALESCE(r.referral_persons, 0) AS referral_persons
FROM period p CROSS JOIN agency a
LEFT JOIN case_counts k ON k.code = p.code AND k.agency = a.id
LEFT JOIN results r ON r.code = p.code AND r.agency = a.id
WHERE 1 = 1 {agency_rows}
"""
)

_CHECKS_SQL = (
    "WITH"
    + CASES_CTES
    + """,
case_counts AS (
  SELECT code, agency,"""
    + _COUNT_COLUMNS
    + """
  FROM counted GROUP BY code, agency
),
checked AS (
  SELECT s.inspection,
    SUM(CASE WHEN sj.kind <> 'individual' THEN 1 ELSE 0 END) AS organisations_checked,
    SUM(CASE WHEN sj.kind = 'individual' THEN 1 ELSE 0 END) AS individuals_checked
  FROM inspection_subject s JOIN subject sj ON sj.id = s.subject
  WHERE s.inspection IN (SELECT id FROM concluded)
  GROUP BY s.inspection
),
violators AS (
  -- A finding without a subject counts as one organisation.
  SELECT v.inspection,
    SUM(CASE WHEN v.kind = 'individual' THEN 0 ELSE 1 END) AS organisations_violating,
    SUM(CASE WHEN v.kind = 'individual' THEN 1 ELSE 0 END) AS individuals_violating
  FROM (
    SELECT DISTINCT f.inspection, COALESCE(f.subject, 0) AS subject,
           COALESCE(sj.kind, 'organization') AS kind
    FROM finding f LEFT JOIN subject sj ON sj.id = f.subject
    WHERE f.deleted_at IS NULL AND f.inspection IN (SELECT id FROM concluded)
  ) v GROUP BY v.inspection
),
recommended AS (
  SELECT m.inspection, SUM(m.amount_vnd) AS recover_vnd FROM measure m
  WHERE m.deleted_at IS NULL AND m.type = 'recover_money'
    AND m.inspection IN (SELECT id FROM concluded)
  GROUP BY m.inspection
),
results AS (
  SELECT c.code, c.agency,
    SUM(ch.organisations_checked) AS organisations_checked,
    SUM(ch.individuals_checked) AS individuals_checked,
    SUM(v.organisations_violating) AS organisations_violating,
    SUM(v.individuals_violating) AS individuals_violating,
    SUM(r.recover_vnd) AS recover_vnd
  FROM concluded c
  LEFT JOIN checked ch ON ch.inspection = c.id
  LEFT JOIN violators v ON v.inspection = c.id
  LEFT JOIN recommended r ON r.inspection = c.id
  GROUP BY c.code, c.agency
),
-- Sanctions and collections count by their own dates, whatever the check's conclusion:
-- summed per agency and day once, then per period.
sanction_days AS (
  SELECT c.agency, m.decision_date AS day,
    SUM(CASE WHEN m.type = 'admin_fine' THEN 1 ELSE 0 END) AS sanctions,
    SUM(CASE WHEN m.type = 'admin_fine' THEN m.amount_vnd ELSE 0 END) AS fines_vnd,
    SUM(CASE WHEN m.type = 'confiscation' THEN m.amount_vnd ELSE 0 END) AS confiscated_vnd
  FROM cases c JOIN measure m ON m.inspection = c.id AND m.deleted_at IS NULL
  WHERE m.type IN ('admin_fine', 'confiscation')
    AND m.decision_date >= (SELECT MIN(p_start) FROM period)
    AND m.decision_date <= (SELECT MAX(p_end) FROM period)
  GROUP BY c.agency, m.decision_date
),
sanctioned AS (
  SELECT p.code, d.agency, SUM(d.sanctions) AS sanctions, SUM(d.fines_vnd) AS fines_vnd,
    SUM(d.confiscated_vnd) AS confiscated_vnd
  FROM period p JOIN sanction_days d ON d.day >= p.p_start AND d.day <= p.p_end
  GROUP BY p.code, d.agency
),
collection_days AS (
  SELECT c.agency, e.executed_on AS day,
    SUM(CASE WHEN m.type = 'recover_money' THEN e.amount_vnd ELSE 0 END) AS recovered_vnd,
    SUM(CASE WHEN m.type = 'admin_fine' THEN e.amount_vnd ELSE 0 END) AS fines_collected_vnd
  FROM cases c JOIN measure m ON m.inspection = c.id AND m.deleted_at IS NULL
  JOIN execution e ON e.measure = m.id
  WHERE m.type IN ('recover_money', 'admin_fine')
    AND e.executed_on >= (SELECT MIN(p_start) FROM period)
    AND e.executed_on <= (SELECT MAX(p_end) FROM period)
  GROUP BY c.agency, e.executed_on
),
collected AS (
  SELECT p.code, d.agency, SUM(d.recovered_vnd) AS recovered_vnd,
    SUM(d.fines_collected_vnd) AS fines_collected_vnd
  FROM period p JOIN collection_days d ON d.day >= p.p_start AND d.day <= p.p_end
  GROUP BY p.code, d.agency
)
SELECT p.code AS period_code, a.id AS agency_id,
  COALESCE(k.total, 0) AS total, COALESCE(k.carried_over, 0) AS carried_over,
  COALESCE(k.started, 0) AS started, COALESCE(k.scheduled, 0) AS scheduled,
  COALESCE(k.ad_hoc, 0) AS ad_hoc,
  COALESCE(r.organisations_checked, 0) AS organisations_checked,
  COALESCE(r.individuals_checked, 0) AS individuals_checked,
  COALESCE(r.organisations_violating, 0) AS organisations_violating,
  COALESCE(r.individuals_violating, 0) AS individuals_violating,
  COALESCE(sa.sanctions, 0) AS sanctions, COALESCE(sa.fines_vnd, 0) AS fines_vnd,
  COALESCE(sa.confiscated_vnd, 0) AS confiscated_vnd,
  COALESCE(r.recover_vnd, 0) AS recover_vnd,
  COALESCE(co.recovered_vnd, 0) AS recovered_vnd,
  COALESCE(co.fines_collected_vnd, 0) AS fines_collected_vnd
FROM period p CROSS JOIN agency a
LEFT JOIN case_counts k ON k.code = p.code AND k.agency = a.id
LEFT JOIN results r ON r.code = p.code AND r.agency = a.id
LEFT JOIN sanctioned sa ON sa.code = p.code AND sa.agency = a.id
LEFT JOIN collected co ON co.code = p.code AND co.agency = a.id
WHERE 1 = 1 {agency_rows}
"""
)

# The conclusions each period has to implement (``due``): shared with the records behind
# the table's figures (services/counter_records.py).
IMPLEMENTATION_CTES = """
WITH period(code, p_start, p_end) AS (VALUES {periods}),
conclusions AS MATERIALIZED (
  SELECT i.id, i.agency, i.concluded_on, i.closed_on
  FROM inspection i
  WHERE i.deleted_at IS NULL {agencies}
    AND i.kind IN (SELECT ck.code FROM case_kind ck WHERE ck.report_table = 1)
    AND i.concluded_on <= (SELECT MAX(p_end) FROM period)
    AND (i.closed_on IS NULL OR i.closed_on >= (SELECT MIN(p_start) FROM period))
),
measures AS MATERIALIZED (
  -- Per conclusion, whatever the period: whether a measure is still open, the last
  -- completion, and what its measures require.
  SELECT m.inspection,
    MAX(CASE WHEN m.completed_on IS NULL THEN 1 ELSE 0 END) AS any_open,
    MAX(m.completed_on) AS last_completed,
    SUM(CASE WHEN m.type = 'recover_money' THEN m.amount_vnd ELSE 0 END) AS to_recover_vnd,
    SUM(CASE WHEN m.type = 'recover_land'
        THEN CAST(ROUND(m.land_m2 * 100) AS BIGINT) ELSE 0 END) AS to_recover_cm2,
    SUM(CASE WHEN m.type = 'discipline' THEN m.collectives ELSE 0 END)
      AS discipline_collectives,
    SUM(CASE WHEN m.type = 'discipline' THEN m.individuals ELSE 0 END)
      AS discipline_individuals,
    SUM(CASE WHEN m.type = 'criminal_referral'
        THEN CASE WHEN m.persons > 0 THEN m.persons ELSE m.cases END
        ELSE 0 END) AS referrals_required
  FROM measure m JOIN conclusions c ON c.id = m.inspection
  WHERE m.deleted_at IS NULL
  GROUP BY m.inspection
),
with_measures AS MATERIALIZED (
  -- One row per conclusion with what its measures say, joined once, not once per period.
  SELECT c.id, c.agency, c.concluded_on, c.closed_on, m.any_open, m.last_completed,
    m.to_recover_vnd, m.to_recover_cm2, m.discipline_collectives, m.discipline_individuals,
    m.referrals_required
  FROM conclusions c LEFT JOIN measures m ON m.inspection = c.id
),
due AS MATERIALIZED (
  -- Each period's conclusions to implement: signed within it, or with a measure still
  -- open at its start. Completed: closed by its end, or every measure completed by then.
  SELECT p.code, p.p_start, p.p_end, c.id, c.agency,
    CASE WHEN (c.closed_on IS NOT NULL AND c.closed_on <= p.p_end)
           OR (c.any_open = 0 AND c.last_completed <= p.p_end)
         THEN 1 ELSE 0 END AS is_completed,
    c.to_recover_vnd, c.to_recover_cm2, c.discipline_collectives, c.discipline_individuals,
    c.referrals_required
  FROM period p
  JOIN with_measures c ON c.concluded_on <= p.p_end
    AND (c.closed_on IS NULL OR c.closed_on >= p.p_start)
  WHERE c.concluded_on >= p.p_start OR c.any_open = 1 OR c.last_completed >= p.p_start
)"""

_IMPLEMENTATION_SQL = (
    IMPLEMENTATION_CTES
    + """,
due_counts AS (
  SELECT code, agency, COUNT(*) AS to_implement, SUM(is_completed) AS completed,
    SUM(to_recover_vnd) AS to_recover_vnd, SUM(to_recover_cm2) AS to_recover_cm2,
    SUM(discipline_collectives) AS discipline_collectives,
    SUM(discipline_individuals) AS discipline_individuals,
    SUM(referrals_required) AS referrals_required
  FROM due GROUP BY code, agency
),
execution_days AS MATERIALIZED (
  -- What was done on each conclusion's measures, per day, summed once for every period.
  -- Done before the conclusion (recovered during the inspection) counts on the day of the
  -- conclusion, when it becomes part of the conclusion's implementation. What counts
  -- before the first period's start is one row per conclusion, its day NULL: only the
  -- cumulative figures add it, and each period then joins a handful of rows, not years.
  SELECT m.inspection,
    CASE WHEN e.executed_on < w.first_start AND c.concluded_on < w.first_start THEN NULL
      WHEN e.executed_on < c.concluded_on THEN c.concluded_on ELSE e.executed_on END
      AS executed_on,
    SUM(CASE WHEN m.type = 'recover_money' THEN e.amount_vnd ELSE 0 END) AS money,
    SUM(CASE WHEN m.type = 'recover_land'
        THEN CAST(ROUND(e.land_m2 * 100) AS BIGINT) ELSE 0 END) AS land_cm2,
    SUM(CASE WHEN m.type = 'discipline' THEN e.quantity ELSE 0 END) AS disciplined,
    SUM(CASE WHEN m.type = 'criminal_referral' THEN e.quantity ELSE 0 END) AS referred
  FROM execution e JOIN measure m ON m.id = e.measure AND m.deleted_at IS NULL
  JOIN conclusions c ON c.id = m.inspection
  CROSS JOIN (SELECT MIN(p_start) AS first_start FROM period) w
  WHERE m.type IN ('recover_money', 'recover_land', 'discipline', 'criminal_referral')
    AND e.executed_on <= (SELECT MAX(p_end) FROM period)
  GROUP BY 1, 2
),
done AS (
  -- Within the period, and cumulative up to its end.
  SELECT d.code, d.agency,
    SUM(CASE WHEN x.executed_on >= d.p_start THEN x.money ELSE 0 END) AS recovered_vnd,
    SUM(x.money) AS recovered_total_vnd,
    SUM(CASE WHEN x.executed_on >= d.p_start THEN x.land_cm2 ELSE 0 END) AS recovered_cm2,
    SUM(x.land_cm2) AS recovered_total_cm2,
    SUM(CASE WHEN x.executed_on >= d.p_start THEN x.disciplined ELSE 0 END)
      AS discipline_done,
    SUM(CASE WHEN x.executed_on >= d.p_start THEN x.referred ELSE 0 END) AS referrals_made
  FROM due d JOIN execution_days x ON x.inspection = d.id
    AND (x.executed_on IS NULL OR x.executed_on <= d.p_end)
  GROUP BY d.code, d.agency
)
SELECT p.code AS period_code, a.id AS agency_id,
  COALESCE(dc.to_implement, 0) AS to_implement, COALESCE(dc.completed, 0) AS completed,
  COALESCE(dc.to_implement, 0) - COALESCE(dc.completed, 0) AS not_completed,
  COALESCE(dc.to_recover_vnd, 0) AS to_recover_vnd,
  COALESCE(dn.recovered_vnd, 0) AS recovered_vnd,
  COALESCE(dn.recovered_total_vnd, 0) AS recovered_total_vnd,
  COALESCE(dc.to_recover_cm2, 0) AS to_recover_m2,
  COALESCE(dn.recovered_cm2, 0) AS recovered_m2,
  COALESCE(dn.recovered_total_cm2, 0) AS recovered_total_m2,
  COALESCE(dc.discipline_collectives, 0) AS discipline_collectives,
  COALESCE(dc.discipline_individuals, 0) AS discipline_individuals,
  COALESCE(dn.discipline_done, 0) AS discipline_done,
  COALESCE(dc.referrals_required, 0) AS referrals_required,
  COALESCE(dn.referrals_made, 0) AS referrals_made
FROM period p CROSS JOIN agency a
LEFT JOIN due_counts dc ON dc.code = p.code AND dc.agency = a.id
LEFT JOIN done dn ON dn.code = p.code AND dn.agency = a.id
WHERE 1 = 1 {agency_rows}
"""
)

_SQL = {
    "inspections": _INSPECTIONS_SQL.replace("{table}", "1"),
    "checks": _CHECKS_SQL.replace("{table}", "2"),
    "implementation": _IMPLEMENTATION_SQL,
}


def is_land(key: str) -> bool:
    """True for counters of land area (decimal strings in m²)."""
    return key.endswith("_m2")


def is_money(key: str) -> bool:
    """True for counters of money (whole đồng)."""
    return key.endswith("_vnd")


def land_text(hundredths: int) -> str:
    """Land held as integer hundredths of m², written as the API's two-decimal string."""
    return str((Decimal(hundredths) / _HUNDRED).quantize(Decimal("0.01")))


def land_hundredths(text: int | str) -> int:
    """The integer hundredths of m² of a land counter ("1250.50" -> 125050)."""
    return int(Decimal(str(text)) * _HUNDRED)


_ZEROS = {
    table: {key: ("0.00" if is_land(key) else 0) for key in keys}
    for table, keys in COUNTER_KEYS.items()
}


def empty_counters() -> Counters:
    """Counters of the three tables, every one zero."""
    return {table: dict(zeros) for table, zeros in _ZEROS.items()}


_MARKERS = re.compile(r"\{(periods|agencies|agency_rows)\}")


def bind_periods(
    sql: str, periods: Sequence[Period], agency_ids: Sequence[int] | None, postgres: bool
) -> tuple[str, list[Any]]:
    """Fill ``{periods}`` and the agency filters with Piccolo ``{}`` placeholders and values."""
    ids = list(agency_ids) if agency_ids is not None else None
    # PostgreSQL cannot infer the type of a bare parameter in VALUES.
    text, day = ("CAST({} AS TEXT)", "CAST({} AS DATE)") if postgres else ("{}", "{}")
    args: list[Any] = []

    def fill(match: re.Match[str]) -> str:
        # re.sub calls this left to right, so the values follow the placeholders' order.
        if match.group(1) == "periods":
            args.extend(value for p in periods for value in (p.code, p.start, p.end))
            return ", ".join(f"({text}, {day}, {day})" for _ in periods)
        if ids is None:
            return ""
        args.extend(ids)
        column = "i.agency" if match.group(1) == "agencies" else "a.id"
        return f"AND {column} IN ({', '.join('{}' for _ in ids) or 'NULL'})"

    return _MARKERS.sub(fill, sql), args


def _counter_value(key: str, value: Any) -> int | str:
    if is_land(key):
        return land_text(int(value or 0))
    return int(value or 0)


async def _table_counters(
    table: str, periods: Sequence[Period], agency_ids: Sequence[int] | None
) -> dict[str, dict[int, dict[str, int | str]]]:
    sql, args = bind_periods(_SQL[table], periods, agency_ids, is_postgres())
    rows = await Inspection.raw(sql, *args)
    keys = COUNTER_KEYS[table]
    found: dict[str, dict[int, dict[str, int | str]]] = {p.code: {} for p in periods}
    for row in rows:
        found[str(row["period_code"])][int(row["agency_id"])] = {
            key: _counter_value(key, row[key]) for key in keys
        }
    return found


# Agencies per statement when every agency is computed on PostgreSQL: each table's statement
# runs once per group, side by side. Table 03 alone is about half of the work; in two halves
# it no longer outlasts the rest, and the six statements keep two cores busy to the end
# (docs/performance.md). Six connections of the pool's ten.
AGENCY_GROUPS = 2


def agency_groups(agency_ids: Sequence[int], groups: int = AGENCY_GROUPS) -> list[list[int]]:
    """``agency_ids`` dealt into ``groups`` lists in turn (ids in order, so that neighbours
    in the tree, created together, fall into different groups); no empty list."""
    ids = sorted(agency_ids)
    return [ids[start::groups] for start in range(min(groups, len(ids)))]


async def counters_by_period(
    periods: Sequence[Period],
    agency_ids: Sequence[int] | None = None,
    tables: Sequence[str] = TABLES,
) -> dict[str, dict[int, Counters]]:
    """Per period code, the counters of the tables (all three by default) for each agency's
    own records (every agency's when ``agency_ids`` is None).

    On PostgreSQL, when the caller is in no transaction, the statements run at the same
    time, each on a connection of its own (:func:`inspect_app.db.on_own_connection`): one
    per table, and for every agency one per table and group of agencies
    (:data:`AGENCY_GROUPS`). Each reads what is committed when it starts, as it would one
    after the other; a change committed between two of them marks its periods for the next
    refresh (services.changes), as it does when it commits during one. On SQLite, or inside
    a transaction (which may have written what they must see), one statement per table
    computes every period, in turn.
    """
    unique = list({p.code: p for p in periods}.values())
    if not unique or (agency_ids is not None and not agency_ids):
        return {p.code: {} for p in unique}
    side_by_side = is_postgres() and engine().current_transaction.get() is None
    groups: Sequence[list[int] | None] = [None if agency_ids is None else list(agency_ids)]
    if side_by_side and agency_ids is None:
        rows = await Agency.select(Agency.id)
        groups = agency_groups([int(row["id"]) for row in rows], AGENCY_GROUPS)
    if side_by_side and len(tables) * len(groups) > 1:
        by_table: dict[str, dict[str, dict[int, dict[str, int | str]]]] = {
            table: {p.code: {} for p in unique} for table in tables
        }
        # A task group: one statement failing cancels the others (no statement left running).
        async with asyncio.TaskGroup() as group:
            running = [
                (
                    table,
                    group.create_task(
                        on_own_connection(partial(_table_counters, table, unique, ids))
                    ),
                )
                for table in tables
                for ids in groups
            ]
        for table, task in running:
            for code, found in task.result().items():
                by_table[table][code].update(found)
    else:
        by_table = {table: await _table_counters(table, unique, agency_ids) for table in tables}
    return {
        p.code: {
            agency_id: {table: by_table[table][p.code][agency_id] for table in tables}
            for agency_id in by_table[tables[0]][p.code]
        }
        for p in unique
    }


async def self_counters(
    period: Period,
    agency_ids: Sequence[int] | None = None,
    tables: Sequence[str] = TABLES,
) -> dict[int, Counters]:
    """Counters of the tables (all three by default) for each agency's own records."""
    return (await counters_by_period([period], agency_ids, tables))[period.code]


# Every counter in one fixed order: (table, key, whether it is land in hundredths of m²).
_FLAT_KEYS = [(table, key, is_land(key)) for table, keys in COUNTER_KEYS.items() for key in keys]


def _flat(counters: Counters) -> list[int]:
    tables = {table: counters.get(table, {}) for table in COUNTER_KEYS}
    return [
        land_hundredths(tables[table].get(key, 0)) if land else int(tables[table].get(key, 0))
        for table, key, land in _FLAT_KEYS
    ]


def _from_flat(values: list[int]) -> Counters:
    found: Counters = {table: {} for table in COUNTER_KEYS}
    for (table, key, land), value in zip(_FLAT_KEYS, values, strict=True):
        found[table][key] = land_text(value) if land else value
    return found


def _add_flat(a: list[int], b: list[int]) -> list[int]:
    return [x + y for x, y in zip(a, b, strict=True)]


def add_counters(a: Counters, b: Counters) -> Counters:
    """The sum of two sets of counters (every counter is additive; land in hundredths)."""
    return _from_flat(_add_flat(_flat(a), _flat(b)))


def roll_up_tree(
    own: dict[int, T],
    agencies: list[tuple[int, str]],
    add: Callable[[T, T], T],
    empty: Callable[[], T],
) -> dict[int, T]:
    """Subtree sums: each agency's own figures added to it and to every ancestor on its path.

    ``agencies`` are (id, materialised path) pairs; an agency's subtree is every agency whose
    path starts with its own. Agencies without own figures count as ``empty()``.
    """
    known = {agency_id for agency_id, _ in agencies}
    subtree: dict[int, T] = {agency_id: empty() for agency_id in known}
    for agency_id, path in agencies:
        figures = own.get(agency_id)
        if figures is None:
            continue
        for ancestor in ancestors(path):
            if ancestor in known:
                subtree[ancestor] = add(subtree[ancestor], figures)
    return subtree


def roll_up(own: dict[int, Counters], agencies: list[tuple[int, str]]) -> dict[int, Counters]:
    """The report counters of each agency's subtree (see :func:`roll_up_tree`), the sums
    made on flat lists of integers (land in hundredths), what :func:`add_counters` gives."""
    sums = roll_up_tree(
        {agency_id: _flat(counters) for agency_id, counters in own.items()},
        agencies,
        _add_flat,
        lambda: [0] * len(_FLAT_KEYS),
    )
    return {agency_id: _from_flat(values) for agency_id, values in sums.items()}


def ancestors(path: str) -> list[int]:
    """The ids on a materialised path (the agency itself last): every subtree it counts in."""
    return [int(part) for part in path.strip("/").split("/") if part]


def changed_rows(
    old_own: dict[int, Counters],
    new_own: dict[int, Counters],
    old_subtree: dict[int, Counters],
    agencies: list[tuple[int, str]],
) -> tuple[dict[int, Counters], dict[int, Counters]]:
    """The rows that change when the own counters of some agencies are computed again.

    ``new_own`` holds the recomputed agencies (each one, with empty counters when it has no
    records), ``old_own`` and ``old_subtree`` what is stored. Returns the ("self",
    "subtree") figures to write: the recomputed agencies whose counters moved, and every
    agency above them (``old_subtree`` must hold those) with the difference added, which is
    what :func:`roll_up` over every agency gives, since every counter is additive.
    """
    zero = _flat(empty_counters())
    own_rows: dict[int, Counters] = {}
    deltas: dict[int, list[int]] = {}
    for agency_id, figures in new_own.items():
        new = _flat(figures)
        delta = [n - o for n, o in zip(new, _flat(old_own.get(agency_id, {})), strict=True)]
        if any(delta):
            own_rows[agency_id] = _from_flat(new)
            deltas[agency_id] = delta
    sums = roll_up_tree(deltas, agencies, _add_flat, lambda: list(zero))
    subtree_rows = {
        agency_id: _from_flat(_add_flat(_flat(old_subtree[agency_id]), delta))
        for agency_id, delta in sums.items()
        if any(delta)
    }
    return own_rows, subtree_rows


async def subtree_agencies(agency_id: int) -> list[tuple[int, str]]:
    """(id, path) of the agency and every agency below it."""
    root = await Agency.select(Agency.path).where(Agency.id == agency_id).first()
    if root is None:
        return []
    rows = await Agency.select(Agency.id, Agency.path).where(Agency.path.like(root["path"] + "%"))
    return [(int(row["id"]), str(row["path"])) for row in rows]


async def live_totals(agency_id: int, period: Period, include_sub: bool = True) -> Counters:
    """The counters of one agency (and, by default, its subtree) computed from the records."""
    if not include_sub:
        own = await self_counters(period, [agency_id])
        return own.get(agency_id, empty_counters())
    agencies = await subtree_agencies(agency_id)
    own = await self_counters(period, [agency_id for agency_id, _ in agencies])
    return roll_up(own, agencies).get(agency_id, empty_counters())


async def stored_totals(
    agency_id: int, period: Period, include_sub: bool = True
) -> tuple[Counters, datetime] | None:
    """The counters cached in AgencyTotals for this agency and period, with their time."""
    row = (
        await AgencyTotals.select(AgencyTotals.data, AgencyTotals.computed_at)
        .where(
            (AgencyTotals.agency == agency_id)
            & (AgencyTotals.period == period.code)
            & (AgencyTotals.scope == ("subtree" if include_sub else "self"))
        )
        .first()
    )
    if row is None:
        return None
    data = row["data"]
    if isinstance(data, str):
        import json

        data = json.loads(data)
    if not isinstance(data, dict) or not all(table in data for table in TABLES):
        return None
    counters = add_counters(empty_counters(), data)  # normalise types and missing keys
    computed_at = row["computed_at"]
    if computed_at is not None and computed_at.tzinfo is None:
        computed_at = computed_at.replace(tzinfo=UTC)
    return counters, computed_at


async def current_totals(
    agency_id: int, period: Period, include_sub: bool = True
) -> tuple[Counters, datetime, str]:
    """Counters from AgencyTotals when a row is there, else live; with "as of" and source."""
    stored = await stored_totals(agency_id, period, include_sub)
    if stored is not None:
        return stored[0], stored[1], "stored"
    return await live_totals(agency_id, period, include_sub), datetime.now(UTC), "live"


async def quarter_figures(agency_id: int, quarters: Sequence[Period]) -> dict[str, Counters]:
    """The subtree counters of ``agency_id`` for each quarter: the stored ones (one query),
    and the quarters the totals table lacks computed live in one batch."""
    rows = await AgencyTotals.select(AgencyTotals.period, AgencyTotals.data).where(
        (AgencyTotals.agency == agency_id)
        & (AgencyTotals.scope == "subtree")
        & AgencyTotals.period.is_in([q.code for q in quarters])
    )
    found: dict[str, Counters] = {}
    for row in rows:
        data = json.loads(row["data"]) if isinstance(row["data"], str) else row["data"]
        if isinstance(data, dict) and all(table in data for table in TABLES):
            found[str(row["period"])] = add_counters(empty_counters(), data)
    missing = [q for q in quarters if q.code not in found]
    if missing:
        agencies = await subtree_agencies(agency_id)
        by_period = await counters_by_period(missing, [a for a, _ in agencies])
        for quarter in missing:
            found[quarter.code] = roll_up(by_period[quarter.code], agencies).get(
                agency_id, empty_counters()
            )
    return found


# Rows per INSERT: 5 parameters each, well under the engines' limits on parameters.
UPSERT_BATCH = 2000


async def upsert_rows(rows: list[tuple[int, str, str, str]], now: datetime) -> None:
    """Write (agency, period, scope, JSON) rows, replacing the figures already there."""
    cast = "CAST({} AS JSON)" if is_postgres() else "{}"
    for start in range(0, len(rows), UPSERT_BATCH):
        batch = rows[start : start + UPSERT_BATCH]
        args: list[Any] = []
        for row in batch:
            args += [*row, now]
        values = ", ".join(f"({{}}, {{}}, {{}}, {cast}, {{}})" for _ in batch)
        await AgencyTotals.raw(
            "INSERT INTO agency_totals (agency, period, scope, data, computed_at)"
            f" VALUES {values} ON CONFLICT (agency, period, scope) DO UPDATE"
            " SET data = excluded.data, computed_at = excluded.computed_at",
            *args,
        )


def diff_totals(a: Counters, b: Counters) -> list[str]:
    """Counters that differ between two sets, as "table.key: a != b" lines (empty: equal)."""
    lines = []
    for table, keys in COUNTER_KEYS.items():
        for key in keys:
            x, y = a.get(table, {}).get(key), b.get(table, {}).get(key)
            if is_land(key) and x is not None and y is not None:
                same = land_hundredths(x) == land_hundredths(y)
            else:
                same = x == y
            if not same:
                lines.append(f"{table}.{key}: {x} != {y}")
    return lines
