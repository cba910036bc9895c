"""Drawing a report: the table view, the printable HTML and its PDF.

Everything here reads the frozen figures of a report (``Report.totals``, built by
:mod:`inspect_app.services.report_runner`), its narrative and its document frame
(:mod:`inspect_app.services.report_document`); nothing queries the records, so a signed-off
report always renders the same. The document is an administrative document of Decree
30/2020/NĐ-CP: A4 portrait with margins of 20 mm top and bottom, 30 mm left, 15 mm right, a
serif ("Times New Roman", or the metric-compatible "Liberation Serif" the system packages
install, "DejaVu Serif" last) at 14 pt for the body, page numbers centred in the top margin
from page 2. The data tables follow as annexes, on landscape pages when they need the width
(:mod:`inspect_app.domain.print_layout` decides from the content), with their headers
repeated on every page. The XLSX is drawn by :mod:`inspect_app.services.report_xlsx`.

The PDF is made by WeasyPrint in a child process (it is CPU-bound, single-threaded and keeps
memory after rendering), from the same HTML as the printable file; fonts are referred to by
family name, so nothing external is fetched, and the same input gives the same bytes.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from inspect_app.domain import print_layout
from inspect_app.domain import report_layout as rl
from inspect_app.domain.periods import parse_period
from inspect_app.i18n import pN_, translate
from inspect_app.i18n.jinja import install_gettext
from inspect_app.paths import template_dir
from inspect_app.services import font_metrics, pdf_worker
from inspect_app.services.export_text import PrintableText
from inspect_app.services.report_charts import recovery_chart, trend_chart
from inspect_app.services.report_document import DocumentFrame, printable_frame
from inspect_app.services.report_figures import (
    FigureRow,
    ReportFigures,
    printable_figures,
    table_of,
)

TEMPLATE_DIR = template_dir()
PDF_TIMEOUT_S = 180
# The printed document's own words are message ids in the context "report document": they
# follow the official forms, and may differ from the same English words on the screens.
LEADING = (pN_("report document", "No."), pN_("report document", "Agency"))
ROW_LABELS = {
    "own": pN_("report document", "{name} (own records)"),
    "total": pN_("report document", "Total"),
    "previous": pN_("report document", "Same period of {year}"),
    "change": pN_("report document", "Change on last year (%)"),
}
# A narrative paragraph that is a heading: "I. KẾT QUẢ …", "II. ĐÁNH GIÁ …".
_HEADING = re.compile(r"^[IVX]+\.\s+\S")


@dataclass
class TableRow:
    """One row of a drawn table: label, numbers (in column units) and their texts."""

    number: str
    label: str
    values: list[Decimal | int | None]
    texts: list[str]
    kind: str = "agency"  # agency | total | previous | change
    # Whose records and which period the row counts (the link of a figure to its records):
    # an agency's subtree, or with ``own`` its own records only; none for the change row.
    agency_id: int | None = None
    own: bool = False
    period: str = ""


@dataclass
class TableView:
    """One report table ready to draw: header cells, rows and units of the columns.

    Rows come as the forms of Circular 01/2024/TT-TTCP put them: the total first, under the
    column numbers (here with last year's figure and the change below it), then the units.
    """

    form_no: str
    title: str
    header: list[list[rl.HeaderCell]]
    units: list[str]
    counters: str = ""
    leading: tuple[str, str] = ("", "")  # the number and name columns' headers
    rows: list[TableRow] = field(default_factory=list)
    fit: print_layout.TableFit | None = None
    # Per column, the counter (``inspections.total``) whose records a figure adds up; None
    # for a rate, which is no counter's.
    keys: list[str | None] = field(default_factory=list)

    def records_link(self, row: TableRow, index: int) -> str:
        """Where a figure of the page leads: the list of the records it counts, or "" when
        it counts none (a zero, a rate, a change on last year)."""
        key = self.keys[index] if index < len(self.keys) else None
        if key is None or row.agency_id is None or not row.period or not row.values[index]:
            return ""
        own = "&own=1" if row.own else ""
        return f"/figures?counter={key}&period={row.period}&agency_id={row.agency_id}{own}"

    @property
    def summary_rows(self) -> list[TableRow]:
        """The total, last year's figure and the change."""
        return [row for row in self.rows if row.kind != "agency"]

    @property
    def unit_rows(self) -> list[TableRow]:
        """One row per unit (the agency's own records, then each child's subtree)."""
        return [row for row in self.rows if row.kind == "agency"]


def _labels(lang: str) -> dict[str, str]:
    return {key: translate(label, lang) for key, label in ROW_LABELS.items()}


def _row(
    columns: list[rl.Column],
    lang: str,
    number: str,
    label: str,
    counters: Mapping[str, Any],
    kind: str,
    whose: tuple[int | None, bool, str] = (None, False, ""),
) -> TableRow:
    values = [rl.column_value(column, counters) for column in columns]
    texts = [rl.format_number(v, c.unit, lang) for v, c in zip(values, columns, strict=True)]
    agency_id, own, period = whose
    return TableRow(number, label, values, texts, kind, agency_id, own, period)


def unit_label(item: FigureRow, lang: str = "vi") -> str:
    """A unit row's label: a child's name, or the agency's own records; in a report made
    from submitted figures, a unit that did not submit is marked (*)."""
    if item.own:
        return _labels(lang)["own"].format(name=item.name)
    if item.merged_on:
        day = date.fromisoformat(item.merged_on).strftime("%d/%m/%Y")
        return translate(MERGED_LABEL, lang).format(name=item.name, day=day)
    return f"{item.name} (*)" if item.source == "live" else item.name


MERGED_LABEL = pN_("report document", "{name} (merged in from {day})")
SUCCEEDED_NOTE = pN_(
    "report document",
    "On {day} this agency merged into {name}: its records from then on are in the reports of"
    " {name}.",
)


def succeeded_note(totals: ReportFigures, lang: str = "vi") -> str:
    """What the report of an agency that merged into another says of it, for a period
    that reaches the merger; "" otherwise."""
    succeeded = totals.succeeded_by
    if succeeded is None:
        return ""
    day = date.fromisoformat(succeeded.on).strftime("%d/%m/%Y")
    return translate(SUCCEEDED_NOTE, lang).format(name=succeeded.name, day=day)


SOURCE_NOTE = pN_(
    "report document",
    "Figures of the units from the reports they submitted ({submitted} of {units} units);"
    " (*) not submitted, figures from the records.",
)


def source_note(totals: ReportFigures, lang: str = "vi") -> str:
    """What a report made from the units' submitted reports says of its figures; ""
    for a report made from the records."""
    if totals.source != "submitted":
        return ""
    return translate(SOURCE_NOTE, lang).format(
        submitted=totals.submitted_units or 0, units=totals.units or 0
    )


def table_views(totals: ReportFigures, lang: str = "vi") -> list[TableView]:
    """The three tables of a report's frozen figures, in the report's layout."""
    layout = rl.get_layout(totals.layout)
    labels = _labels(lang)
    leading = (translate(LEADING[0], lang), translate(LEADING[1], lang))
    previous_year = parse_period(totals.period).year - 1
    views = []
    for table in layout.tables:
        columns = table.columns()
        units: list[str] = [column.unit for column in columns]
        view = TableView(
            form_no=table.form_no,
            title=table.title(lang),
            header=rl.header_rows(table, lang, leading),
            units=units,
            counters=table.counters,
            leading=leading,
            keys=[None if c.ratio else f"{table.counters}.{c.key}" for c in columns],
        )
        agency_id = totals.agency_id
        current = _row(
            columns,
            lang,
            "",
            labels["total"],
            table_of(totals, table.counters),
            "total",
            (agency_id, False, totals.period),
        )
        previous = _row(
            columns,
            lang,
            "",
            labels["previous"].format(year=previous_year),
            table_of(totals.previous, table.counters),
            "previous",
            (agency_id, False, totals.previous.period),
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
        for index, item in enumerate(totals.rows, start=1):
            view.rows.append(
                _row(
                    columns,
                    lang,
                    str(index),
                    unit_label(item, lang),
                    table_of(item, table.counters),
                    "agency",
                    (item.agency_id, item.own, totals.period),
                )
            )
        views.append(view)
    return views


def fit_view(view: TableView) -> print_layout.TableFit:
    """The paper layout of a table: widths from its content, measured in the printing font."""
    # The leaf header of each figure column: its cell of colspan 1 (at whatever depth).
    by_column: dict[int, str] = {}
    for row in view.header:
        for cell in row:
            if cell.colspan == 1:
                by_column[cell.col] = cell.text
    leaf_headers = [by_column[col] for col in sorted(by_column) if col >= 2]
    cells = print_layout.Cell
    return print_layout.fit_table(
        numbers=[cells("(1)"), *(cells(row.number) for row in view.rows)],
        names=[cells(row.label, row.kind == "total") for row in view.rows],
        columns=[
            [cells(f"({i + 3})"), *(cells(row.texts[i], row.kind == "total") for row in view.rows)]
            for i in range(len(view.units))
        ],
        headers=leaf_headers,
        leading_headers=view.leading,
        measure=font_metrics.measure(),
    )


def print_fits(totals: ReportFigures) -> list[print_layout.TableFit]:
    """The paper layout of each table of a report (the PDF and the XLSX print alike).

    Measured on the text as the files print it (made printable; the files log the change)."""
    clean = printable_figures(totals, PrintableText(""))
    return [fit_view(view) for view in table_views(clean, "vi")]


# --------------------------------------------------------------------------- HTML


# Fixed wording of the printed document, translated into the document's language (the
# context "report document" keeps the official wording apart from the screens' words).
DOCUMENT_TEXT: dict[str, str] = {
    "title": pN_("report document", "INSPECTION WORK REPORT"),
    "period": pN_("report document", "Reporting period"),
    "from_to": pN_("report document", "from {start} to {end}"),
    "legal_basis": pN_("report document", "Legal basis"),
    "narrative": pN_("report document", "NARRATIVE"),
    "tables": pN_("report document", "DATA TABLES"),
    "annex": pN_("report document", "Annex"),
    "annex_of": pN_("report document", "(Annexed to report No. {reference})"),
    "unit": pN_("report document", "Units: money in million đồng; land in m²"),
    "form": pN_("report document", "Form"),
    "charts": pN_("report document", "CHARTS"),
    "recovery_chart": pN_("report document", "Money to recover and recovered, per agency"),
    "trend_chart": pN_("report document", "Trend over the last eight quarters"),
    "as_of": pN_("report document", "Figures as of"),
    "revision": pN_("report document", "Revision"),
    "recipients": pN_("report document", "To:"),
    "distribution": pN_("report document", "Distribution:"),
    "preparer": pN_("report document", "PREPARED BY"),
    "draft": pN_("report document", "DRAFT"),
}


def document_text(lang: str) -> dict[str, str]:
    """The document's fixed wording in ``lang``, by key of DOCUMENT_TEXT."""
    return {key: translate(text, lang) for key, text in DOCUMENT_TEXT.items()}


def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATE_DIR),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    install_gettext(env)
    return env


@dataclass(frozen=True, slots=True)
class NarrativeParagraph:
    """A paragraph of the narrative as printed: its lines, and whether it is a heading."""

    lines: list[str]
    heading: bool


def narrative_paragraphs(narrative: str) -> list[NarrativeParagraph]:
    """The narrative's paragraphs (blank-line separated), headings marked, lines kept."""
    return [
        NarrativeParagraph(
            lines=paragraph.strip().split("\n"), heading=bool(_HEADING.match(paragraph))
        )
        for paragraph in narrative.split("\n\n")
        if paragraph.strip()
    ]


@dataclass(frozen=True, slots=True)
class DocumentContext:
    """What the printable document (and the report page's figures) show."""

    lang: str
    totals: ReportFigures
    frame: DocumentFrame | None
    period_label: str
    period_range: str
    legal_basis: str
    tables: list[TableView]
    # The narrative's paragraphs as text (the page), and as printed (the document).
    paragraphs: list[str]
    narrative: list[NarrativeParagraph]
    recovery_chart: Markup
    trend_chart: Markup
    text: dict[str, str]
    source_note: str
    succeeded_note: str

    def variables(self) -> dict[str, Any]:
        """The template's variables, by name (a Jinja context)."""
        return {item.name: getattr(self, item.name) for item in fields(self)}


def document_context(
    totals: ReportFigures,
    narrative: str,
    lang: str = "vi",
    frame: DocumentFrame | None = None,
    *,
    fits: list[print_layout.TableFit] | None = None,
) -> DocumentContext:
    """What the printable document shows (also used by the report page).

    ``fits`` lays the tables out for paper (column widths, font size, orientation).
    """
    period = parse_period(totals.period)
    layout = rl.get_layout(totals.layout)
    tables = table_views(totals, lang)
    for view, fit in zip(tables, fits or [], strict=False):
        view.fit = fit
    return DocumentContext(
        lang=lang,
        totals=totals,
        frame=frame,
        period_label=period.label(lang),
        period_range=period.date_range_label,
        legal_basis=layout.legal_basis(lang),
        tables=tables,
        paragraphs=[p.strip() for p in narrative.split("\n\n") if p.strip()],
        narrative=narrative_paragraphs(narrative),
        recovery_chart=recovery_chart(totals, lang),
        trend_chart=trend_chart(totals.trend, lang),
        text=document_text(lang),
        source_note=source_note(totals, lang),
        succeeded_note=succeeded_note(totals, lang),
    )


def report_name(totals: ReportFigures, kind: str) -> str:
    """How the log names one file of a report (``kind``: HTML, XLSX, JSON, CSV ...)."""
    return f"report {kind} of agency {totals.agency_id} for {totals.period}"


def render_html(
    totals: ReportFigures,
    narrative: str,
    frame: DocumentFrame,
    lang: str = "vi",
    fits: list[print_layout.TableFit] | None = None,
) -> str:
    """The standalone printable HTML of a report (styles embedded, A4 with annexes); the PDF
    is drawn from it. Stored text (figures, narrative, frame) is made printable first
    (:class:`PrintableText`), the charts' labels included."""
    clean = PrintableText(report_name(totals, "HTML"))
    totals, frame = printable_figures(totals, clean), printable_frame(frame, clean)
    narrative = clean(narrative)
    template = _environment().get_template("reports/document.html")
    fits = fits if fits is not None else print_fits(totals)
    html = template.render(
        **document_context(totals, narrative, lang, frame, fits=fits).variables()
    )
    clean.log()
    return html


# --------------------------------------------------------------------------- PDF


async def write_pdf(html_path: Path, pdf_path: Path) -> None:
    """Render ``html_path`` to ``pdf_path`` with WeasyPrint in its warm child process
    (:mod:`inspect_app.services.pdf_worker`); PdfFailed with the reason otherwise."""
    await pdf_worker.render(html_path, pdf_path, PDF_TIMEOUT_S)
