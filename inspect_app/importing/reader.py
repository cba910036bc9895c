"""Reading legacy workbooks (.xlsx, .xls, .ods) into rows per sheet, with python-calamine.

calamine reads all three formats natively and fast (no LibreOffice, no xlrd); cells come back
as int, float, str, bool, date/datetime, or "" for a blank cell. Rows keep their position in
the sheet, so a problem is reported at the row number the user sees in Excel.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from python_calamine import CalamineError, CalamineWorkbook, SheetTypeEnum, SheetVisibleEnum

from inspect_app.domain.messages import N_
from inspect_app.importing.mapping import (
    RECORD_KINDS,
    HeaderLocation,
    RecordKind,
    find_header,
    fold_header,
)

Cell = int | float | str | bool | dt.date | dt.datetime | dt.time | dt.timedelta | None

MSG_UNREADABLE = N_("The file cannot be read as a workbook (.xlsx, .xls or .ods).")
SUPPORTED_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")

# Sheet names seen in legacy workbooks, folded, per record kind; the template's come first.
SHEET_NAMES: dict[RecordKind, tuple[str, ...]] = {
    "cases": ("cuoc thanh tra", "cac cuoc thanh tra", "cuoc tt", "quyet dinh", "cases"),
    "subjects": ("doi tuong", "doi tuong thanh tra", "subjects"),
    "findings": ("phat hien", "vi pham", "phat hien vi pham", "findings"),
    "measures": ("kien nghi", "bien phap", "kien nghi xu ly", "bien phap xu ly", "measures"),
    "executions": ("thuc hien", "ket qua thuc hien", "thu hoi", "executions"),
}


class WorkbookError(ValueError):
    """A file that is not a readable workbook; ``message`` is a message id."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass
class Sheet:
    """A worksheet's cells by row: ``rows[i]`` is the sheet's row ``i + 1``, blanks as None."""

    name: str
    rows: list[list[Cell]]

    def kind(self) -> RecordKind | None:
        """The record kind the sheet's name says it holds, if any."""
        return sheet_kind(self.name)

    def header(self, kind: RecordKind) -> HeaderLocation | None:
        """Where the header of ``kind`` is in this sheet (see ``mapping.find_header``)."""
        return find_header(kind, self.rows)

    def data_rows(self, header: HeaderLocation) -> Iterator[tuple[int, list[Cell]]]:
        """The non-blank rows after the header, each with its row number as Excel shows it."""
        for index in range(header.row + header.height, len(self.rows)):
            row = self.rows[index]
            if any(cell is not None for cell in row):
                yield index + 1, row


def sheet_kind(name: str) -> RecordKind | None:
    """The record kind of a sheet by its name, with or without diacritics, or None."""
    folded = fold_header(name)
    for kind in RECORD_KINDS:
        if folded in SHEET_NAMES[kind]:
            return kind
    return None


def _cell(value: object) -> Cell:
    if value == "" or (isinstance(value, str) and not value.strip()):
        return None
    return value  # type: ignore[return-value]


def read_workbook(source: str | Path | bytes | BinaryIO) -> list[Sheet]:
    """Every visible worksheet of a workbook, its rows aligned with the sheet's row numbers."""
    if isinstance(source, bytes):
        source = io.BytesIO(source)
    try:
        workbook = CalamineWorkbook.from_object(source)
    except (CalamineError, OSError, ValueError) as error:
        raise WorkbookError(MSG_UNREADABLE) from error
    sheets: list[Sheet] = []
    with workbook:
        for metadata in workbook.sheets_metadata:
            if metadata.typ != SheetTypeEnum.WorkSheet:
                continue
            if metadata.visible != SheetVisibleEnum.Visible:
                continue
            try:
                sheet = workbook.get_sheet_by_name(metadata.name)
                # skip_empty_area=False keeps leading blank rows and columns, so that
                # positions are the sheet's own.
                raw = sheet.to_python(skip_empty_area=False)
            except CalamineError as error:
                raise WorkbookError(MSG_UNREADABLE) from error
            rows = [[_cell(value) for value in row] for row in raw]
            while rows and all(cell is None for cell in rows[-1]):
                rows.pop()
            sheets.append(Sheet(metadata.name, rows))
    return sheets
