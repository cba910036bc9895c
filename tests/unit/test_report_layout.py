"""The report table layouts: official headers, merged cells, units and number formatting."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from inspect_app.domain import report_layout as rl
from inspect_app.services.totals import COUNTER_KEYS


def test_every_counter_has_a_column_and_every_column_a_counter() -> None:
    layout = rl.get_layout("TT01-2024")
    for table in layout.tables:
        keys = [c.key for c in table.columns() if c.ratio is None]
        assert sorted(keys) == sorted(COUNTER_KEYS[table.counters]), table.counters
        for column in table.columns():
            for key in column.ratio or ():
                assert key in COUNTER_KEYS[table.counters]


def test_table_titles_and_order() -> None:
    layout = rl.get_layout("TT01-2024")
    assert [t.counters for t in layout.tables] == ["inspections", "checks", "implementation"]
    assert layout.tables[0].title("vi") == "TỔNG HỢP KẾT QUẢ THANH TRA"
    assert layout.tables[2].title("en") == "IMPLEMENTATION OF INSPECTION CONCLUSIONS"
    assert layout.legal_basis("vi") == "Thông tư số 01/2024/TT-TTCP của Thanh tra Chính phủ"


def test_inspection_header_spans_like_the_paper_form() -> None:
    table = rl.get_layout("TT01-2024").tables[0]
    assert table.header_depth() == 3
    cells = {c.text: c for c in rl.header_cells(table, "vi", ("STT", "Đơn vị"))}
    assert cells["STT"] == rl.HeaderCell("STT", 0, 0, 3, 1)
    assert cells["Đơn vị"] == rl.HeaderCell("Đơn vị", 0, 1, 3, 1)
    assert cells["Số cuộc thanh tra"] == rl.HeaderCell("Số cuộc thanh tra", 0, 2, 1, 8)
    assert cells["Kỳ trước chuyển sang"] == rl.HeaderCell("Kỳ trước chuyển sang", 1, 3, 2, 1)
    assert cells["Hình thức"] == rl.HeaderCell("Hình thức", 1, 5, 1, 2)
    assert cells["Đột xuất"] == rl.HeaderCell("Đột xuất", 2, 6, 1, 1)
    assert cells["Đã ban hành kết luận"] == rl.HeaderCell("Đã ban hành kết luận", 2, 8, 1, 1)
    assert cells["Số đơn vị được thanh tra"] == rl.HeaderCell(
        "Số đơn vị được thanh tra", 0, 10, 3, 1
    )
    assert cells["Vi phạm"] == rl.HeaderCell("Vi phạm", 0, 12, 1, 2)
    assert cells["Chuyển cơ quan điều tra"] == rl.HeaderCell("Chuyển cơ quan điều tra", 0, 19, 1, 2)
    assert len(table.columns()) == 19
    rows = rl.header_rows(table, "en", ("No.", "Agency"))
    assert [c.text for c in rows[2]] == [
        "Scheduled",
        "Ad hoc",
        "On-site work ended",
        "Conclusion issued",
        "In progress",
    ]


def test_implementation_table_has_the_recovery_rate() -> None:
    table = rl.get_layout("TT01-2024").tables[2]
    rate = next(c for c in table.columns() if c.key == "recovered_pct")
    assert rate.unit == "percent"
    counters = {"recovered_total_vnd": 700_000_000, "to_recover_vnd": 1_500_000_000}
    assert rl.column_value(rate, counters) == Decimal("46.7")
    assert rl.column_value(rate, {"recovered_total_vnd": 0, "to_recover_vnd": 0}) is None


def test_column_values_in_their_units() -> None:
    money = rl.Column("x_vnd", "Tiền", "Money", "million_vnd")
    land = rl.Column("x_m2", "Đất", "Land", "m2")
    count = rl.Column("n", "Số", "Number")
    assert rl.column_value(money, {"x_vnd": 1_300_000_123}) == Decimal("1300.000123")
    assert rl.column_value(land, {"x_m2": "100.25"}) == Decimal("100.25")
    assert rl.column_value(count, {"n": 4}) == 4


@pytest.mark.parametrize(
    ("value", "unit", "lang", "text"),
    [
        (Decimal("1300.000123"), "million_vnd", "vi", "1.300,000"),
        (Decimal("1250.5005"), "million_vnd", "vi", "1.250,501"),  # half-up at the đồng
        (Decimal("1250.5005"), "million_vnd", "en", "1,250.501"),
        (Decimal("0.0005"), "million_vnd", "vi", "0,001"),
        (Decimal("100.25"), "m2", "vi", "100,25"),
        (Decimal("46.7"), "percent", "vi", "46,7"),
        (12345, "count", "vi", "12.345"),
        (None, "percent", "vi", "–"),
    ],
)
def test_format_number(value: Decimal | int | None, unit: str, lang: str, text: str) -> None:
    assert rl.format_number(value, unit, lang) == text


def test_change_against_last_year() -> None:
    assert rl.change_percent(4, 1) == Decimal("300.0")
    assert rl.change_percent(1, 3) == Decimal("-66.7")
    assert rl.change_percent(5, 0) is None
    assert rl.change_percent(Decimal("20.25"), Decimal("20.25")) == Decimal("0.0")


def test_layout_lookup() -> None:
    assert rl.layout_for(date(2026, 3, 14)).id == "TT01-2024"
    with pytest.raises(rl.UnknownLayout):
        rl.get_layout("TT99-2030")
    assert rl.EXCEL_FORMATS["million_vnd"] == "#,##0.000"
