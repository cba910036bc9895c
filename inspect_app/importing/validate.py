"""Dry run of an import: every row of every sheet checked, every problem named at its cell.

The checks are those of the forms where a rule already has a home (``domain.records``: what
a recommendation needs, when an execution may be dated; ``MAX_VND``), plus what only a
workbook can get wrong: a header that is not there, a cell that is not a date or an amount,
a label outside its list, a row repeated, a row pointing at a case or a recommendation that
the workbook does not hold. Nothing is written anywhere.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from inspect_app.domain.labels import FINDING_CATEGORY_LABELS, ORIGIN_LABELS, SUBJECT_KIND_LABELS
from inspect_app.domain.measures import MEASURE_TYPE_LABELS
from inspect_app.domain.messages import N_, bound, lazy
from inspect_app.domain.records import (
    IN_FUTURE,
    MAX_VND,
    Recommendation,
    execution_date_problem,
    recommendation_problems,
)
from inspect_app.i18n import translate
from inspect_app.importing.mapping import (
    RECORD_FIELDS,
    RECORD_KINDS,
    CellValueError,
    FieldSpec,
    HeaderLocation,
    RecordKind,
    enum_index,
    parse_date,
    parse_enum,
    parse_integer,
    parse_money,
    parse_text,
)
from inspect_app.importing.reader import Cell, Sheet

MSG_REQUIRED = N_("This field is required.")
MSG_NO_HEADER = N_("No header row of the template was found in the first rows of this sheet.")
MSG_MISSING_COLUMN = N_("The column “{column}” is missing.")
MSG_REPEATED_COLUMN = N_("This column repeats another column of the same field; it was ignored.")
MSG_UNKNOWN_SHEET = N_("This sheet is not one of the template's sheets; it was not read.")
MSG_MISSING_SHEET = N_("The workbook has no sheet of cases (“Cuộc thanh tra”).")
MSG_REPEATED_SHEET = N_("A sheet of this kind came earlier; this one was not read.")
MSG_AMOUNT_TOO_LARGE = N_("The amount is larger than any amount on record; check the unit.")
MSG_DUPLICATE_ROW = N_("This key already appears on row {row}.")
MSG_DATE_BEFORE = N_("This date is before {other} ({date}).")
MSG_NO_CASE = N_("No case with this decision number in the sheet of cases.")
MSG_NO_FINDING = N_("No finding with this key for this case in the sheet of findings.")
MSG_UNKNOWN_AGENCY = N_("No agency has the code “{code}”.")
MSG_NO_MEASURE = N_("No recommendation with this key for this case in the sheet of measures.")

# The names of the case dates, for "This date is before {other}".
DATE_NAMES = {
    "decision_date": N_("the decision date"),
    "announced_on": N_("the announcement"),
    "onsite_end": N_("the end of on-site work"),
}
# Order the dates of a case must keep: each is on or after the ones before it.
CASE_DATE_ORDER = ("decision_date", "announced_on", "onsite_end", "conclusion_date")

# Names the legacy workbooks use besides the labels of the application.
LEGACY_ENUM_NAMES: dict[str, dict[str, str]] = {
    "origin": {"Theo kế hoạch": "scheduled", "Kế hoạch": "scheduled", "Đột xuất": "ad_hoc"},
    "kind": {"Doanh nghiệp": "enterprise", "Cá nhân": "individual", "Tổ chức": "organization"},
    "category": {},
    "type": {
        "Thu hồi": "recover_money",
        "Thu hồi về NSNN": "recover_money",
        "Thu hồi tiền": "recover_money",
        "Thu hồi đất": "recover_land",
        "Xử phạt hành chính": "admin_fine",
        "Kiểm điểm": "discipline",
        "Xử lý kỷ luật": "discipline",
        "Chuyển cơ quan điều tra": "criminal_referral",
        "Chuyển CQĐT": "criminal_referral",
    },
}
ENUM_LABELS: dict[str, Mapping[str, str]] = {
    "origin": ORIGIN_LABELS,
    "kind": SUBJECT_KIND_LABELS,
    "category": FINDING_CATEGORY_LABELS,
    "type": MEASURE_TYPE_LABELS,
}


def enum_choices(field_name: str, lang: str = "vi") -> dict[str, str]:
    """Folded spellings of a coded field to its codes: labels in ``lang`` and in English,
    the codes themselves, and the names legacy workbooks use."""
    labels = ENUM_LABELS[field_name]
    translated = {translate(label, lang): code for code, label in labels.items()}
    return enum_index(labels, translated, LEGACY_ENUM_NAMES[field_name])


@dataclass(frozen=True)
class Problem:
    """One thing wrong: where (sheet, Excel row from 1, column from 0) and what (message id)."""

    sheet: str
    row: int | None
    column: int | None
    message: str

    def text(self, lang: str) -> str:
        """The message in ``lang``."""
        return translate(self.message, lang)

    @property
    def cell(self) -> str:
        """The cell as Excel names it ("C7"), the row ("7") or nothing, for a listing."""
        if self.row is None:
            return ""
        if self.column is None:
            return str(self.row)
        return f"{column_letter(self.column)}{self.row}"


def column_letter(index: int) -> str:
    """The Excel name of a 0-based column: 0 -> "A", 26 -> "AA"."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters


@dataclass
class Row:
    """A data row read into field values; fields whose cell could not be read are absent."""

    sheet: str
    number: int
    values: dict[str, Any]
    columns: dict[str, int]

    def problem(self, field_name: str, message: str) -> Problem:
        """A problem at this row's cell of ``field_name`` (the row itself when unmapped)."""
        return Problem(self.sheet, self.number, self.columns.get(field_name), message)


@dataclass
class DryRun:
    """What a dry run found: the rows read per record kind, and every problem."""

    rows: dict[RecordKind, list[Row]] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        """True when nothing stands in the way of writing the records."""
        return not self.problems


_PARSERS: dict[str, Callable[..., Any]] = {
    "date": parse_date,
    "int": parse_integer,
    "text": parse_text,
}


def _read_row(
    sheet: Sheet,
    number: int,
    cells: list[Cell],
    header: HeaderLocation,
    choices: Mapping[str, Mapping[str, str]],
    problems: list[Problem],
) -> Row:
    columns = {name: column.index for name, column in header.mapping.columns.items()}
    row = Row(sheet.name, number, {}, columns)
    for spec in RECORD_FIELDS[header.mapping.kind]:
        column = header.mapping.columns.get(spec.name)
        if column is None:
            continue
        raw = cells[column.index] if column.index < len(cells) else None
        try:
            value = _parse(spec, raw, column.unit, choices)
        except CellValueError as error:
            problems.append(row.problem(spec.name, error.message))
            continue
        if value in (None, "") and spec.required:
            problems.append(row.problem(spec.name, MSG_REQUIRED))
            continue
        if spec.type == "money" and isinstance(value, int) and value > MAX_VND:
            problems.append(row.problem(spec.name, MSG_AMOUNT_TOO_LARGE))
            continue
        row.values[spec.name] = value
    return row


def _parse(
    spec: FieldSpec, raw: Cell, unit: Any, choices: Mapping[str, Mapping[str, str]]
) -> object:
    if spec.type == "money":
        return parse_money(raw, unit)
    if spec.type == "enum":
        return parse_enum(raw, choices[spec.name])
    return _PARSERS[spec.type](raw)


def _sheets_by_kind(sheets: Iterable[Sheet], problems: list[Problem]) -> dict[RecordKind, Sheet]:
    found: dict[RecordKind, Sheet] = {}
    for sheet in sheets:
        kind = sheet.kind()
        if kind is None:
            if sheet.rows:
                problems.append(Problem(sheet.name, None, None, MSG_UNKNOWN_SHEET))
        elif kind in found:
            problems.append(Problem(sheet.name, None, None, MSG_REPEATED_SHEET))
        else:
            found[kind] = sheet
    if "cases" not in found:
        problems.append(Problem("", None, None, MSG_MISSING_SHEET))
    return found


def _read_sheet(kind: RecordKind, sheet: Sheet, lang: str, problems: list[Problem]) -> list[Row]:
    header = sheet.header(kind)
    if header is None:
        problems.append(Problem(sheet.name, None, None, MSG_NO_HEADER))
        return []
    header_row = header.row + 1
    specs = {spec.name: spec for spec in RECORD_FIELDS[kind]}
    for name in header.mapping.missing_required:
        problems.append(
            Problem(
                sheet.name, header_row, None, bound(MSG_MISSING_COLUMN, column=specs[name].header)
            )
        )
    for position, _text in header.mapping.duplicates:
        problems.append(Problem(sheet.name, header_row, position, MSG_REPEATED_COLUMN))
    if header.mapping.missing_required:
        return []
    choices = {
        spec.name: enum_choices(spec.name, lang) for spec in specs.values() if spec.type == "enum"
    }
    return [
        _read_row(sheet, number, cells, header, choices, problems)
        for number, cells in sheet.data_rows(header)
    ]


def _check_duplicates(
    rows: list[Row], key_fields: tuple[str, ...], at: str, problems: list[Problem]
) -> None:
    seen: dict[tuple[object, ...], int] = {}
    for row in rows:
        if any(row.values.get(name) in (None, "") for name in key_fields):
            continue
        key = tuple(row.values[name] for name in key_fields)
        if key in seen:
            problems.append(row.problem(at, bound(MSG_DUPLICATE_ROW, row=seen[key])))
        else:
            seen[key] = row.number


def _case_year(row: Row) -> int | None:
    decided = row.values.get("decision_date")
    return decided.year if isinstance(decided, dt.date) else None


def _check_case_dates(row: Row, problems: list[Problem]) -> None:
    earlier: tuple[str, dt.date] | None = None
    for name in CASE_DATE_ORDER:
        on = row.values.get(name)
        if not isinstance(on, dt.date):
            continue
        if earlier is not None and on < earlier[1]:
            message = bound(
                MSG_DATE_BEFORE, other=lazy(DATE_NAMES[earlier[0]]), date=f"{earlier[1]:%d/%m/%Y}"
            )
            problems.append(row.problem(name, message))
        else:
            earlier = (name, on)


def dry_run(
    sheets: Iterable[Sheet],
    today: dt.date,
    lang: str = "vi",
    progress: Callable[[RecordKind, int], None] | None = None,
) -> DryRun:
    """Check every row of a workbook's sheets; nothing is written.

    ``progress`` hears of each sheet once its rows are read. Cases are keyed by decision
    number and year, findings and recommendations by decision
    number and their own key; the children point at their case by decision number.
    """
    result = DryRun()
    problems = result.problems
    sheets = list(sheets)
    found = _sheets_by_kind(sheets, problems)
    for kind in RECORD_KINDS:
        if kind in found:
            result.rows[kind] = _read_sheet(kind, found[kind], lang, problems)
            if progress is not None:
                progress(kind, len(result.rows[kind]))
    cases = result.rows.get("cases", [])
    for case in cases:
        case.values["year"] = _case_year(case)
        _check_case_dates(case, problems)
    _check_duplicates(cases, ("decision_no", "year"), "decision_no", problems)
    case_by_number: dict[object, Row] = {}
    for case in cases:  # the first row of a repeated decision number is the case
        case_by_number.setdefault(case.values.get("decision_no"), case)
    findings = result.rows.get("findings", [])
    measures = result.rows.get("measures", [])
    _check_duplicates(findings, ("decision_no", "key"), "key", problems)
    _check_duplicates(measures, ("decision_no", "key"), "key", problems)
    finding_keys = {(row.values.get("decision_no"), row.values.get("key")) for row in findings}
    measure_keys = {(row.values.get("decision_no"), row.values.get("key")) for row in measures}

    children: tuple[RecordKind, ...] = ("subjects", "findings", "measures", "executions")
    for kind in children:
        for row in result.rows.get(kind, []):
            number = row.values.get("decision_no")
            if number and number not in case_by_number:
                problems.append(row.problem("decision_no", MSG_NO_CASE))
    for row in measures:
        parent = case_by_number.get(row.values.get("decision_no"))
        finding_key = row.values.get("finding_key")
        if finding_key and (row.values.get("decision_no"), finding_key) not in finding_keys:
            problems.append(row.problem("finding_key", MSG_NO_FINDING))
        if "type" not in row.values:
            continue  # the type is missing or unreadable, already reported
        concluded = parent.values.get("conclusion_date") if parent else None
        item = Recommendation(
            type=row.values["type"],
            description=row.values.get("description") or "",
            amount_vnd=row.values.get("amount_vnd") or 0,
            collectives=row.values.get("collectives") or 0,
            individuals=row.values.get("individuals") or 0,
            due_on=row.values.get("due_on"),
        )
        for name, problem in recommendation_problems(item, concluded).items():
            problems.append(row.problem(name, problem))
    for row in result.rows.get("executions", []):
        key = (row.values.get("decision_no"), row.values.get("measure_key"))
        if key[1] and key not in measure_keys:
            problems.append(row.problem("measure_key", MSG_NO_MEASURE))
        on = row.values.get("executed_on")
        owner = case_by_number.get(key[0])
        if isinstance(on, dt.date) and owner is not None:
            announced = owner.values.get("announced_on")
            # Legacy sheets often lack the announcement: then only a future date is refused.
            date_problem: str | None
            if announced is None:
                date_problem = IN_FUTURE if on > today else None
            else:
                date_problem = execution_date_problem(on, announced, today)
            if date_problem is not None:
                problems.append(row.problem("executed_on", date_problem))
    # In the order of the workbook: sheet by sheet, row by row, column by column.
    sheet_order = {sheet.name: position for position, sheet in enumerate(sheets)}
    problems.sort(
        key=lambda p: (
            sheet_order.get(p.sheet, -1),
            p.row or 0,
            -1 if p.column is None else p.column,
        )
    )
    return result
