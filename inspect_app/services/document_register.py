"""The document register: per agency and year, numbers that are never given twice.

Decree 30/2020/NĐ-CP numbers an agency's documents from 01 on 1 January to 31 December of
each year. A number is taken by incrementing the agency's counter row for the year with one
``INSERT … ON CONFLICT DO UPDATE … RETURNING``: the first document of a year creates the row,
every later one increments it under the row's lock, so concurrent sign-offs queue on that
row and come out with consecutive numbers. The number is then written to the register
(``document_number``), whose UNIQUE (agency, year, number) would refuse a duplicate even if
the counter were ever wrong. A transaction that rolls back after taking a number gives it
back with the counter; one that fails after committing leaves a gap, never a duplicate.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from inspect_app.db import write_transaction
from models.tables import DocumentCounter, DocumentNumber

_NEXT_NUMBER = (
    "INSERT INTO document_counter (agency, year, last_number) VALUES ({}, {}, 1) "
    "ON CONFLICT (agency, year) DO UPDATE SET last_number = document_counter.last_number + 1 "
    "RETURNING last_number"
)


async def take_number(
    agency_id: int,
    issued_on: date,
    *,
    kind: str,
    symbol: str,
    report_id: int | None = None,
    issued_by: int | None = None,
) -> int:
    """The next number of ``agency_id``'s register for the year of ``issued_on``, recorded.

    Runs in the caller's transaction when there is one (the number is then given back if
    that transaction rolls back), else in its own.
    """
    async with write_transaction():
        rows = await DocumentCounter.raw(_NEXT_NUMBER, agency_id, issued_on.year)
        number = int(rows[0]["last_number"])
        await DocumentNumber.insert(
            DocumentNumber(
                agency=agency_id,
                year=issued_on.year,
                number=number,
                kind=kind,
                symbol=symbol,
                report=report_id,
                issued_on=issued_on,
                issued_by=issued_by,
            )
        )
    return number


@dataclass(frozen=True)
class RegisteredNumber:
    """A number an agency gave to a document: what kind, with which symbol, on which day,
    and the report it numbers (None for a letter)."""

    number: int
    kind: str
    symbol: str
    report: int | None
    issued_on: date


async def register(agency_id: int, year: int) -> list[RegisteredNumber]:
    """The numbers ``agency_id`` gave in ``year``, in order."""
    rows = (
        await DocumentNumber.select(
            DocumentNumber.number,
            DocumentNumber.kind,
            DocumentNumber.symbol,
            DocumentNumber.report,
            DocumentNumber.issued_on,
        )
        .where((DocumentNumber.agency == agency_id) & (DocumentNumber.year == year))
        .order_by(DocumentNumber.number)
    )
    return [
        RegisteredNumber(
            number=int(row["number"]),
            kind=str(row["kind"]),
            symbol=str(row["symbol"]),
            report=None if row["report"] is None else int(row["report"]),
            issued_on=row["issued_on"],
        )
        for row in rows
    ]
