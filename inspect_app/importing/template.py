"""The import template: one sheet per record kind, the headers the mapping reads first, an
example row, and drop-down lists for the coded fields.

The headers and sheet names are the file format (the reader finds them, with or without
diacritics), so they are fixed Vietnamese, not translated; the choices of the drop-down lists
are the application's labels in Vietnamese, which the dry run reads back.
"""

from __future__ import annotations

import datetime as dt
import io

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from inspect_app.i18n import translate
from inspect_app.importing.mapping import RECORD_FIELDS, RECORD_KINDS, FieldSpec, RecordKind
from inspect_app.importing.validate import ENUM_LABELS

SHEET_TITLES: dict[RecordKind, str] = {
    "cases": "Cuộc thanh tra",
    "subjects": "Đối tượng",
    "findings": "Phát hiện",
    "measures": "Kiến nghị",
    "executions": "Thực hiện",
}
CHOICES_SHEET = "Danh mục"
MONEY_UNIT_SUFFIX = " (đồng)"

# One consistent example: a case, its subject, a finding, a recommendation, a payment.
EXAMPLE_ROWS: dict[RecordKind, dict[str, object]] = {
    "cases": {
        "decision_no": "15/QĐ-TTr",
        "decision_date": dt.date(2025, 1, 6),
        "title": "Thanh tra việc quản lý, sử dụng ngân sách năm 2024",
        "origin": "scheduled",
        "announced_on": dt.date(2025, 1, 10),
        "onsite_end": dt.date(2025, 2, 24),
        "conclusion_no": "20/KL-TTr",
        "conclusion_date": dt.date(2025, 3, 31),
    },
    "subjects": {
        "decision_no": "15/QĐ-TTr",
        "name": "Công ty TNHH Xây dựng Minh An",
        "tax_code": "0101234567",
        "kind": "enterprise",
        "address": "12 Trần Hưng Đạo, phường Hoàn Kiếm",
    },
    "findings": {
        "decision_no": "15/QĐ-TTr",
        "key": "PH1",
        "subject_tax_code": "0101234567",
        "category": "finance",
        "description": "Thanh toán khối lượng không đúng thực tế",
        "amount_vnd": 125_000_000,
    },
    "measures": {
        "decision_no": "15/QĐ-TTr",
        "key": "KN1",
        "finding_key": "PH1",
        "type": "recover_money",
        "description": "Thu hồi về ngân sách nhà nước số tiền thanh toán sai",
        "amount_vnd": 125_000_000,
        "due_on": dt.date(2025, 5, 30),
    },
    "executions": {
        "decision_no": "15/QĐ-TTr",
        "measure_key": "KN1",
        "executed_on": dt.date(2025, 4, 15),
        "amount_vnd": 100_000_000,
        "quantity": None,
        "document_no": "UNC 0456",
    },
}

_HEADER_FONT = Font(bold=True)
_REQUIRED_FILL = PatternFill(fill_type="solid", start_color="FFFFF2CC", end_color="FFFFF2CC")
_DATE_FORMAT = "dd/mm/yyyy"
_MONEY_FORMAT = "#,##0"


def template_header(spec: FieldSpec) -> str:
    """A field's header in the template; money says its unit, so that nobody has to guess."""
    return spec.header + (MONEY_UNIT_SUFFIX if spec.type == "money" else "")


def _choices(field_name: str, lang: str) -> list[str]:
    return [translate(label, lang) for label in ENUM_LABELS[field_name].values()]


def _example_cell(spec: FieldSpec, value: object, lang: str) -> object:
    if spec.type == "enum" and isinstance(value, str):
        return translate(ENUM_LABELS[spec.name][value], lang)
    return value


def import_template(lang: str = "vi") -> bytes:
    """The template workbook as .xlsx bytes, its lists in ``lang``."""
    workbook = Workbook()
    default = workbook.active
    choices_sheet = workbook.create_sheet(CHOICES_SHEET)
    choices_sheet.sheet_state = "hidden"
    list_ranges: dict[str, str] = {}
    for column, name in enumerate(ENUM_LABELS, start=1):
        values = _choices(name, lang)
        letter = get_column_letter(column)
        choices_sheet.cell(row=1, column=column, value=name)
        for row, value in enumerate(values, start=2):
            choices_sheet.cell(row=row, column=column, value=value)
        list_ranges[name] = f"'{CHOICES_SHEET}'!${letter}$2:${letter}${len(values) + 1}"

    for kind in RECORD_KINDS:
        sheet = workbook.create_sheet(SHEET_TITLES[kind])
        specs = RECORD_FIELDS[kind]
        example = EXAMPLE_ROWS[kind]
        sheet.append([template_header(spec) for spec in specs])
        sheet.append([_example_cell(spec, example.get(spec.name), lang) for spec in specs])
        sheet.freeze_panes = "A2"
        for column, spec in enumerate(specs, start=1):
            letter = get_column_letter(column)
            header = sheet.cell(row=1, column=column)
            header.font = _HEADER_FONT
            if spec.required:
                header.fill = _REQUIRED_FILL
            sheet.column_dimensions[letter].width = max(14, len(header.value or "") + 4)
            cell = sheet.cell(row=2, column=column)
            if spec.type == "date":
                cell.number_format = _DATE_FORMAT
            elif spec.type == "money":
                cell.number_format = _MONEY_FORMAT
            if spec.type == "enum":
                validation = DataValidation(
                    type="list", formula1=list_ranges[spec.name], allow_blank=not spec.required
                )
                validation.add(f"{letter}2:{letter}10000")
                sheet.add_data_validation(validation)
    if default is not None:
        workbook.remove(default)
    # The hidden list sheet last, so that the workbook opens on the cases.
    workbook.move_sheet(CHOICES_SHEET, offset=len(workbook.sheetnames) - 1)
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()
