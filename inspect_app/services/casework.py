"""Shared pieces of the case services: input coercion, keyset cursors, version conflicts.

Services accept plain dicts from two kinds of caller: JSON handlers (typed values: ``date``,
``int``) and page forms (text typed by people: "14/03/2026", "1.250.000", "1.250,50"). The
helpers here accept both and collect one message id per field, so every caller gets the same
rules and the same field-named errors.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any, Generic, Protocol, TypeVar

import msgspec
from piccolo.table import Table

from inspect_app import clock
from inspect_app.db import is_postgres
from inspect_app.domain.formatting import parse_date_input, parse_m2_input, parse_vnd_input
from inspect_app.domain.text import ascii_digits, has_control_characters
from inspect_app.errors import Conflict, InvalidInput, NotFound
from inspect_app.schemas.cases import given

DEFAULT_LIMIT = 50
MAX_LIMIT = 200
MAX_VND = 10**17  # fits BIGINT with room for sums of a whole province
MAX_M2 = Decimal("999999999999.99")  # NUMERIC(14, 2)
CENT = Decimal("0.01")

MAX_ID = 2_147_483_647  # ids are 32-bit SERIALs

STALE_MESSAGE = "This record was changed by someone else. Reload and try again."


def stale_version() -> Conflict:
    """The 409 answered when the version sent is not the stored one."""
    return Conflict(STALE_MESSAGE, code="stale_version")


def ensure_id(record_id: int | None) -> None:
    """NotFound for an id no record can have (the column is 32-bit): never a database error."""
    if record_id is not None and not 1 <= record_id <= MAX_ID:
        raise NotFound()


def clean_query(value: str | None) -> str | None:
    """A search or filter string without characters the database refuses (NUL, surrogates)."""
    if value is None:
        return None
    value = value.replace("\x00", "")
    return value.encode("utf-8", "ignore").decode("utf-8")


# --------------------------------------------------------------------------- stored values


def stored_day(value: Any) -> date | None:
    """A date as a row gives it back: SQLite hands back text where a query computes the
    date (a UNION, an aggregate, a page's JSON list), "2026-03-14" or "2026-03-14 00:00:00"."""
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def stored_id(value: Any) -> int | None:
    """A nullable reference as a row gives it back (text from a page's JSON list)."""
    return None if value is None else int(str(value))


def stored_json(value: Any) -> Any:
    """A JSON column's value as Python: Piccolo hands text back on some engines and
    statements, the decoded value on others."""
    return json.loads(value) if isinstance(value, str) else value


def stored_instant(value: Any) -> datetime | None:
    """A timestamp as a row gives it back: text from a page's JSON list or SQLite, read as
    UTC when it carries no offset."""
    if value is None or isinstance(value, datetime):
        return value
    stamp = datetime.fromisoformat(str(value))
    return stamp if stamp.tzinfo else stamp.replace(tzinfo=UTC)


# --------------------------------------------------------------------------- pagination


def encode_cursor(last_id: int) -> str:
    """An opaque cursor pointing after the record ``last_id``."""
    raw = json.dumps({"id": last_id}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> int | None:
    """The record id a cursor points after; InvalidInput on anything not made by us."""
    if cursor is None or cursor == "":
        return None
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        value = json.loads(base64.urlsafe_b64decode(padded.encode()))
        last_id = value["id"]
    except (ValueError, TypeError, KeyError, binascii.Error, UnicodeDecodeError):
        raise InvalidInput({"cursor": "This cursor is not valid."}) from None
    if not isinstance(last_id, int) or isinstance(last_id, bool) or last_id < 0:
        raise InvalidInput({"cursor": "This cursor is not valid."})
    return last_id


def page_limit(limit: int | None) -> int:
    """The page size asked for, checked against 1..MAX_LIMIT."""
    if limit is None:
        return DEFAULT_LIMIT
    if not 1 <= limit <= MAX_LIMIT:
        raise InvalidInput({"limit": "Choose a page size from 1 to 200."})
    return limit


class _Record(Protocol):
    @property
    def id(self) -> int: ...


RecordT = TypeVar("RecordT", bound=_Record)
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Page(Generic[RecordT]):
    """One page of a list: its records, and the cursor after them (None on the last page)."""

    items: list[RecordT]
    next_cursor: str | None


def page_of(records: Sequence[RecordT], limit: int) -> Page[RecordT]:
    """A page from ``limit + 1`` fetched records (in id order): the page and the cursor
    after it."""
    items = list(records[:limit])
    next_cursor = encode_cursor(items[-1].id) if len(records) > limit and items else None
    return Page(items, next_cursor)


def keyset_page(records: Sequence[RecordT], limit: int) -> tuple[list[RecordT], str | None]:
    """A typed list answer from ``limit + 1`` fetched records (in id order): the page, and
    the cursor after it (None on the last page)."""
    page = page_of(records, limit)
    return page.items, page.next_cursor


async def keyset_rows(
    table: type[Table],
    fields: Sequence[Any],
    where: Any,
    after: int | None,
    size: int,
    build: Callable[[Mapping[str, Any]], T],
) -> list[T]:
    """Up to ``size + 1`` rows of ``table`` matching ``where``, in id order after ``after``,
    each made a record by ``build`` (the table's mapper of stored rows)."""
    key = table._meta.primary_key
    query = table.select(*fields).where(where)
    if after is not None:
        query = query.where(key > after)
    return [build(row) for row in await query.order_by(key).limit(size + 1)]


# --------------------------------------------------------------------------- input


class Errors(dict[str, str]):
    """Field -> message id, filled while checking input; ``raise_if_any`` ends the check."""

    def raise_if_any(self) -> None:
        """Raise InvalidInput naming every field at fault, if any."""
        if self:
            raise InvalidInput(dict(self))

    def readable(self, values: Mapping[str, Any]) -> dict[str, Any]:
        """The values of the fields read without a problem, as a request struct holds them
        (an area as its decimal text): what a form's reader builds its struct from."""
        return {
            key: str(value) if isinstance(value, Decimal) else value
            for key, value in values.items()
            if key not in self
        }

    @classmethod
    def of_request(
        cls,
        request: msgspec.Struct,
        validate: Callable[[dict[str, Any]], Mapping[str, str]],
        unread: Mapping[str, str] | None,
    ) -> tuple[dict[str, Any], Errors]:
        """The fields a request struct sent (``version`` aside, less those a form could not
        read) and every problem with them: ``validate``'s and the form's (``unread``)."""
        data = given(request)
        data.pop("version", None)
        errors = cls(validate(data))
        errors.add_unread(data, unread)
        return data, errors

    def add_unread(self, values: dict[str, Any], unread: Mapping[str, str] | None) -> None:
        """Name the fields a form could not read (its reader's problems), and leave their
        values out of ``values``: a placeholder the form gave for them is not checked."""
        for key, message in (unread or {}).items():
            values.pop(key, None)
            self[key] = message


# Fields naming or numbering something: one line, no control character at all (free text
# may hold tabs and line breaks). ``text`` decides by the field's key unless told.
SINGLE_LINE_FIELDS = frozenset(
    {
        "name",
        "code",
        "title",
        "kind",
        "category",
        "sector",
        "tax_code",
        "decision_no",
        "conclusion_no",
        "document_no",
        "origin_ref",
        "responsible",
    }
)


def text(
    data: Mapping[str, Any],
    key: str,
    errors: Errors,
    *,
    max_length: int,
    required: bool = False,
    single_line: bool | None = None,
) -> str | None:
    """A stripped text value; None when absent (and not required).

    Control characters are refused: any of them in a single-line field (a name, code,
    number or title: ``SINGLE_LINE_FIELDS`` unless ``single_line`` says otherwise), all but
    tab and line breaks in free text.
    """
    if single_line is None:
        single_line = key in SINGLE_LINE_FIELDS
    value = data.get(key)
    if value is None:
        if required:
            errors[key] = "This field is required."
        return None
    if not isinstance(value, str):
        errors[key] = "Enter text."
        return None
    value = value.strip()
    if required and not value:
        errors[key] = "This field is required."
        return None
    if len(value) > max_length:
        errors[key] = _too_long(max_length)
        return None
    if clean_query(value) != value or has_control_characters(value, single_line=single_line):
        errors[key] = "Remove the control characters from the text."
        return None
    return value


def _too_long(max_length: int) -> str:
    # Message ids are fixed sentences; the limits used by the case services are listed.
    return {
        20: "Enter at most 20 characters.",
        32: "Enter at most 32 characters.",
        40: "Enter at most 40 characters.",
        64: "Enter at most 64 characters.",
        120: "Enter at most 120 characters.",
        255: "Enter at most 255 characters.",
        500: "Enter at most 500 characters.",
        1000: "Enter at most 1000 characters.",
    }.get(max_length, "The text is too long.")


def optional_date(data: Mapping[str, Any], key: str, errors: Errors) -> date | None:
    """A date given as ``date``, ISO text or dd/mm/yyyy; None when absent or empty."""
    value = data.get(key)
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return parse_date_input(value)
        except ValueError:
            errors[key] = "Enter a date as dd/mm/yyyy."
            return None
    errors[key] = "Enter a date as dd/mm/yyyy."
    return None


def required_date(data: Mapping[str, Any], key: str, errors: Errors) -> date | None:
    """Like optional_date, but an absent value is an error."""
    value = optional_date(data, key, errors)
    if value is None and key not in errors:
        errors[key] = "This field is required."
    return value


def not_in_future(day: date | None, key: str, errors: Errors) -> None:
    """Record an error when ``day`` is after today (a decision cannot be dated tomorrow)."""
    if day is not None and day > clock.today():
        errors[key] = "The date cannot be in the future."


def whole_number(
    data: Mapping[str, Any],
    key: str,
    errors: Errors,
    *,
    minimum: int = 0,
    maximum: int = 2_000_000_000,
    money: bool = False,
) -> int | None:
    """A whole number (money in đồng when ``money``); None when absent."""
    value = data.get(key)
    if value is None or value == "":
        return None
    number: int
    if isinstance(value, bool):
        errors[key] = "Enter a whole number."
        return None
    if isinstance(value, int):
        number = value
    elif isinstance(value, str):
        try:
            number = parse_vnd_input(value) if money else int(value.strip())
        except ValueError:
            errors[key] = "Enter a whole number."
            return None
    else:
        errors[key] = "Enter a whole number."
        return None
    if number < minimum:
        errors[key] = "The number cannot be negative." if minimum == 0 else _at_least(minimum)
        return None
    if number > (MAX_VND if money else maximum):
        errors[key] = "The number is too large."
        return None
    return number


def _at_least(minimum: int) -> str:
    return "Enter a number of at least 1." if minimum == 1 else "The number is too small."


def land(data: Mapping[str, Any], key: str, errors: Errors) -> Decimal | None:
    """An area in m² with at most two decimals ("1250.50" or "1.250,50"); None when absent."""
    value = data.get(key)
    if value is None or value == "":
        return None
    result: Decimal
    if isinstance(value, bool):
        errors[key] = "Enter an area in m² with at most two decimals, e.g. 1250.50."
        return None
    if isinstance(value, Decimal | int):
        result = Decimal(value)
    elif isinstance(value, str):
        try:
            result = Decimal(value.strip()) if _plain_decimal(value) else parse_m2_input(value)
        except (ValueError, InvalidOperation):
            errors[key] = "Enter an area in m² with at most two decimals, e.g. 1250.50."
            return None
    else:
        errors[key] = "Enter an area in m² with at most two decimals, e.g. 1250.50."
        return None
    if not result.is_finite():
        errors[key] = "Enter an area in m² with at most two decimals, e.g. 1250.50."
        return None
    if result < 0:
        errors[key] = "The number cannot be negative."
        return None
    # Before rounding: forty digits are more than a Decimal rounds (InvalidOperation).
    if result > MAX_M2:
        errors[key] = "The number is too large."
        return None
    if result != result.quantize(CENT):
        errors[key] = "Enter an area in m² with at most two decimals, e.g. 1250.50."
        return None
    return result.quantize(CENT)


def _plain_decimal(value: str) -> bool:
    # "1250.50" as the API writes it; anything else goes through the Vietnamese reader.
    stripped = value.strip()
    head, _, tail = stripped.partition(".")
    return ascii_digits(head) and (tail == "" or (ascii_digits(tail) and len(tail) <= 2))


def m2_text(value: Decimal | float | str | None) -> str:
    """An area as the API writes it: a decimal string with two places ("1250.50")."""
    if value is None:
        return "0.00"
    return str(Decimal(str(value)).quantize(CENT))


def flag(data: Mapping[str, Any], key: str, errors: Errors) -> bool | None:
    """A yes/no value (JSON boolean or a form's "on"/"true"/"1"); None when absent."""
    value = data.get(key)
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in {"1", "true", "on", "yes"}:
        return True
    if isinstance(value, str) and value.lower() in {"0", "false", "off", "no", ""}:
        return False
    errors[key] = "Choose yes or no."
    return None


def id_list(data: Mapping[str, Any], key: str, errors: Errors) -> list[int] | None:
    """A list of record ids, duplicates dropped in order; None when absent."""
    value = data.get(key)
    if value is None:
        return None
    if isinstance(value, str):
        value = [part for part in value.replace(",", " ").split() if part]
    if not isinstance(value, list | tuple):
        errors[key] = "Choose from the list."
        return None
    ids: list[int] = []
    for item in value:
        try:
            number = int(item)
        except (TypeError, ValueError):
            errors[key] = "Choose from the list."
            return None
        if isinstance(item, bool) or number < 1 or number > 2_147_483_647:
            errors[key] = "Choose from the list."
            return None
        ids.append(number)
    return list(dict.fromkeys(ids))


def record_id(data: Mapping[str, Any], key: str, errors: Errors) -> int | None:
    """One record id (positive int); None when absent."""
    value = data.get(key)
    if value is None or value == "":
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        errors[key] = "Choose from the list."
        return None
    if isinstance(value, bool) or not 1 <= number <= 2_147_483_647:
        errors[key] = "Choose from the list."
        return None
    return number


def choice(data: Mapping[str, Any], key: str, options: Iterable[str], errors: Errors) -> str | None:
    """One of ``options``; None when absent."""
    value = data.get(key)
    if value is None or value == "":
        return None
    if value not in set(options):
        errors[key] = "Choose a value from the list."
        return None
    return str(value)


# --------------------------------------------------------------------------- storage errors


def is_check_violation(exc: BaseException) -> bool:
    """True for a CHECK constraint failure (PostgreSQL) or its SQLite equivalent."""
    name = type(exc).__name__
    return name == "CheckViolationError" or (
        name == "IntegrityError" and "CHECK" in str(exc).upper()
    )


def is_unique_violation(exc: BaseException) -> bool:
    """True for a UNIQUE constraint failure on either engine."""
    name = type(exc).__name__
    return name == "UniqueViolationError" or (
        name == "IntegrityError" and "UNIQUE" in str(exc).upper()
    )


async def versioned_update(
    table: type[Table],
    row_id: int,
    version: int,
    changes: dict[Any, Any],
    also: Any = None,
) -> None:
    """Write ``changes`` (plus the next version and ``updated_at``) if the stored version is
    ``version`` and ``also`` holds; a stale version gets 409 and changes nothing."""
    key = table._meta.primary_key
    version_column = table._meta.get_column_by_name("version")
    changes = {
        **changes,
        version_column: version + 1,
        table._meta.get_column_by_name("updated_at"): datetime.now(UTC),
    }
    where = (key == row_id) & (version_column == version)
    if also is not None:
        where = where & also
    updated = await table.update(changes).where(where).returning(key)
    if not updated:
        raise stale_version()


async def lock_row(table: type[Table], row_id: int) -> None:
    """Lock one row until the transaction ends (PostgreSQL; SQLite's IMMEDIATE already does)."""
    if is_postgres():
        name = table._meta.tablename
        await table.raw(f'SELECT id FROM "{name}" WHERE id = {{}} FOR UPDATE', row_id)
