"""Drawing a report: the table view, SVG charts, and the HTML, XLSX and PDF files.

Everything here reads the frozen figures of a report (``Report.totals``, built by
:mod:`inspect_app.services.report_runner`) and its narrative; nothing queries the records,
so a signed-off report always renders the same. The PDF is made by WeasyPrint in a child
process (it is CPU-bound, single-threaded and keeps memory after rendering), from the same
HTML as the printable file; fonts are referred to by family name ("DejaVu Sans"), which the
machine provides, so Vietnamese diacritics print right and nothing external is fetched.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from inspect_app.domain import report_layout as rl
from inspect_app.domain.formatting import format_million_vnd
from inspect_app.domain.periods import parse_period
from inspect_app.paths import template_dir
from inspect_app.services.export_text import PrintableText

TEMPLATE_DIR = template_dir()
PDF_TIMEOUT_S = 180
LEADING_VI = ("STT", "Đơn vị")
LEADING_EN = ("No.", "Agency")


@dataclass
class TableRow:
    """One row of a drawn table: label, numbers (in column units) and their texts."""

    number: str
    label: str
    values: list[Decimal | int | None]
    texts: list[str]
    kind: str = "agency"  # agency | total | previous | change


@dataclass
class TableView:
    """One report table ready to draw: header cells, rows and units of the columns."""

    form_no: str
    title: str
    header: list[list[rl.HeaderCell]]
    units: list[str]
    rows: list[TableRow] = field(default_factory=list)


def _labels(lang: str) -> dict[str, str]:
    if lang == "vi":
        return {
            "own": "{name} (trực tiếp thực hiện)",
            "total": "Tổng cộng",
            "previous": "Cùng kỳ năm {year}",
            "change": "Tăng, giảm so với cùng kỳ (%)",
        }
    return {
        "own": "{name} (own records)",
        "total": "Total",
        "previous": "Same period of {year}",
        "change": "Change on last year (%)",
    }


def _row(
    columns: list[rl.Column],
    lang: str,
    number: str,
    label: str,
    counters: Mapping[str, Any],
    kind: str,
) -> TableRow:
    values = [rl.column_value(column, counters) for column in columns]
    texts = [rl.format_number(v, c.unit, lang) for v, c in zip(values, columns, strict=True)]
    return TableRow(number, label, values, texts, kind)


def table_views(totals: Mapping[str, Any], lang: str = "vi") -> list[TableView]:
    """The three tables of a report's frozen figures, in the report's layout."""
    layout = rl.get_layout(str(totals["layout"]))
    labels = _labels(lang)
    leading = LEADING_VI if lang == "vi" else LEADING_EN
    previous_year = parse_period(str(totals["period"])).year - 1
    views = []
    for table in layout.tables:
        columns = table.columns()
        units: list[str] = [column.unit for column in columns]
        view = TableView(
            form_no=table.form_no,
            title=table.title(lang),
            header=rl.header_rows(table, lang, leading),
            units=units,
        )

        for index, item in enumerate(totals["rows"], start=1):
            label = labels["own"].format(name=item["name"]) if item["own"] else item["name"]
            view.rows.append(_row(columns, lang, str(index), label, item[table.counters], "agency"))
        current = _row(columns, lang, "", labels["total"], totals[table.counters], "total")
        previous = _row(
            columns,
            lang,
            "",
            labels["previous"].format(year=previous_year),
            totals["previous"][table.counters],
            "previous",
        )
        # A rate's change in % of itself says nothing: the rate columns stay empty.
        changes: list[Decimal | int | None] = [
            None if unit == "percent" else rl.change_percent(c, p)
            for c, p, unit in zip(current.values, previous.values, units, strict=True)
        ]
        view.rows += [
            current,
            previous,
            TableRow(
                "",
                labels["change"],
                changes,
                [rl.format_number(c, "percent", lang) for c in changes],
                "change",
            ),
        ]
        views.append(view)
    return views


# --------------------------------------------------------------------------- charts

_BAR_COLOURS = ("#1f5c99", "#e39b2d")


def _axis_max(values: list[int]) -> int:
    top = max([*values, 1])
    magnitude = 10 ** (len(str(top)) - 1)
    return ((top + magnitude - 1) // magnitude) * magnitude


def _million(amount: int, lang: str) -> str:
    return format_million_vnd(amount, 3, lang)


def recovery_chart(totals: Mapping[str, Any], lang: str = "vi") -> Markup:
    """Grouped bars per agency: money to recover versus recovered to date (SVG)."""
    legend = (
        ("Phải thu hồi", "Đã thu hồi lũy kế")
        if lang == "vi"
        else ("To recover", "Recovered to date")
    )
    items = [
        (
            str(row["name"]),
            int(row["implementation"]["to_recover_vnd"]),
            int(row["implementation"]["recovered_total_vnd"]),
        )
        for row in totals["rows"]
    ]
    label_w, bar_h, gap, width = 220, 12, 10, 760
    plot_w = width - label_w - 120
    top = _axis_max([value for _, a, b in items for value in (a, b)])
    height = 40 + len(items) * (2 * bar_h + gap) + 10
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}" font-family="DejaVu Sans" '
        f'font-size="11"><title>{escape(legend[0])} / {escape(legend[1])}</title>'
    ]
    for i, (text, colour) in enumerate(zip(legend, _BAR_COLOURS, strict=True)):
        x = label_w + i * 170
        parts.append(f'<rect x="{x}" y="6" width="12" height="12" fill="{colour}"/>')
        parts.append(f'<text x="{x + 16}" y="16">{escape(text)} (Tr.đ)</text>')
    y = 34
    for name, target, done in items:
        parts.append(
            f'<text x="{label_w - 6}" y="{y + bar_h + 4}" text-anchor="end">'
            f"{escape(name[:34])}</text>"
        )
        for j, value in enumerate((target, done)):
            w = round(plot_w * value / top, 1)
            by = y + j * bar_h
            parts.append(
                f'<rect x="{label_w}" y="{by}" width="{w}" height="{bar_h - 2}" '
                f'fill="{_BAR_COLOURS[j]}"/>'
            )
            parts.append(
                f'<text x="{label_w + w + 4}" y="{by + bar_h - 3}">{_million(value, lang)}</text>'
            )
        y += 2 * bar_h + gap
    parts.append("</svg>")
    return Markup("".join(parts))


def trend_chart(totals: Mapping[str, Any], lang: str = "vi") -> Markup:
    """Lines over the last eight quarters: recovery recommended and money recovered (SVG)."""
    legend = (
        ("Kiến nghị thu hồi", "Đã thu hồi")
        if lang == "vi"
        else ("Recovery recommended", "Recovered")
    )
    trend = list(totals.get("trend", []))
    width, height, left, bottom, top_pad = 760, 240, 70, 40, 30
    plot_w, plot_h = width - left - 45, height - bottom - top_pad
    series = [
        [int(point["recommended_vnd"]) for point in trend],
        [int(point["recovered_vnd"]) for point in trend],
    ]
    top = _axis_max([value for values in series for value in values])
    step = plot_w / max(len(trend) - 1, 1)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}" font-family="DejaVu Sans" '
        f'font-size="11"><title>{escape(legend[0])} / {escape(legend[1])}</title>',
        f'<line x1="{left}" y1="{top_pad + plot_h}" x2="{left + plot_w}" '
        f'y2="{top_pad + plot_h}" stroke="#888"/>',
        f'<text x="{left - 6}" y="{top_pad + 4}" text-anchor="end">{_million(top, lang)}</text>',
        f'<text x="{left - 6}" y="{top_pad + plot_h}" text-anchor="end">0</text>',
    ]
    for i, (text, colour) in enumerate(zip(legend, _BAR_COLOURS, strict=True)):
        x = left + i * 200
        parts.append(f'<rect x="{x}" y="6" width="12" height="12" fill="{colour}"/>')
        parts.append(f'<text x="{x + 16}" y="16">{escape(text)} (Tr.đ)</text>')
    for values, colour in zip(series, _BAR_COLOURS, strict=True):
        points = " ".join(
            f"{round(left + i * step, 1)},{round(top_pad + plot_h - plot_h * v / top, 1)}"
            for i, v in enumerate(values)
        )
        parts.append(
            f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="2"/>'
        )
        for i, v in enumerate(values):
            cx, cy = round(left + i * step, 1), round(top_pad + plot_h - plot_h * v / top, 1)
            parts.append(f'<circle cx="{cx}" cy="{cy}" r="3" fill="{colour}"/>')
    for i, point in enumerate(trend):
        parts.append(
            f'<text x="{round(left + i * step, 1)}" y="{height - 18}" text-anchor="middle">'
            f"{escape(str(point['short']))}</text>"
        )
    parts.append("</svg>")
    return Markup("".join(parts))


# --------------------------------------------------------------------------- HTML


# Fixed wording of the printed document (official Vietnamese, or English for the English UI).
DOCUMENT_TEXT: dict[str, dict[str, str]] = {
    "vi": {
        "title": "BÁO CÁO CÔNG TÁC THANH TRA",
        "period": "Kỳ báo cáo",
        "from_to": "từ {start} đến {end}",
        "legal_basis": "Căn cứ",
        "narrative": "PHẦN THUYẾT MINH",
        "tables": "PHỤ LỤC SỐ LIỆU",
        "unit": "Đơn vị tính: tiền: triệu đồng; đất: m²",
        "form": "Biểu số",
        "charts": "BIỂU ĐỒ",
        "recovery_chart": "Số tiền phải thu hồi và đã thu hồi theo đơn vị",
        "trend_chart": "Xu hướng 8 quý gần nhất",
        "as_of": "Số liệu tính đến",
        "revision": "Lần lập",
    },
    "en": {
        "title": "INSPECTION WORK REPORT",
        "period": "Reporting period",
        "from_to": "from {start} to {end}",
        "legal_basis": "Legal basis",
        "narrative": "NARRATIVE",
        "tables": "DATA TABLES",
        "unit": "Units: money in million đồng; land in m²",
        "form": "Form",
        "charts": "CHARTS",
        "recovery_chart": "Money to recover and recovered, per agency",
        "trend_chart": "Trend over the last eight quarters",
        "as_of": "Figures as of",
        "revision": "Revision",
    },
}


def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATE_DIR),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    return env


def document_context(totals: Mapping[str, Any], narrative: str, lang: str = "vi") -> dict[str, Any]:
    """What the printable document shows (also used by the report page)."""
    period = parse_period(str(totals["period"]))
    layout = rl.get_layout(str(totals["layout"]))
    return {
        "lang": lang,
        "totals": totals,
        "period_label": period.label(lang),
        "period_range": period.date_range_label,
        "legal_basis": layout.legal_basis(lang),
        "tables": table_views(totals, lang),
        "paragraphs": [p.strip() for p in narrative.split("\n\n") if p.strip()],
        "recovery_chart": recovery_chart(totals, lang),
        "trend_chart": trend_chart(totals, lang),
        "text": DOCUMENT_TEXT[lang],
    }


def _report_name(totals: Mapping[str, Any], kind: str) -> str:
    return f"report {kind} of agency {totals.get('agency_id')} for {totals.get('period')}"


def render_html(totals: Mapping[str, Any], narrative: str, lang: str = "vi") -> str:
    """The standalone printable HTML of a report (styles embedded, A4 landscape); the PDF is
    drawn from it. Stored text is made printable first (:class:`PrintableText`)."""
    clean = PrintableText(_report_name(totals, "HTML"))
    totals, narrative = clean(totals), clean(narrative)
    template = _environment().get_template("reports/document.html")
    html = template.render(**document_context(totals, narrative, lang))
    clean.log()
    return html


# --------------------------------------------------------------------------- XLSX

_THIN = Side(style="thin", color="000000")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_HEADER_FILL = PatternFill("solid", fgColor="DDE6F0")
_SHEET_NAMES = {
    "inspections": "01 Thanh tra",
    "checks": "02 Kiểm tra chuyên ngành",
    "implementation": "03 Thực hiện kết luận",
}


def write_xlsx(totals: Mapping[str, Any], path: Path, lang: str = "vi") -> None:
    """The three tables as sheets: merged headers as on the forms, numbers with formats.

    Stored text is made printable first: openpyxl refuses control characters in a cell."""
    clean = PrintableText(_report_name(totals, "XLSX"))
    totals = clean(totals)
    clean.log()
    layout = rl.get_layout(str(totals["layout"]))
    period = parse_period(str(totals["period"]))
    workbook = Workbook()
    workbook.remove(workbook.active)  # type: ignore[arg-type]
    for table, view in zip(layout.tables, table_views(totals, lang), strict=True):
        sheet = workbook.create_sheet(_SHEET_NAMES[table.counters])
        width = 2 + len(view.units)
        sheet.cell(1, 1, str(totals["agency_name"]).upper()).font = Font(bold=True)
        sheet.cell(1, width, f"Biểu số {view.form_no}").alignment = Alignment(horizontal="right")
        sheet.cell(2, 1, view.title).font = Font(bold=True, size=13)
        sheet.merge_cells(start_row=2, start_column=1, end_row=2, end_column=width)
        sheet.cell(2, 1).alignment = Alignment(horizontal="center")
        sheet.cell(
            3,
            1,
            f"Kỳ báo cáo: {period.label('vi')} (từ {period.start:%d/%m/%Y} đến "
            f"{period.end:%d/%m/%Y})",
        )
        sheet.merge_cells(start_row=3, start_column=1, end_row=3, end_column=width)
        sheet.cell(3, 1).alignment = Alignment(horizontal="center")
        sheet.cell(4, 1, "Đơn vị tính: tiền: triệu đồng; đất: m²")
        first = 6
        for header_row in view.header:
            for cell in header_row:
                row, col = first + cell.row, 1 + cell.col
                target = sheet.cell(row, col, cell.text)
                target.font = Font(bold=True)
                target.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
                target.fill = _HEADER_FILL
                if cell.rowspan > 1 or cell.colspan > 1:
                    sheet.merge_cells(
                        start_row=row,
                        start_column=col,
                        end_row=row + cell.rowspan - 1,
                        end_column=col + cell.colspan - 1,
                    )
        depth = len(view.header)
        numbering = first + depth  # the forms number their columns (1), (2), ...
        for col in range(1, width + 1):
            cell = sheet.cell(numbering, col, f"({col})")
            cell.alignment = Alignment(horizontal="center")
            cell.font = Font(italic=True)
        for row_index in range(first, numbering + 1):
            for col in range(1, width + 1):
                sheet.cell(row_index, col).border = _BORDER
        data_row = numbering + 1
        for item in view.rows:
            number = int(item.number) if item.number else None
            sheet.cell(data_row, 1, number).border = _BORDER
            label = sheet.cell(data_row, 2, item.label)
            label.border = _BORDER
            bold = item.kind == "total"
            label.font = Font(bold=bold, italic=item.kind in ("previous", "change"))
            for offset, (value, unit) in enumerate(zip(item.values, view.units, strict=True)):
                shown_unit = "percent" if item.kind == "change" else unit
                cell = sheet.cell(data_row, 3 + offset, None if value is None else float(value))
                if isinstance(value, int) and shown_unit == "count":
                    cell.value = value
                cell.number_format = rl.EXCEL_FORMATS[shown_unit]
                cell.border = _BORDER
                cell.font = Font(bold=bold)
            data_row += 1
        sheet.freeze_panes = sheet.cell(numbering + 1, 3)
        sheet.column_dimensions["A"].width = 5
        sheet.column_dimensions["B"].width = 36
        for col in range(3, width + 1):
            sheet.column_dimensions[get_column_letter(col)].width = 13
        for row_index in range(first, first + depth):
            sheet.row_dimensions[row_index].height = 42
        sheet.print_options.horizontalCentered = True
        sheet.page_setup.orientation = "landscape"
        sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(path)


# --------------------------------------------------------------------------- PDF


class PdfFailed(RuntimeError):
    """WeasyPrint's child process failed; the message carries its error output."""


async def write_pdf(html_path: Path, pdf_path: Path) -> None:
    """Render ``html_path`` to ``pdf_path`` with WeasyPrint in a child process."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "inspect_app.services.report_render",
        str(html_path),
        str(pdf_path),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        _, stderr = await asyncio.wait_for(process.communicate(), PDF_TIMEOUT_S)
    except TimeoutError:
        process.kill()
        await process.wait()
        raise PdfFailed(f"PDF rendering took longer than {PDF_TIMEOUT_S} s") from None
    if process.returncode != 0:
        raise PdfFailed(stderr.decode(errors="replace")[-2000:] or "PDF rendering failed")


def _render_pdf_main(html_path: str, pdf_path: str) -> None:
    from weasyprint import HTML

    HTML(filename=html_path, base_url=str(Path(html_path).parent)).write_pdf(pdf_path)


def report_date(today: date) -> str:
    """The place-and-date line of a report: "ngày 14 tháng 03 năm 2026"."""
    return f"ngày {today:%d} tháng {today:%m} năm {today:%Y}"


if __name__ == "__main__":  # the child process of write_pdf
    _render_pdf_main(sys.argv[1], sys.argv[2])
