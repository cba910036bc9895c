"""The frozen figures of a report (``Report.totals``), as typed records.

:func:`inspect_app.services.report_runner.compute_figures` builds them, the report row stores
them as JSON (:meth:`ReportFigures.to_stored`), and every renderer (the report page, HTML/PDF,
XLSX, CSV, the JSON copy, the charts) and the sums of submitted reports read them back
(:func:`stored_figures`). The stored document keeps its shape: the counters of each table
(``services.totals.TABLES``) under the table's key, at the top level of the document, of last
year's figures and of each row; keys that a report may lack (a merger, a report made from
submitted figures) are left out when absent, and read back with their default, as are those
that reports frozen earlier lack (agency codes, the trend).
"""

from __future__ import annotations

import logging
from typing import Protocol

import msgspec

from inspect_app.services.export_text import PrintableText
from inspect_app.services.totals import TABLES, Counters

logger = logging.getLogger(__name__)

# The three tables are fixed named fields of the records below.
assert TABLES == ("inspections", "checks", "implementation"), TABLES

# One table's counters: counter name → value (whole đồng or a count as int, m² as text).
CounterTable = dict[str, int | str]


class HasTables(Protocol):
    """A record carrying the counters of the three tables."""

    inspections: CounterTable
    checks: CounterTable
    implementation: CounterTable


def table_of(holder: HasTables, table: str) -> CounterTable:
    """The counters of ``table`` ("inspections", "checks", "implementation") of ``holder``."""
    if table == "inspections":
        return holder.inspections
    if table == "checks":
        return holder.checks
    if table == "implementation":
        return holder.implementation
    raise KeyError(table)


def counters_of(holder: HasTables) -> Counters:
    """The counters of every table of ``holder``, by table."""
    return {table: dict(table_of(holder, table)) for table in TABLES}


class FigureTables(msgspec.Struct, kw_only=True):
    """The counters of the three tables (a row's figures of last year)."""

    inspections: CounterTable
    checks: CounterTable
    implementation: CounterTable


def figure_tables(counters: Counters) -> FigureTables:
    """The three tables of ``counters`` (services.totals), as a record."""
    return FigureTables(
        inspections=counters["inspections"],
        checks=counters["checks"],
        implementation=counters["implementation"],
    )


class PreviousFigures(msgspec.Struct, kw_only=True, omit_defaults=True):
    """The total of the same period of last year."""

    period: str = ""
    period_from: str = ""
    period_to: str = ""
    inspections: CounterTable
    checks: CounterTable
    implementation: CounterTable


class FigureRow(msgspec.Struct, kw_only=True, omit_defaults=True):
    """A row of the tables: the agency's own records, a child's subtree, or an agency
    merged into it (``merged_on``). In a report made from submitted figures, a unit's row
    says where its figures come from (``source``: "submitted" or "live")."""

    agency_id: int
    agency_code: str = ""  # reports frozen before they carried codes lack it
    name: str
    own: bool
    inspections: CounterTable
    checks: CounterTable
    implementation: CounterTable
    previous: FigureTables
    merged_on: str | None = None  # ISO date
    source: str | None = None


class TrendPoint(msgspec.Struct, kw_only=True):
    """One quarter of the trend: recovery recommended and money recovered (whole đồng)."""

    period: str
    short: str
    recommended_vnd: int
    recovered_vnd: int


class Successor(msgspec.Struct, kw_only=True):
    """The agency a report's agency merged into, and when (ISO date)."""

    agency_id: int
    name: str
    on: str


class ReportFigures(msgspec.Struct, kw_only=True, omit_defaults=True):
    """The frozen figures of a report: the total, last year's, a row per unit, the trend."""

    layout: str
    agency_id: int
    agency_code: str = ""  # reports frozen before they carried codes lack it
    agency_name: str
    period: str
    period_from: str = ""
    period_to: str = ""
    as_of: str = ""  # ISO instant the figures were computed at
    inspections: CounterTable
    checks: CounterTable
    implementation: CounterTable
    previous: PreviousFigures
    rows: list[FigureRow]
    trend: list[TrendPoint] = msgspec.field(default_factory=list)
    succeeded_by: Successor | None = None
    # Only in a report made from the units' submitted reports.
    source: str | None = None
    submitted_units: int | None = None
    units: int | None = None

    def to_stored(self) -> dict[str, object]:
        """The figures as stored in the report row's JSON column."""
        stored: dict[str, object] = msgspec.to_builtins(self)
        return stored


def stored_figures(value: object) -> ReportFigures | None:
    """The figures of a report row's JSON column (parsed); None when the report holds no
    complete figures (not generated yet, or frozen incomplete)."""
    if not isinstance(value, dict):
        return None
    try:
        return msgspec.convert(value, ReportFigures)
    except msgspec.ValidationError as exc:
        if value:  # a report frozen with figures that are not what the files are drawn from
            logger.warning("report figures not readable: %s", exc)
        return None


def printable_figures(figures: ReportFigures, clean: PrintableText) -> ReportFigures:
    """``figures`` with every text in them made printable by ``clean``."""
    return msgspec.convert(clean(msgspec.to_builtins(figures)), ReportFigures)
