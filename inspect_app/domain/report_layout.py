"""The layouts of the report tables, versioned by legal basis.

A layout names, for each of the three tables, its title and a tree of column headers in the
official Vietnamese wording (with English labels for the English interface). Groups become
merged header cells in the XLSX and ``colspan``/``rowspan`` in HTML, as on the paper forms.
Each leaf column reads one counter of :mod:`inspect_app.services.totals` (or divides two,
for a percentage) and has a unit.

Units and precision: money is printed in million đồng ("triệu đồng") with three decimals,
i.e. to the thousand đồng, rounded half-up as Excel's ROUND does (the precision the
provincial forms use); the XLSX keeps the exact value (đồng / 1 000 000) and shows three
decimals through its number format. Land is in m² with two decimals. Percentages have one
decimal. A report stores the id of the layout it was made with, so a later circular adds a
layout here without changing old reports.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Literal

Unit = Literal["count", "million_vnd", "m2", "percent"]
MONEY_DECIMALS = 3
LAND_DECIMALS = 2
PERCENT_DECIMALS = 1
DEFAULT_LAYOUT = "TT01-2024"

# Excel number formats of each unit.
EXCEL_FORMATS: dict[str, str] = {
    "count": "#,##0",
    "million_vnd": "#,##0.000",
    "m2": "#,##0.00",
    "percent": "0.0",
}


@dataclass(frozen=True)
class Column:
    """A leaf column: one counter (or the ratio of two, in %), its header and unit."""

    key: str
    vi: str
    en: str
    unit: Unit = "count"
    # For a percentage: (numerator counter, denominator counter).
    ratio: tuple[str, str] | None = None

    def label(self, lang: str) -> str:
        """The header text in ``lang``."""
        return self.vi if lang == "vi" else self.en


@dataclass(frozen=True)
class Group:
    """A header spanning several columns (a merged cell on the forms)."""

    vi: str
    en: str
    children: tuple[Column | Group, ...]

    def label(self, lang: str) -> str:
        """The header text in ``lang``."""
        return self.vi if lang == "vi" else self.en


@dataclass(frozen=True)
class TableLayout:
    """One report table: which counters it reads and how its header is drawn."""

    counters: str  # "inspections" | "checks" | "implementation"
    form_no: str
    title_vi: str
    title_en: str
    headers: tuple[Column | Group, ...]

    def title(self, lang: str) -> str:
        """The table's title in ``lang``."""
        return self.title_vi if lang == "vi" else self.title_en

    def columns(self) -> list[Column]:
        """The leaf columns, left to right."""
        return _leaves(self.headers)

    def header_depth(self) -> int:
        """How many header rows the column tree needs (a plain column has depth 1)."""
        return max(_depth(node) for node in self.headers)


@dataclass(frozen=True)
class Layout:
    """The set of tables a legal basis prescribes."""

    id: str
    legal_basis_vi: str
    legal_basis_en: str
    valid_from: date | None
    tables: tuple[TableLayout, ...]

    def legal_basis(self, lang: str) -> str:
        """The legal basis in ``lang``."""
        return self.legal_basis_vi if lang == "vi" else self.legal_basis_en


@dataclass(frozen=True)
class HeaderCell:
    """One cell of a drawn header: text, position (0-based) and span."""

    text: str
    row: int
    col: int
    rowspan: int
    colspan: int


def _leaves(nodes: tuple[Column | Group, ...]) -> list[Column]:
    leaves: list[Column] = []
    for node in nodes:
        leaves.extend([node] if isinstance(node, Column) else _leaves(node.children))
    return leaves


def _depth(node: Column | Group) -> int:
    if isinstance(node, Column):
        return 1
    return 1 + max(_depth(child) for child in node.children)


def column_path(table: TableLayout, key: str, lang: str) -> list[str]:
    """The headers above the column of counter ``key`` (groups first, the column last), or
    an empty list when the table shows no such column (a ratio's column is not a counter's)."""

    def walk(nodes: tuple[Column | Group, ...], above: list[str]) -> list[str]:
        for node in nodes:
            if isinstance(node, Column):
                if node.key == key and node.ratio is None:
                    return [*above, node.label(lang)]
            else:
                found = walk(node.children, [*above, node.label(lang)])
                if found:
                    return found
        return []

    return walk(table.headers, [])


def header_cells(table: TableLayout, lang: str, leading: tuple[str, ...] = ()) -> list[HeaderCell]:
    """The header as cells with spans; ``leading`` columns (STT, Đơn vị) span every row.

    A column that sits higher in the tree than the deepest one spans down to the last row.
    """
    depth = table.header_depth()
    cells = [HeaderCell(text, 0, i, depth, 1) for i, text in enumerate(leading)]

    def place(nodes: tuple[Column | Group, ...], row: int, col: int) -> int:
        for node in nodes:
            if isinstance(node, Column):
                cells.append(HeaderCell(node.label(lang), row, col, depth - row, 1))
                col += 1
            else:
                width = len(_leaves(node.children))
                cells.append(HeaderCell(node.label(lang), row, col, 1, width))
                place(node.children, row + 1, col)
                col += width
        return col

    place(table.headers, 0, len(leading))
    return cells


def header_rows(
    table: TableLayout, lang: str, leading: tuple[str, ...] = ()
) -> list[list[HeaderCell]]:
    """The header cells grouped by row, for HTML ``<tr>``s."""
    rows: list[list[HeaderCell]] = [[] for _ in range(table.header_depth())]
    for cell in header_cells(table, lang, leading):
        rows[cell.row].append(cell)
    for row in rows:
        row.sort(key=lambda c: c.col)
    return rows


def column_value(column: Column, counters: Mapping[str, Any]) -> Decimal | int | None:
    """The number a column shows for a table's counters, in the column's unit.

    Money comes back exact in million đồng (Decimal), land as Decimal m², counts as int, and
    a percentage as Decimal rounded to one decimal, or None when its base is zero.
    """
    if column.ratio is not None:
        numerator, denominator = (Decimal(str(counters[k])) for k in column.ratio)
        if denominator == 0:
            return None
        return (numerator * 100 / denominator).quantize(Decimal("0.1"), ROUND_HALF_UP)
    raw = counters[column.key]
    if column.unit == "million_vnd":
        return Decimal(int(raw)) / Decimal(1_000_000)
    if column.unit == "m2":
        return Decimal(str(raw))
    return int(raw)


def format_number(value: Decimal | int | None, unit: str, lang: str = "vi") -> str:
    """A cell's text: "1.250,500" (vi) / "1,250.500" (en) million đồng, "12,50" m², "37,5"."""
    if value is None:
        return "–"
    decimals = {"million_vnd": MONEY_DECIMALS, "m2": LAND_DECIMALS, "percent": PERCENT_DECIMALS}
    places = decimals.get(unit, 0)
    number = Decimal(value).quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP)
    text = f"{number:,.{places}f}"
    if lang == "vi":
        text = text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")
    return text


def change_percent(current: Decimal | int | None, previous: Decimal | int | None) -> Decimal | None:
    """Change against the same period of last year in %, one decimal; None without a base."""
    if current is None or previous is None or Decimal(previous) == 0:
        return None
    change = (Decimal(current) - Decimal(previous)) * 100 / Decimal(previous)
    return change.quantize(Decimal("0.1"), ROUND_HALF_UP)


_MONEY_VI = "Tiền (Tr.đ)"
_MONEY_EN = "Money (VND m)"
_LAND_VI = "Đất (m²)"
_LAND_EN = "Land (m²)"

TT01_2024 = Layout(
    id="TT01-2024",
    legal_basis_vi="Thông tư số 01/2024/TT-TTCP của Thanh tra Chính phủ",
    legal_basis_en="Circular 01/2024/TT-TTCP of the Government Inspectorate",
    valid_from=None,
    tables=(
        TableLayout(
            counters="inspections",
            form_no="01/TTr",
            title_vi="TỔNG HỢP KẾT QUẢ THANH TRA",
            title_en="RESULTS OF INSPECTIONS",
            headers=(
                Group(
                    "Số cuộc thanh tra",
                    "Number of inspections",
                    (
                        Column("total", "Tổng số", "Total"),
                        Column("carried_over", "Kỳ trước chuyển sang", "Carried over"),
                        Column("started", "Triển khai trong kỳ", "Started in the period"),
                        Group(
                            "Hình thức",
                            "Form",
                            (
                                Column("scheduled", "Theo kế hoạch", "Scheduled"),
                                Column("ad_hoc", "Đột xuất", "Ad hoc"),
                            ),
                        ),
                        Group(
                            "Tiến độ",
                            "Progress",
                            (
                                Column(
                                    "onsite_ended",
                                    "Kết thúc thanh tra trực tiếp",
                                    "On-site work ended",
                                ),
                                Column("concluded", "Đã ban hành kết luận", "Conclusion issued"),
                                Column("in_progress", "Đang thực hiện", "In progress"),
                            ),
                        ),
                    ),
                ),
                Column("units_inspected", "Số đơn vị được thanh tra", "Units inspected"),
                Column("units_violating", "Số đơn vị có vi phạm", "Units with violations"),
                Group(
                    "Vi phạm",
                    "Violations",
                    (
                        Column("violation_vnd", _MONEY_VI, _MONEY_EN, "million_vnd"),
                        Column("violation_m2", _LAND_VI, _LAND_EN, "m2"),
                    ),
                ),
                Group(
                    "Kiến nghị thu hồi về ngân sách nhà nước",
                    "Recommended recovery to the state budget",
                    (
                        Column("recover_vnd", _MONEY_VI, _MONEY_EN, "million_vnd"),
                        Column("recover_m2", _LAND_VI, _LAND_EN, "m2"),
                    ),
                ),
                Column(
                    "other_financial_vnd",
                    "Kiến nghị xử lý khác về kinh tế (Tr.đ)",
                    "Other financial handling (VND m)",
                    "million_vnd",
                ),
                Group(
                    "Kiến nghị xử lý hành chính",
                    "Disciplinary handling recommended",
                    (
                        Column("discipline_collectives", "Tập thể", "Collectives"),
                        Column("discipline_individuals", "Cá nhân", "Individuals"),
                    ),
                ),
                Group(
                    "Chuyển cơ quan điều tra",
                    "Referred to the investigation agency",
                    (
                        Column("referral_cases", "Số vụ", "Cases"),
                        Column("referral_persons", "Số đối tượng", "Persons"),
                    ),
                ),
            ),
        ),
        TableLayout(
            counters="checks",
            form_no="02/TTr",
            title_vi="TỔNG HỢP KẾT QUẢ KIỂM TRA CHUYÊN NGÀNH VÀ XỬ PHẠT VI PHẠM HÀNH CHÍNH",
            title_en="RESULTS OF SPECIALISED CHECKS AND SANCTIONS",
            headers=(
                Group(
                    "Số cuộc kiểm tra",
                    "Number of checks",
                    (
                        Column("total", "Tổng số", "Total"),
                        Column("carried_over", "Kỳ trước chuyển sang", "Carried over"),
                        Column("started", "Triển khai trong kỳ", "Started in the period"),
                        Column("scheduled", "Theo kế hoạch", "Scheduled"),
                        Column("ad_hoc", "Đột xuất", "Ad hoc"),
                    ),
                ),
                Group(
                    "Số đối tượng được kiểm tra",
                    "Checked",
                    (
                        Column("organisations_checked", "Tổ chức", "Organisations"),
                        Column("individuals_checked", "Cá nhân", "Individuals"),
                    ),
                ),
                Group(
                    "Số đối tượng có vi phạm",
                    "Found in violation",
                    (
                        Column("organisations_violating", "Tổ chức", "Organisations"),
                        Column("individuals_violating", "Cá nhân", "Individuals"),
                    ),
                ),
                Group(
                    "Xử phạt vi phạm hành chính",
                    "Administrative sanctions",
                    (
                        Column("sanctions", "Số quyết định xử phạt", "Sanction decisions"),
                        Column(
                            "fines_vnd",
                            "Số tiền xử phạt (Tr.đ)",
                            "Fines imposed (VND m)",
                            "million_vnd",
                        ),
                        Column(
                            "confiscated_vnd",
                            "Giá trị tịch thu (Tr.đ)",
                            "Value confiscated (VND m)",
                            "million_vnd",
                        ),
                        Column(
                            "fines_collected_vnd",
                            "Đã thu tiền xử phạt (Tr.đ)",
                            "Fines collected (VND m)",
                            "million_vnd",
                        ),
                    ),
                ),
                Group(
                    "Thu hồi về ngân sách nhà nước",
                    "Recovery to the state budget",
                    (
                        Column(
                            "recover_vnd",
                            "Kiến nghị thu hồi (Tr.đ)",
                            "Recommended (VND m)",
                            "million_vnd",
                        ),
                        Column(
                            "recovered_vnd",
                            "Đã thu hồi (Tr.đ)",
                            "Recovered (VND m)",
                            "million_vnd",
                        ),
                    ),
                ),
            ),
        ),
        TableLayout(
            counters="implementation",
            form_no="03/TTr",
            title_vi="TỔNG HỢP KẾT QUẢ THỰC HIỆN KẾT LUẬN THANH TRA",
            title_en="IMPLEMENTATION OF INSPECTION CONCLUSIONS",
            headers=(
                Group(
                    "Số kết luận thanh tra",
                    "Conclusions",
                    (
                        Column("to_implement", "Phải thực hiện", "To implement"),
                        Column("completed", "Đã hoàn thành", "Completed"),
                        Column("not_completed", "Chưa hoàn thành", "Not completed"),
                    ),
                ),
                Group(
                    "Thu hồi tiền (Tr.đ)",
                    "Money to recover (VND m)",
                    (
                        Column("to_recover_vnd", "Phải thu hồi", "To recover", "million_vnd"),
                        Column(
                            "recovered_vnd",
                            "Đã thu hồi trong kỳ",
                            "Recovered in the period",
                            "million_vnd",
                        ),
                        Column(
                            "recovered_total_vnd",
                            "Đã thu hồi lũy kế",
                            "Recovered to date",
                            "million_vnd",
                        ),
                        Column(
                            "recovered_pct",
                            "Tỷ lệ (%)",
                            "Rate (%)",
                            "percent",
                            ratio=("recovered_total_vnd", "to_recover_vnd"),
                        ),
                    ),
                ),
                Group(
                    "Thu hồi đất (m²)",
                    "Land to recover (m²)",
                    (
                        Column("to_recover_m2", "Phải thu hồi", "To recover", "m2"),
                        Column(
                            "recovered_m2", "Đã thu hồi trong kỳ", "Recovered in the period", "m2"
                        ),
                        Column(
                            "recovered_total_m2", "Đã thu hồi lũy kế", "Recovered to date", "m2"
                        ),
                    ),
                ),
                Group(
                    "Xử lý hành chính",
                    "Disciplinary handling",
                    (
                        Group(
                            "Phải xử lý",
                            "Required",
                            (
                                Column("discipline_collectives", "Tập thể", "Collectives"),
                                Column("discipline_individuals", "Cá nhân", "Individuals"),
                            ),
                        ),
                        Column("discipline_done", "Đã xử lý", "Done"),
                    ),
                ),
                Group(
                    "Chuyển cơ quan điều tra",
                    "Referral to the investigation agency",
                    (
                        Column("referrals_required", "Phải chuyển", "Required"),
                        Column("referrals_made", "Đã chuyển", "Made"),
                    ),
                ),
            ),
        ),
    ),
)

LAYOUTS: dict[str, Layout] = {TT01_2024.id: TT01_2024}


class UnknownLayout(KeyError):
    """A layout id that no legal basis defines."""


def get_layout(layout_id: str) -> Layout:
    """The layout with this id (as stored on a report)."""
    try:
        return LAYOUTS[layout_id]
    except KeyError:
        raise UnknownLayout(layout_id) from None


def layout_for(period_end: date) -> Layout:
    """The layout in force for a period ending on ``period_end`` (latest valid_from wins)."""
    candidates = [
        layout
        for layout in LAYOUTS.values()
        if layout.valid_from is None or layout.valid_from <= period_end
    ]
    return max(candidates, key=lambda layout: layout.valid_from or date.min)
