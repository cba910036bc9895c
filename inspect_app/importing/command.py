"""The dry run as the ``inspect-app import`` command runs it: read, check, print, annotate.

Kept apart from ``inspect_app.cli`` so that it runs without a database: the command looks
the agency up and passes what it found.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TextIO

from inspect_app.domain.messages import bound
from inspect_app.i18n import translate
from inspect_app.importing.mapping import RECORD_KINDS, RecordKind
from inspect_app.importing.reader import WorkbookError, read_workbook
from inspect_app.importing.report import annotated_workbook
from inspect_app.importing.validate import MSG_UNKNOWN_AGENCY, DryRun, Problem, dry_run

BAR_WIDTH = 30


def progress_bar(done: int, total: int, width: int = BAR_WIDTH) -> str:
    """A text progress bar: "[#####.....]  50 %"."""
    filled = width * done // total if total else width
    percent = 100 * done // total if total else 100
    return f"[{'#' * filled}{'.' * (width - filled)}] {percent:3d} %"


def problem_line(problem: Problem, lang: str) -> str:
    """One problem as a line: sheet, cell, message."""
    where = " ".join(part for part in (problem.sheet, problem.cell) if part)
    return f"{where}: {problem.text(lang)}" if where else problem.text(lang)


def run_dry_run(
    path: Path,
    agency_code: str,
    agency_known: bool,
    today: dt.date,
    out: TextIO,
    lang: str = "vi",
    report_path: Path | None = None,
) -> DryRun | None:
    """Check a workbook and print the progress and every problem; None if unreadable.

    With ``report_path``, the annotated copy is written there when there are problems.
    """
    try:
        sheets = read_workbook(path)
    except WorkbookError as error:
        print(translate(error.message, lang), file=out)
        return None
    checked = 0

    def show(kind: RecordKind, rows: int) -> None:
        nonlocal checked
        checked += 1
        bar = progress_bar(RECORD_KINDS.index(kind) + 1, len(RECORD_KINDS))
        print(f"{bar}  {kind}: {rows} rows", file=out)

    result = dry_run(sheets, today, lang, progress=show)
    if not agency_known:
        result.problems.insert(
            0, Problem("", None, None, bound(MSG_UNKNOWN_AGENCY, code=agency_code))
        )
    rows = sum(len(found) for found in result.rows.values())
    print(f"{progress_bar(1, 1)}  {rows} rows checked, {len(result.problems)} problems", file=out)
    for problem in result.problems:
        print(problem_line(problem, lang), file=out)
    if report_path is not None and result.problems:
        content = annotated_workbook(path.read_bytes(), path.name, sheets, result.problems, lang)
        report_path.write_bytes(content)
        print(f"annotated copy: {report_path}", file=out)
    return result
