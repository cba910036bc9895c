"""Reading legacy workbooks: rows per sheet at their Excel row numbers, .xlsx and .ods."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

import pytest
from openpyxl import Workbook

from inspect_app.importing.reader import (
    MSG_UNREADABLE,
    WorkbookError,
    read_workbook,
    sheet_kind,
)


def _legacy_measures_xlsx(path: Path) -> None:
    """A measures sheet as units keep it: a title, a merged two-row header, triệu đồng."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Kiến nghị"
    sheet["A1"] = "THANH TRA TỈNH - KIẾN NGHỊ NĂM 2024"
    sheet.append([])
    sheet.append(["Số QĐ", "Kiến nghị", None, None, "Thời hạn"])
    sheet.append([None, "Mã kiến nghị", "Loại kiến nghị", "Số tiền (triệu đồng)", None])
    sheet.merge_cells("A3:A4")
    sheet.merge_cells("B3:D3")
    sheet.merge_cells("E3:E4")
    sheet.append(["15/QĐ-TTr", "KN1", "Thu hồi về ngân sách nhà nước", 1.5, dt.date(2024, 12, 31)])
    sheet.append([])
    sheet.append(["15/QĐ-TTr", "KN2", "Xử phạt vi phạm hành chính", 2, 45657])
    hidden = workbook.create_sheet("Ẩn")
    hidden.sheet_state = "hidden"
    hidden["A1"] = "not read"
    workbook.create_sheet("Ghi chú")["B2"] = "ghi chú"
    workbook.save(path)


def test_xlsx_sheets_rows_and_merged_header(tmp_path: Path) -> None:
    path = tmp_path / "kien-nghi-2024.xlsx"
    _legacy_measures_xlsx(path)
    sheets = read_workbook(path)
    assert [sheet.name for sheet in sheets] == ["Kiến nghị", "Ghi chú"]
    measures, notes = sheets
    assert measures.kind() == "measures"
    assert notes.kind() is None
    assert notes.rows == [[None, None], [None, "ghi chú"]]

    header = measures.header("measures")
    assert header is not None
    assert (header.row, header.height) == (2, 2)
    columns = header.mapping.columns
    assert {name: column.index for name, column in columns.items()} == {
        "decision_no": 0,
        "key": 1,
        "type": 2,
        "amount_vnd": 3,
        "due_on": 4,
    }
    assert columns["amount_vnd"].unit == "million"

    data = list(measures.data_rows(header))
    assert [number for number, _ in data] == [5, 7]  # row 6 is blank
    first = data[0][1]
    assert first[:4] == ["15/QĐ-TTr", "KN1", "Thu hồi về ngân sách nhà nước", 1.5]
    assert first[4] in (dt.date(2024, 12, 31), dt.datetime(2024, 12, 31))
    assert data[1][1][4] == 45657


def test_xlsx_from_bytes_and_single_row_header_after_blank_rows() -> None:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Cuoc thanh tra"
    sheet.append([])
    sheet.append(["So quyet dinh", "Ngay QD", "Ten cuoc thanh tra", "Hinh thuc"])
    sheet.append(["01/QĐ-TTr", "02/01/2024", "Thanh tra đất đai", "Theo kế hoạch"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    (cases,) = read_workbook(buffer.getvalue())
    assert cases.kind() == "cases"
    header = cases.header("cases")
    assert header is not None
    assert (header.row, header.height) == (1, 1)
    assert header.mapping.missing_required == []
    assert list(cases.data_rows(header)) == [
        (3, ["01/QĐ-TTr", "02/01/2024", "Thanh tra đất đai", "Theo kế hoạch"])
    ]


def _ods(rows: list[list[object]], sheet_name: str) -> bytes:
    """A minimal OpenDocument spreadsheet, as LibreOffice writes one, with one sheet."""

    def cell(value: object) -> str:
        if value is None:
            return "<table:table-cell/>"
        if isinstance(value, dt.date):
            return (
                '<table:table-cell office:value-type="date"'
                f' office:date-value="{value.isoformat()}">'
                f"<text:p>{value:%d/%m/%Y}</text:p></table:table-cell>"
            )
        if isinstance(value, int | float):
            return (
                f'<table:table-cell office:value-type="float" office:value="{value}">'
                f"<text:p>{value}</text:p></table:table-cell>"
            )
        return (
            f'<table:table-cell office:value-type="string"><text:p>{escape(str(value))}'
            "</text:p></table:table-cell>"
        )

    body = "".join(
        "<table:table-row>" + "".join(cell(value) for value in row) + "</table:table-row>"
        for row in rows
    )
    content = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"'
        ' xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"'
        ' xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        f'<office:body><office:spreadsheet><table:table table:name="{escape(sheet_name)}">'
        f"{body}</table:table></office:spreadsheet></office:body></office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"'
        ' manifest:version="1.2">'
        '<manifest:file-entry manifest:full-path="/"'
        ' manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(
            zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet"
        )
        archive.writestr("META-INF/manifest.xml", manifest, zipfile.ZIP_DEFLATED)
        archive.writestr("content.xml", content, zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


def test_ods_is_read_like_xlsx(tmp_path: Path) -> None:
    path = tmp_path / "thuc-hien.ods"
    path.write_bytes(
        _ods(
            [
                ["Số QĐ", "Mã kiến nghị", "Ngày thực hiện", "Đã thu hồi (đồng)"],
                ["15/QĐ-TTr", "KN1", dt.date(2025, 3, 14), 1250000],
                [None, None, None, None],
                ["15/QĐ-TTr", "KN2", "15/03/2025", None],
            ],
            "Thực hiện",
        )
    )
    (executions,) = read_workbook(path)
    assert executions.kind() == "executions"
    header = executions.header("executions")
    assert header is not None
    assert header.mapping.columns["amount_vnd"].index == 3
    rows = list(executions.data_rows(header))
    assert [number for number, _ in rows] == [2, 4]
    assert rows[0][1][2] in (dt.date(2025, 3, 14), dt.datetime(2025, 3, 14))
    assert rows[0][1][3] == 1250000
    assert rows[1][1][2:] == ["15/03/2025", None]


@pytest.mark.parametrize("content", [b"", b"not a workbook", b"PK\x03\x04broken zip"])
def test_a_file_that_is_not_a_workbook_is_refused(content: bytes) -> None:
    with pytest.raises(WorkbookError) as error:
        read_workbook(content)
    assert error.value.message == MSG_UNREADABLE


def test_missing_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(WorkbookError):
        read_workbook(tmp_path / "absent.xlsx")


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("Cuộc thanh tra", "cases"),
        ("CUOC THANH TRA", "cases"),
        ("Đối tượng", "subjects"),
        ("Phát hiện", "findings"),
        ("Kiến nghị", "measures"),
        ("Biện pháp xử lý", "measures"),
        ("Kết quả thực hiện", "executions"),
        ("Sheet1", None),
    ],
)
def test_sheet_kind_by_name(name: str, kind: str | None) -> None:
    assert sheet_kind(name) == kind


def test_xls_of_the_old_excel_format_is_read(tmp_path: Path) -> None:
    import xlwt  # type: ignore[import-untyped]

    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("Phát hiện")
    dated = xlwt.easyxf(num_format_str="dd/mm/yyyy")
    sheet.write(0, 0, "BÁO CÁO PHÁT HIỆN NĂM 2023")
    for column, header in enumerate(
        ["So QD", "Ma phat hien", "Noi dung vi pham", "Tien vi pham (trieu dong)", "Ngay"]
    ):
        sheet.write(2, column, header)
    sheet.write(3, 0, "07/QĐ-TTr")
    sheet.write(3, 1, "PH1")
    sheet.write(3, 2, "Chi sai định mức")
    sheet.write(3, 3, 2.5)
    sheet.write(3, 4, dt.date(2023, 12, 31), dated)
    path = tmp_path / "phat-hien-2023.xls"
    book.save(str(path))

    (findings,) = read_workbook(path)
    assert findings.kind() == "findings"
    header = findings.header("findings")
    assert header is not None
    assert (header.row, header.height) == (2, 1)
    assert header.mapping.columns["amount_vnd"].unit == "million"
    ((number, row),) = list(findings.data_rows(header))
    assert number == 4
    assert row[:4] == ["07/QĐ-TTr", "PH1", "Chi sai định mức", 2.5]
    assert row[4] in (dt.date(2023, 12, 31), dt.datetime(2023, 12, 31))
