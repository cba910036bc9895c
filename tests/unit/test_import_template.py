"""The import template: read back by the reader, it passes the dry run as it is."""

from __future__ import annotations

import datetime as dt
import io

from openpyxl import load_workbook

from inspect_app.importing.mapping import RECORD_FIELDS, RECORD_KINDS
from inspect_app.importing.reader import read_workbook
from inspect_app.importing.template import CHOICES_SHEET, SHEET_TITLES, import_template
from inspect_app.importing.validate import dry_run


def test_template_reads_back_clean_with_every_field_mapped() -> None:
    content = import_template("vi")
    sheets = read_workbook(content)
    # The hidden list sheet is not read.
    assert [sheet.name for sheet in sheets] == [SHEET_TITLES[kind] for kind in RECORD_KINDS]
    for sheet, kind in zip(sheets, RECORD_KINDS, strict=True):
        assert sheet.kind() == kind
        header = sheet.header(kind)
        assert header is not None
        assert set(header.mapping.columns) == {spec.name for spec in RECORD_FIELDS[kind]}
        assert header.mapping.unknown == []
    result = dry_run(sheets, dt.date(2025, 6, 30))
    assert result.problems == []
    case = result.rows["cases"][0].values
    assert case["origin"] == "scheduled"
    assert case["decision_date"] == dt.date(2025, 1, 6)
    assert result.rows["subjects"][0].values["kind"] == "enterprise"
    assert result.rows["measures"][0].values["amount_vnd"] == 125_000_000


def test_template_lists_for_coded_fields_in_vietnamese() -> None:
    workbook = load_workbook(io.BytesIO(import_template("vi")))
    assert workbook[CHOICES_SHEET].sheet_state == "hidden"
    measures = workbook["Kiến nghị"]
    assert measures["A1"].value == "Số quyết định thanh tra"
    assert measures["F1"].value == "Số tiền kiến nghị (đồng)"
    (validation,) = measures.data_validations.dataValidation
    assert validation.type == "list"
    assert str(validation.sqref) == "D2:D10000"
    assert validation.formula1.startswith(f"'{CHOICES_SHEET}'!$D$2:$D$")
    choices = [row[3] for row in workbook[CHOICES_SHEET].iter_rows(min_row=2, values_only=True)]
    assert "Thu hồi về ngân sách nhà nước" in [c for c in choices if c]
    cases = workbook["Cuộc thanh tra"]
    assert cases["D2"].value == "Theo kế hoạch"
    assert cases["B2"].number_format == "dd/mm/yyyy"
