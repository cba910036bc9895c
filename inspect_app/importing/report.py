"""The dry run's findings written onto a copy of the input: each bad cell filled and commented.

The user fixes the workbook they know, in place, rather than matching a list of cell names
against it. An .xlsx keeps its own formatting; an .xls or .ods (which openpyxl cannot open)
is copied value by value from what the reader read.
"""

from __future__ import annotations

import io
from collections import defaultdict
from collections.abc import Iterable

from openpyxl import Workbook, load_workbook
from openpyxl.comments import Comment
from openpyxl.styles import PatternFill
from openpyxl.worksheet.worksheet import Worksheet

from inspect_app.domain.messages import N_
from inspect_app.i18n import translate
from inspect_app.importing.reader import Sheet
from inspect_app.importing.validate import Problem

COMMENT_AUTHOR = N_("Import check")
PROBLEM_FILL = PatternFill(fill_type="solid", start_color="FFFFC7CE", end_color="FFFFC7CE")
_COMMENT_WIDTH_PT = 260
_COMMENT_LINE_PT = 18


def _copy_of(source: bytes, filename: str, sheets: Iterable[Sheet]) -> Workbook:
    if filename.lower().endswith((".xlsx", ".xlsm")):
        return load_workbook(io.BytesIO(source))
    workbook = Workbook()
    default = workbook.active
    for sheet in sheets:
        target = workbook.create_sheet(sheet.name)
        for row in sheet.rows:
            target.append(list(row))
    if default is not None and len(workbook.worksheets) > 1:
        workbook.remove(default)
    return workbook


def _anchor(worksheet: Worksheet, row: int, column: int) -> tuple[int, int]:
    """The top left cell of the merged range holding a cell (only that one can be styled)."""
    for merged in worksheet.merged_cells.ranges:
        if merged.min_row <= row <= merged.max_row and merged.min_col <= column <= merged.max_col:
            return merged.min_row, merged.min_col
    return row, column


def annotated_workbook(
    source: bytes, filename: str, sheets: Iterable[Sheet], problems: Iterable[Problem], lang: str
) -> bytes:
    """The input as .xlsx with every problem's cell filled and commented in ``lang``.

    A problem of a whole row is put on the row's first cell, one of a whole sheet (or of the
    workbook) on the first cell of the sheet (of the first sheet); several problems of one
    cell share its comment, one line each.
    """
    workbook = _copy_of(source, filename, sheets)
    by_cell: dict[tuple[str, int, int], list[str]] = defaultdict(list)
    for problem in problems:
        sheet_name = problem.sheet if problem.sheet in workbook.sheetnames else ""
        row = problem.row or 1
        column = (problem.column or 0) + 1
        by_cell[(sheet_name, row, column)].append(problem.text(lang))
    author = translate(COMMENT_AUTHOR, lang)
    for (sheet_name, row, column), messages in by_cell.items():
        worksheet: Worksheet = workbook[sheet_name] if sheet_name else workbook.worksheets[0]
        row, column = _anchor(worksheet, row, column)
        cell = worksheet.cell(row=row, column=column)
        cell.fill = PROBLEM_FILL
        text = "\n".join(dict.fromkeys(messages))
        comment = Comment(text, author)
        comment.width = _COMMENT_WIDTH_PT
        comment.height = _COMMENT_LINE_PT * (2 + len(messages) + len(text) // 40)
        cell.comment = comment
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()
