"""Column mapping of legacy Excel workbooks: headers to fields, and cells to values.

Workbooks kept by hand over the years name the same column in many ways ("Số QĐ",
"So quyet dinh", "SỐ QUYẾT ĐỊNH:"), split a header over two rows, keep money in đồng or in
million đồng with the unit in the header, and hold dates as text, as Excel serial numbers or
as datetimes. This module turns all of that into field names and plain values; it touches
no database and no file.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Literal

from inspect_app.domain.messages import N_
from inspect_app.domain.text import fold_vietnamese

RecordKind = Literal["cases", "subjects", "findings", "measures", "executions"]
RECORD_KINDS: tuple[RecordKind, ...] = ("cases", "subjects", "findings", "measures", "executions")
FieldType = Literal["text", "date", "money", "int", "enum"]
MoneyUnit = Literal["dong", "million"]

MONEY_FACTORS: dict[MoneyUnit, int] = {"dong": 1, "million": 1_000_000}

# Messages for a cell that cannot be read, as message ids (the dry run translates them).
MSG_BAD_DATE = N_("Enter a date as dd/mm/yyyy.")
MSG_NO_SUCH_DATE = N_("This date does not exist.")
MSG_BAD_AMOUNT = N_("Enter an amount as a number.")
MSG_NEGATIVE_AMOUNT = N_("The amount cannot be negative.")
MSG_FRACTIONAL_DONG = N_("The amount must be a whole number of đồng.")
MSG_BAD_INTEGER = N_("Enter a whole number.")
MSG_UNKNOWN_CHOICE = N_("This value is not one of the choices of the list.")


class CellValueError(ValueError):
    """A cell whose content cannot be read as its field's type; ``message`` is a message id."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class FieldSpec:
    """One field of a record kind: its type, the header of the template and its variants."""

    name: str
    type: FieldType
    header: str  # the template's header, in Vietnamese as the workbooks have it
    aliases: tuple[str, ...] = ()
    required: bool = False
    unit: MoneyUnit = "dong"  # the template's unit for money; a header may say otherwise


_CASE_NUMBER = FieldSpec(
    "decision_no",
    "text",
    "Số quyết định thanh tra",
    ("Số QĐ", "Số quyết định", "Số QĐ thanh tra", "Số QĐTT"),
    required=True,
)

RECORD_FIELDS: dict[RecordKind, tuple[FieldSpec, ...]] = {
    "cases": (
        _CASE_NUMBER,
        FieldSpec("decision_date", "date", "Ngày quyết định", ("Ngày QĐ", "Ngày ký QĐ"), True),
        FieldSpec("title", "text", "Tên cuộc thanh tra", ("Tên cuộc", "Nội dung thanh tra"), True),
        FieldSpec("origin", "enum", "Hình thức", ("Theo kế hoạch/đột xuất", "Loại cuộc"), True),
        FieldSpec("announced_on", "date", "Ngày công bố", ("Ngày công bố quyết định",)),
        FieldSpec("onsite_end", "date", "Ngày kết thúc trực tiếp", ("Ngày kết thúc",)),
        FieldSpec("conclusion_no", "text", "Số kết luận", ("Số KL", "Số kết luận thanh tra")),
        FieldSpec("conclusion_date", "date", "Ngày kết luận", ("Ngày KL", "Ngày ký kết luận")),
    ),
    "subjects": (
        _CASE_NUMBER,
        FieldSpec("name", "text", "Tên đối tượng", ("Đối tượng thanh tra", "Tên đơn vị"), True),
        FieldSpec("tax_code", "text", "Mã số thuế", ("MST",)),
        FieldSpec("kind", "enum", "Loại đối tượng", ("Loại hình",)),
        FieldSpec("address", "text", "Địa chỉ", ()),
    ),
    "findings": (
        _CASE_NUMBER,
        FieldSpec("key", "text", "Mã phát hiện", ("STT phát hiện", "Mã vi phạm"), True),
        FieldSpec("subject_tax_code", "text", "MST đối tượng", ("Mã số thuế đối tượng",)),
        FieldSpec("category", "enum", "Lĩnh vực", ("Lĩnh vực vi phạm",)),
        FieldSpec("description", "text", "Nội dung vi phạm", ("Phát hiện", "Vi phạm"), True),
        FieldSpec("amount_vnd", "money", "Số tiền vi phạm", ("Tiền vi phạm", "Sai phạm về tiền")),
    ),
    "measures": (
        _CASE_NUMBER,
        FieldSpec("key", "text", "Mã kiến nghị", ("STT kiến nghị", "Mã biện pháp"), True),
        FieldSpec("finding_key", "text", "Mã phát hiện", ("STT phát hiện",)),
        FieldSpec("type", "enum", "Loại kiến nghị", ("Biện pháp xử lý", "Loại biện pháp"), True),
        FieldSpec("description", "text", "Nội dung kiến nghị", ("Kiến nghị",)),
        FieldSpec("amount_vnd", "money", "Số tiền kiến nghị", ("Số tiền", "Kiến nghị thu hồi")),
        FieldSpec("due_on", "date", "Thời hạn", ("Hạn thực hiện", "Thời hạn thực hiện")),
        FieldSpec("collectives", "int", "Số tập thể", ("Tập thể",)),
        FieldSpec("individuals", "int", "Số cá nhân", ("Cá nhân", "Số người bị xử lý")),
    ),
    "executions": (
        _CASE_NUMBER,
        FieldSpec("measure_key", "text", "Mã kiến nghị", ("STT kiến nghị",), True),
        FieldSpec("executed_on", "date", "Ngày thực hiện", ("Ngày thu hồi", "Ngày nộp"), True),
        FieldSpec("amount_vnd", "money", "Số tiền đã thu hồi", ("Đã thu hồi", "Số tiền đã nộp")),
        FieldSpec("quantity", "int", "Số lượng", ("Số người", "Số vụ")),
        FieldSpec("document_no", "text", "Số văn bản", ("Chứng từ", "Số chứng từ")),
    ),
}

# Units of money as the headers write them, folded: "(triệu đồng)", "(tr.đ)", "(đồng)".
_UNIT_WORDS: dict[str, MoneyUnit] = {
    "trieu dong": "million",
    "trieu": "million",
    "tr d": "million",
    "trd": "million",
    "tr dong": "million",
    "trieu vnd": "million",
    "dong": "dong",
    "d": "dong",
    "vnd": "dong",
}
_PARENTHESES = re.compile(r"[(\[]([^)\]]*)[)\]]")
_PUNCTUATION = re.compile(r"[^\w\s]+")


def fold_header(text: str) -> str:
    """A header compared without diacritics, case, punctuation or spacing: "Số QĐ:" -> "so qd"."""
    return " ".join(_PUNCTUATION.sub(" ", fold_vietnamese(text)).replace("_", " ").split())


def header_unit(text: str) -> MoneyUnit | None:
    """The money unit a header names in parentheses ("Số tiền (triệu đồng)"), if any."""
    for inner in _PARENTHESES.findall(text):
        unit = _UNIT_WORDS.get(fold_header(inner))
        if unit is not None:
            return unit
    return None


def _header_words(text: str) -> str:
    return fold_header(_PARENTHESES.sub(" ", text))


def combine_header_rows(top: Sequence[object], bottom: Sequence[object]) -> list[str]:
    """Two header rows as one: a merged top cell spans the blank cells after it.

    A reader gives a merged cell's value in its first column only, so the top row's last
    value is carried right over blanks, and joined with the bottom row's header where that
    has one: "Kiến nghị thu hồi" over "Số tiền (triệu đồng)" reads "Kiến nghị thu hồi Số tiền
    (triệu đồng)"; a top header with a blank below it stays as it is.
    """
    width = max(len(top), len(bottom))
    combined: list[str] = []
    carried = ""
    for index in range(width):
        upper = _cell_text(top[index]) if index < len(top) else ""
        lower = _cell_text(bottom[index]) if index < len(bottom) else ""
        if upper:
            carried = upper
        elif not lower:
            carried = ""  # a column blank in both rows ends the merged span
        combined.append(" ".join(part for part in (carried, lower) if part) if lower else upper)
    return combined


def _cell_text(value: object) -> str:
    return "" if value is None else " ".join(str(value).split())


@dataclass(frozen=True)
class ColumnMap:
    """Where a field is in a sheet, and the money unit its header names."""

    index: int
    header: str
    unit: MoneyUnit = "dong"


@dataclass
class HeaderMapping:
    """The fields a sheet's header row provides; what it lacks; what it has that is unknown."""

    kind: RecordKind
    columns: dict[str, ColumnMap] = field(default_factory=dict)
    missing_required: list[str] = field(default_factory=list)
    unknown: list[tuple[int, str]] = field(default_factory=list)
    duplicates: list[tuple[int, str]] = field(default_factory=list)


def _header_index(kind: RecordKind) -> dict[str, FieldSpec]:
    index: dict[str, FieldSpec] = {}
    for spec in RECORD_FIELDS[kind]:
        for name in (spec.header, *spec.aliases):
            index.setdefault(_header_words(name), spec)
    return index


def _match_header(text: str, index: Mapping[str, FieldSpec]) -> FieldSpec | None:
    words = _header_words(text)
    if words in index:
        return index[words]
    # A merged header reads "<group> <column>": the longest known header it ends with wins.
    best: FieldSpec | None = None
    best_length = 0
    for known, spec in index.items():
        if words.endswith(" " + known) and len(known) > best_length:
            best, best_length = spec, len(known)
    return best


def map_headers(kind: RecordKind, headers: Sequence[object]) -> HeaderMapping:
    """Map a sheet's header row to the fields of ``kind``; the first column of a field wins."""
    index = _header_index(kind)
    mapping = HeaderMapping(kind)
    for position, raw in enumerate(headers):
        text = _cell_text(raw)
        if not text:
            continue
        spec = _match_header(text, index)
        if spec is None:
            mapping.unknown.append((position, text))
        elif spec.name in mapping.columns:
            mapping.duplicates.append((position, text))
        else:
            unit = header_unit(text) or spec.unit
            mapping.columns[spec.name] = ColumnMap(position, text, unit)
    mapping.missing_required = [
        spec.name
        for spec in RECORD_FIELDS[kind]
        if spec.required and spec.name not in mapping.columns
    ]
    return mapping


# Excel's 1900 date system counts 29 February 1900, a day that never was (serial 60).
_EXCEL_EPOCH_BEFORE_LEAP = dt.date(1899, 12, 31)
_EXCEL_EPOCH = dt.date(1899, 12, 30)
_EXCEL_PHANTOM_LEAP_DAY = 60
_EXCEL_MAX_SERIAL = 2_958_465  # 31/12/9999
_DATE_TEXT = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})$")


def excel_serial_date(serial: float) -> dt.date:
    """The date of an Excel serial number (1900 system); its time of day is dropped."""
    whole = int(serial)
    if serial < 1 or whole > _EXCEL_MAX_SERIAL:
        raise CellValueError(MSG_BAD_DATE)
    if whole == _EXCEL_PHANTOM_LEAP_DAY:
        raise CellValueError(MSG_NO_SUCH_DATE)
    if whole < _EXCEL_PHANTOM_LEAP_DAY:
        return _EXCEL_EPOCH_BEFORE_LEAP + dt.timedelta(days=whole)
    return _EXCEL_EPOCH + dt.timedelta(days=whole)


def parse_date(value: object) -> dt.date | None:
    """A cell as a date: a datetime, an Excel serial number, or text dd/mm/yyyy; blank is None."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, bool):
        raise CellValueError(MSG_BAD_DATE)
    if isinstance(value, int | float):
        return excel_serial_date(value)
    if isinstance(value, str):
        match = _DATE_TEXT.match(value.strip())
        if match is None:
            raise CellValueError(MSG_BAD_DATE)
        day, month, year = (int(part) for part in match.groups())
        try:
            return dt.date(year, month, day)
        except ValueError:
            raise CellValueError(MSG_NO_SUCH_DATE) from None
    raise CellValueError(MSG_BAD_DATE)


_GROUPED_DOTS = re.compile(r"^\d{1,3}(\.\d{3})+$")
_GROUPED_COMMAS = re.compile(r"^\d{1,3}(,\d{3}){2,}$")
_CURRENCY_MARKS = re.compile(r"(?i)\s|₫|vn[dđ]|đồng|đ$")


def _decimal_of_text(text: str) -> Decimal:
    """A number as people type it in Vietnamese ("1.250.000", "1,5") or in English ("1.5")."""
    raw = _CURRENCY_MARKS.sub("", text)
    if "." in raw and "," in raw:
        # Whichever comes last is the decimal mark: "1.250.000,5" or "1,250,000.5".
        if raw.rfind(",") > raw.rfind("."):
            raw = raw.replace(".", "").replace(",", ".")
        else:
            raw = raw.replace(",", "")
    elif _GROUPED_DOTS.match(raw):
        raw = raw.replace(".", "")
    elif _GROUPED_COMMAS.match(raw):
        raw = raw.replace(",", "")
    else:
        raw = raw.replace(",", ".")  # the Vietnamese decimal comma
    try:
        number = Decimal(raw)
    except InvalidOperation:
        raise CellValueError(MSG_BAD_AMOUNT) from None
    if not number.is_finite():
        raise CellValueError(MSG_BAD_AMOUNT)
    return number


def parse_money(value: object, unit: MoneyUnit = "dong") -> int | None:
    """A cell as whole đồng, the unit read from its header; a fraction of a đồng is refused."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise CellValueError(MSG_BAD_AMOUNT)
    if isinstance(value, int):
        number = Decimal(value)
    elif isinstance(value, float):
        # The shortest text of the float is what the sheet showed: 1.5, not 1.4999999...
        number = Decimal(repr(value))
        if not number.is_finite():
            raise CellValueError(MSG_BAD_AMOUNT)
    elif isinstance(value, str):
        number = _decimal_of_text(value.strip())
    else:
        raise CellValueError(MSG_BAD_AMOUNT)
    dong = number * MONEY_FACTORS[unit]
    if dong < 0:
        raise CellValueError(MSG_NEGATIVE_AMOUNT)
    if dong != dong.to_integral_value():
        raise CellValueError(MSG_FRACTIONAL_DONG)
    return int(dong)


def parse_integer(value: object) -> int | None:
    """A cell as a whole number (counts of persons, cases); blank is None."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise CellValueError(MSG_BAD_INTEGER)
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if not value.is_integer():
            raise CellValueError(MSG_BAD_INTEGER)
        return int(value)
    if isinstance(value, str) and re.fullmatch(r"[+-]?\d+", value.strip()):
        return int(value.strip())
    raise CellValueError(MSG_BAD_INTEGER)


def parse_text(value: object) -> str:
    """A cell as single-spaced text; a number Excel stored as a float loses its ".0"."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime | dt.date):
        return value.strftime("%d/%m/%Y")
    return " ".join(str(value).split())


def enum_index(labels: Mapping[str, str], *extra: Mapping[str, str]) -> dict[str, str]:
    """Folded spellings to codes: each code, its label and the extra names (Vietnamese words)."""
    index: dict[str, str] = {}
    for code, label in labels.items():
        index.setdefault(fold_header(code), code)
        index.setdefault(fold_header(str(label)), code)
    for names in extra:
        for name, code in names.items():
            index.setdefault(fold_header(name), code)
    return index


def parse_enum(value: object, index: Mapping[str, str]) -> str | None:
    """The code of a label as written in a cell, with or without diacritics; blank is None."""
    text = parse_text(value)
    if not text:
        return None
    code = index.get(fold_header(text))
    if code is None:
        raise CellValueError(MSG_UNKNOWN_CHOICE)
    return code


@dataclass(frozen=True)
class HeaderLocation:
    """Where a sheet's header is: its first row (0-based), how many rows it spans, its mapping."""

    row: int
    height: int
    mapping: HeaderMapping


def find_header(
    kind: RecordKind, rows: Sequence[Sequence[object]], scan: int = 10
) -> HeaderLocation | None:
    """The header of a sheet of ``kind`` among its first ``scan`` rows, one row or two merged.

    Legacy sheets open with a title, a unit name or blank rows before the header, so each of
    the first rows is tried alone and combined with the next; the reading that maps the most
    fields (required ones first) wins. In a tie the two rows win when the second one reads as
    headers (text only, no number or date: a first data row nearly always has one), else
    the single row. None when no row maps a required field.
    """
    best: HeaderLocation | None = None
    best_score = (0, 0, 0)
    for start in range(min(scan, len(rows))):
        top = [_cell_text(cell) for cell in rows[start]]
        if not any(top):
            continue
        candidates = [(1, top)]
        # Two rows are a merged header only when both hold something.
        if start + 1 < len(rows) and any(_cell_text(cell) for cell in rows[start + 1]):
            candidates.append((2, combine_header_rows(rows[start], rows[start + 1])))
        for height, headers in candidates:
            mapping = map_headers(kind, headers)
            required = sum(
                1 for spec in RECORD_FIELDS[kind] if spec.required and spec.name in mapping.columns
            )
            headerish = height == 2 and _reads_as_headers(rows[start + 1])
            score = (required, len(mapping.columns), int(headerish))
            if required and score > best_score:
                best, best_score = HeaderLocation(start, height, mapping), score
    return best


_NUMBER_LIKE = re.compile(r"^[\d\s.,/\-:]+$")


def _reads_as_headers(row: Sequence[object]) -> bool:
    """True when every filled cell of ``row`` is text that is not a number or a date."""
    texts = [cell for cell in row if cell not in (None, "")]
    return bool(texts) and all(
        isinstance(cell, str) and not _NUMBER_LIKE.match(cell.strip()) for cell in texts
    )
