"""The report as a workbook: the narrative on its own sheet, one sheet per table.

Every sheet opens with the document frame of Decree 30/2020/NĐ-CP (parent body and agency
with the number top left, national heading, motto and date top right) and closes with the
preparer and the signer. Table sheets print like the forms: A4 with the decree's margins,
landscape where the table is wide, fitted to the page width, header rows repeated on every
page (print titles), page numbers from page 2, panes frozen below the header and right of
the unit names. The total row holds formulas over the unit rows (``SUM``), rates and changes
are formulas too, so a clerk's correction of a unit's figure recomputes the total.

openpyxl writes formulas without a cached value, and a reader that does not recalculate
(a viewer, a phone, a script reading the file) would then see empty cells. So the workbook is
written to memory and its sheet XML gets each formula cell's value, the figure the report
holds, as the cell's cached ``<v>``; the workbook still asks Excel and LibreOffice to
recalculate on load. The ZIP is then rewritten with fixed timestamps and the document
properties dated by the figures, so that the same report gives the same bytes every time.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.page import PageMargins
from openpyxl.worksheet.worksheet import Worksheet

from inspect_app.domain import print_layout
from inspect_app.domain import report_layout as rl
from inspect_app.domain.periods import parse_period
from inspect_app.i18n import pN_, translate
from inspect_app.services import font_metrics
from inspect_app.services.export_text import PrintableText
from inspect_app.services.report_document import DocumentFrame, printable_frame
from inspect_app.services.report_figures import ReportFigures, printable_figures
from inspect_app.services.report_render import (
    TableView,
    document_text,
    report_name,
    table_views,
)

FONT_NAME = "Times New Roman"
FONT_SIZE = 11
MM_PER_INCH = 25.4
# Excel column width unit: the width of a digit of the default font (Calibri 11, 7 px).
PX_PER_CHAR = 7.0
ZIP_TIME = (1980, 1, 1, 0, 0, 0)  # the earliest a ZIP can say: the file's date is the data's
# Sheet names (at most 31 characters in Excel), in the words of the printed report.
NARRATIVE_SHEET = pN_("report document", "Narrative")
SHEET_NAMES = {
    "inspections": pN_("report document", "01 Inspections"),
    "checks": pN_("report document", "02 Specialised checks"),
    "implementation": pN_("report document", "03 Implementation"),
}
_THIN = Side(style="thin", color="000000")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
_LEFT_WRAP = Alignment(horizontal="left", vertical="center", wrap_text=True)


@dataclass
class _Cached:
    """The cached values to put into formula cells, per sheet (in workbook order)."""

    by_sheet: list[dict[str, float | int | str]] = field(default_factory=list)


def _font(bold: bool = False, italic: bool = False, size: float = FONT_SIZE, **kw: Any) -> Font:
    return Font(name=FONT_NAME, size=size, bold=bold, italic=italic, **kw)


def _mm_to_width(mm: float) -> float:
    px = mm / MM_PER_INCH * 96
    return round(max(px - 5, 0) / PX_PER_CHAR + 0.7, 2)


def _number(value: Decimal | int | None) -> float | int | None:
    if value is None:
        return None
    return value if isinstance(value, int) else float(value)


def _merge_text(
    sheet: Worksheet,
    row: int,
    first: int,
    last: int,
    text: str,
    font: Font,
    align: Alignment = _CENTER,
) -> None:
    cell = sheet.cell(row, first, text)
    cell.font = font
    cell.alignment = align
    if last > first:
        sheet.merge_cells(start_row=row, start_column=first, end_row=row, end_column=last)


def _frame_rows(sheet: Worksheet, frame: DocumentFrame, width: int) -> int:
    """The heading of the document in rows 1-3 (left block and right block); next free row."""
    split = max(2, round(width * 0.4))
    right = split + 1
    _merge_text(sheet, 1, 1, split, str(frame.parent_body), _font(size=12))
    _merge_text(sheet, 1, right, width, str(frame.national_name), _font(bold=True, size=12))
    _merge_text(sheet, 2, 1, split, str(frame.agency_name), _font(bold=True, size=12))
    _merge_text(
        sheet, 2, right, width, str(frame.motto), _font(bold=True, size=12, underline="single")
    )
    _merge_text(sheet, 3, 1, split, str(frame.number_line), _font(size=12))
    _merge_text(sheet, 3, right, width, str(frame.date_line), _font(italic=True, size=12))
    for row in (1, 2, 3):
        sheet.row_dimensions[row].height = 17
    return 5


def _sign_rows(
    sheet: Worksheet,
    frame: DocumentFrame,
    row: int,
    width: int,
    preparer: bool,
    text: Mapping[str, str],
) -> int:
    """Preparer (or "Nơi nhận") bottom left and the signer bottom right; next free row."""
    split = max(2, round(width * 0.4))
    right = split + 1
    lines_left: list[tuple[str, Font]]
    if preparer:
        lines_left = [(text["preparer"], _font(bold=True))]
        lines_left += [("", _font())] * 4 + [(str(frame.preparer), _font(bold=True))]
    else:
        lines_left = [(text["distribution"], _font(bold=True, italic=True))]
        lines_left += [(line, _font(size=10)) for line in frame.distribution]
    lines_right = [(line, _font(bold=True)) for line in frame.signer_lines]
    lines_right += [("", _font())] * 4 + [(str(frame.signer_name), _font(bold=True))]
    left_align = Alignment(horizontal="center" if preparer else "left", vertical="top")
    for offset in range(max(len(lines_left), len(lines_right))):
        if offset < len(lines_left) and lines_left[offset][0]:
            line, font = lines_left[offset]
            _merge_text(sheet, row + offset, 1, split, line, font, left_align)
        if offset < len(lines_right) and lines_right[offset][0]:
            line, font = lines_right[offset]
            _merge_text(sheet, row + offset, right, width, line, font)
    return row + max(len(lines_left), len(lines_right))


def _print_setup(sheet: Worksheet, landscape: bool, title_rows: str | None) -> None:
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.orientation = "landscape" if landscape else "portrait"
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.page_margins = PageMargins(
        left=30 / MM_PER_INCH,
        right=15 / MM_PER_INCH,
        top=20 / MM_PER_INCH,
        bottom=20 / MM_PER_INCH,
        header=8 / MM_PER_INCH,
        footer=8 / MM_PER_INCH,
    )
    sheet.print_options.horizontalCentered = True
    # Page numbers centred at the top, from page 2 on (Decree 30).
    sheet.HeaderFooter.differentFirst = True
    sheet.oddHeader.center.text = "&P"
    sheet.oddHeader.center.font = FONT_NAME
    sheet.oddHeader.center.size = 12
    if title_rows:
        sheet.print_title_rows = title_rows


def _narrative_sheet(workbook: Workbook, narrative: str, frame: DocumentFrame, lang: str) -> None:
    text = document_text(lang)
    sheet = workbook.create_sheet(translate(NARRATIVE_SHEET, lang))
    width = 8
    for col in range(1, width + 1):
        sheet.column_dimensions[get_column_letter(col)].width = 11.5
    row = _frame_rows(sheet, frame, width)
    _merge_text(sheet, row, 1, width, str(frame.kind), _font(bold=True, size=13))
    _merge_text(sheet, row + 1, 1, width, str(frame.summary), _font(bold=True, size=13))
    row += 3
    for i, line in enumerate(frame.recipients):
        prefix = text["recipients"] + " " if i == 0 else ""
        _merge_text(sheet, row, 1, width, prefix + line, _font(size=12))
        row += 1
    row += 1
    chars_per_line = 95  # eight columns of 11.5 at 11 pt
    for paragraph in [p.strip() for p in narrative.split("\n\n") if p.strip()]:
        heading = bool(re.match(r"^[IVX]+\.\s", paragraph))
        _merge_text(
            sheet,
            row,
            1,
            width,
            paragraph,
            _font(bold=heading),
            Alignment(horizontal="justify", vertical="top", wrap_text=True),
        )
        lines = sum(max(1, -(-len(line) // chars_per_line)) for line in paragraph.split("\n"))
        sheet.row_dimensions[row].height = 15 * lines + 3
        row += 1
    _sign_rows(sheet, frame, row + 1, width, preparer=False, text=text)
    _print_setup(sheet, landscape=False, title_rows=None)


def _column_widths(view: TableView) -> list[float]:
    """Excel widths from the content at the sheet's font size (names on two lines at most)."""
    widths = print_layout.natural_widths_mm(
        numbers=[print_layout.Cell(row.number) for row in view.rows],
        names=[print_layout.Cell(row.label, row.kind == "total") for row in view.rows],
        columns=[
            [print_layout.Cell(row.texts[i], row.kind == "total") for row in view.rows]
            for i in range(len(view.units))
        ],
        headers=[""] * len(view.units),  # headers wrap inside their cells
        leading_headers=view.leading,
        size=FONT_SIZE,
        measure=font_metrics.measure(),
    )
    # A figure column is never narrower than 9 characters, so that its header can wrap.
    return [
        _mm_to_width(mm) if i < 2 else max(_mm_to_width(mm), 9.0) for i, mm in enumerate(widths)
    ]


def _table_sheet(
    workbook: Workbook,
    table: rl.TableLayout,
    view: TableView,
    totals: ReportFigures,
    frame: DocumentFrame,
    landscape: bool,
    cached: dict[str, float | int | str],
    lang: str,
) -> None:
    text = document_text(lang)
    name = SHEET_NAMES.get(table.counters)
    sheet = workbook.create_sheet(translate(name, lang) if name else table.form_no)
    columns = table.columns()
    width = 2 + len(columns)
    period = parse_period(totals.period)
    row = _frame_rows(sheet, frame, width)
    sheet.cell(row, width, f"{text['form']} {view.form_no}").font = _font(italic=True)
    sheet.cell(row, width).alignment = Alignment(horizontal="right")
    _merge_text(sheet, row + 1, 1, width, view.title, _font(bold=True, size=13))
    bounds = text["from_to"].format(start=f"{period.start:%d/%m/%Y}", end=f"{period.end:%d/%m/%Y}")
    _merge_text(
        sheet, row + 2, 1, width, f"{text['period']}: {period.label(lang)} ({bounds})", _font()
    )
    _merge_text(
        sheet,
        row + 3,
        1,
        width,
        text["annex_of"].format(reference=str(frame.number_line)[4:]),
        _font(italic=True),
    )
    unit = sheet.cell(row + 4, width, text["unit"])
    unit.font = _font(italic=True)
    unit.alignment = Alignment(horizontal="right")
    first = row + 5
    for header_row in view.header:
        for cell in header_row:
            r, c = first + cell.row, 1 + cell.col
            target = sheet.cell(r, c, cell.text)
            target.font = _font(bold=True)
            target.alignment = _CENTER
            if cell.rowspan > 1 or cell.colspan > 1:
                sheet.merge_cells(
                    start_row=r,
                    start_column=c,
                    end_row=r + cell.rowspan - 1,
                    end_column=c + cell.colspan - 1,
                )
    depth = len(view.header)
    numbering = first + depth  # the forms number their columns (1), (2), ...
    for col in range(1, width + 1):
        cell = sheet.cell(numbering, col, f"({col})")
        cell.alignment = Alignment(horizontal="center")
        cell.font = _font(italic=True)
    for r in range(first, numbering + 1):
        for col in range(1, width + 1):
            sheet.cell(r, col).border = _BORDER
    for r in range(first, first + depth):
        sheet.row_dimensions[r].height = 48

    summary, units = view.summary_rows, view.unit_rows
    total_row, previous_row, change_row = numbering + 1, numbering + 2, numbering + 3
    unit_first = numbering + 1 + len(summary)
    unit_last = unit_first + len(units) - 1
    column_of = {column.key: get_column_letter(3 + i) for i, column in enumerate(columns)}
    name_width = _column_widths(view)

    def write_row(r: int, item: Any) -> None:
        sheet.cell(r, 1, int(item.number) if item.number else None)
        label = sheet.cell(r, 2, item.label)
        label.alignment = _LEFT_WRAP
        label.font = _font(bold=item.kind == "total", italic=item.kind in ("previous", "change"))
        for i, (column, value) in enumerate(zip(columns, item.values, strict=True)):
            letter = get_column_letter(3 + i)
            target = sheet.cell(r, 3 + i)
            shown_unit = "percent" if item.kind == "change" else column.unit
            formula = _formula(item.kind, column, letter, r, column_of, total_row, previous_row,
                               unit_first, unit_last)  # fmt: skip
            if formula is not None:
                target.value = formula
                cached[f"{letter}{r}"] = "" if value is None else _number(value)  # type: ignore[assignment]
            else:
                target.value = _number(value)
            target.number_format = rl.EXCEL_FORMATS[shown_unit]
            target.font = _font(bold=item.kind == "total")
        for col in range(1, width + 1):
            sheet.cell(r, col).border = _BORDER

    for offset, item in enumerate(summary):
        write_row(numbering + 1 + offset, item)
    for offset, item in enumerate(units):
        write_row(unit_first + offset, item)
    assert change_row == numbering + 3 and unit_first == change_row + 1

    # Unit names wrap on at most two lines in a column fitted to them.
    for i, w in enumerate(name_width, start=1):
        sheet.column_dimensions[get_column_letter(i)].width = w
    for r in range(total_row, unit_last + 1):
        label = str(sheet.cell(r, 2).value or "")
        one_line = font_metrics.text_width(label, FONT_SIZE) * 96 / 72 / PX_PER_CHAR
        sheet.row_dimensions[r].height = 30 if one_line > name_width[1] - 1 else 16

    _sign_rows(sheet, frame, unit_last + 2, width, preparer=True, text=text)
    sheet.freeze_panes = sheet.cell(numbering + 1, 3)
    _print_setup(sheet, landscape, f"{first}:{numbering}")


def _formula(
    kind: str,
    column: rl.Column,
    letter: str,
    row: int,
    column_of: Mapping[str, str],
    total_row: int,
    previous_row: int,
    unit_first: int,
    unit_last: int,
) -> str | None:
    """The formula of a cell, or None for a plain figure."""
    if column.ratio is not None:
        if kind == "change":
            return None
        numerator, denominator = (column_of[key] for key in column.ratio)
        return f'=IF({denominator}{row}=0,"",ROUND({numerator}{row}*100/{denominator}{row},1))'
    if kind == "total":
        return f"=SUM({letter}{unit_first}:{letter}{unit_last})"
    if kind == "change":
        now, before = f"{letter}{total_row}", f"{letter}{previous_row}"
        return f'=IF({before}=0,"",ROUND(({now}-{before})*100/{before},1))'
    return None


def build_workbook(
    totals: ReportFigures,
    narrative: str,
    frame: DocumentFrame,
    landscape: Sequence[bool] | None = None,
    lang: str = "vi",
) -> tuple[Workbook, _Cached]:
    """The workbook and the cached values of its formula cells (per sheet, in order), its
    words in ``lang`` (the language of the printed document).

    Stored text (figures, narrative, frame) is made printable first: openpyxl refuses
    control characters in a cell, and the document properties are XML too."""
    clean = PrintableText(report_name(totals, "XLSX"))
    totals, frame = printable_figures(totals, clean), printable_frame(frame, clean)
    narrative = clean(narrative)
    clean.log()
    layout = rl.get_layout(totals.layout)
    workbook = Workbook()
    workbook.remove(workbook.active)
    cached = _Cached()
    _narrative_sheet(workbook, narrative, frame, lang)
    cached.by_sheet.append({})
    views = table_views(totals, lang)
    for index, (table, view) in enumerate(zip(layout.tables, views, strict=True)):
        wide = landscape[index] if landscape is not None else len(view.units) > 8
        cells: dict[str, float | int | str] = {}
        _table_sheet(workbook, table, view, totals, frame, wide, cells, lang)
        cached.by_sheet.append(cells)
    stamp = _stamp(frame, totals)
    workbook.properties.creator = str(frame.agency_name)
    workbook.properties.title = f"{frame.kind} {frame.summary}"
    workbook.properties.created = stamp
    workbook.properties.modified = stamp
    workbook.properties.lastModifiedBy = str(frame.agency_name)
    return workbook, cached


def _stamp(frame: DocumentFrame, totals: ReportFigures) -> datetime:
    """The date the workbook carries: the issue date once signed, else the figures' date."""
    if frame.issued_on:
        return datetime.fromisoformat(frame.issued_on.isoformat())
    as_of = datetime.fromisoformat(totals.as_of)
    return as_of.astimezone(UTC).replace(tzinfo=None, microsecond=0)


_FORMULA_CELL = re.compile(
    r'<c r="(?P<ref>[A-Z]+[0-9]+)"(?P<attrs>[^>]*)>(?P<f><f>[^<]*</f>)<v\s*/>(?:</v>)?</c>'
    r'|<c r="(?P<ref2>[A-Z]+[0-9]+)"(?P<attrs2>[^>]*)>(?P<f2><f>[^<]*</f>)<v></v></c>'
)
_MODIFIED = re.compile(r"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)")


def _cache_value(xml: str, values: Mapping[str, float | int | str]) -> str:
    def fill(match: re.Match[str]) -> str:
        ref = match.group("ref") or match.group("ref2")
        attrs = match.group("attrs") if match.group("ref") else match.group("attrs2")
        formula = match.group("f") or match.group("f2")
        if ref not in values:
            return match.group(0)
        value = values[ref]
        if isinstance(value, str):  # a formula that gives "" (no base for a rate)
            return f'<c r="{ref}"{attrs} t="str">{formula}<v>{value}</v></c>'
        return f'<c r="{ref}"{attrs}>{formula}<v>{value!r}</v></c>'

    return _FORMULA_CELL.sub(fill, xml)


def finish_xlsx(workbook: Workbook, cached: _Cached, stamp: datetime) -> bytes:
    """The workbook's bytes with cached formula values, fixed dates and ZIP timestamps."""
    buffer = io.BytesIO()
    workbook.save(buffer)
    source = zipfile.ZipFile(io.BytesIO(buffer.getvalue()))
    sheet_paths = [ws.path.lstrip("/") for ws in workbook.worksheets]
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename in sheet_paths:
                values = cached.by_sheet[sheet_paths.index(info.filename)]
                data = _cache_value(data.decode("utf-8"), values).encode("utf-8")
            elif info.filename == "docProps/core.xml":
                text = data.decode("utf-8")
                when = stamp.strftime("%Y-%m-%dT%H:%M:%SZ")
                data = _MODIFIED.sub(rf"\g<1>{when}\g<2>", text).encode("utf-8")
            entry = zipfile.ZipInfo(info.filename, date_time=ZIP_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o600 << 16
            target.writestr(entry, data)
    return output.getvalue()


def write_xlsx(
    totals: ReportFigures,
    narrative: str,
    frame: DocumentFrame,
    path: Path,
    landscape: Sequence[bool] | None = None,
    lang: str = "vi",
) -> None:
    """Write the report's workbook to ``path`` (same report, same bytes)."""
    workbook, cached = build_workbook(totals, narrative, frame, landscape, lang)
    data = finish_xlsx(workbook, cached, _stamp(frame, totals))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
