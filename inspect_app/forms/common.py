"""Form reading shared by every area: multi-valued keys, versions, numbers, dates, query strings.

Forms are read as a multi-dict so that check boxes (subjects, team members) keep every value;
everything else takes the last value sent, which lets a hidden "false" precede a check box.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from litestar.datastructures import UploadFile

from inspect_app.domain.formatting import format_date, format_m2, parse_date_input
from inspect_app.domain.text import ascii_digits
from inspect_app.errors import InvalidInput

MULTI_KEYS = ("subject_ids", "member_user_ids", "measure_id")
SKIPPED_KEYS = ("_csrf_token", "_action")
OFF_VALUES = ("false", "0", "off")
CHOOSE_AGENCY = "Choose an agency from the list."
CHOOSE_YEAR = "Enter a year between 1990 and 2100."


def parse_form(items: Iterable[tuple[str, Any]]) -> dict[str, Any]:
    """A posted form's (key, value) pairs: lists for multi-valued keys, the last value else.

    A check-box list sends a hidden ``_<key>_sent`` so that unticking every box still says
    "none" instead of leaving the key out.
    """
    grouped: dict[str, list[Any]] = {}
    for key, value in items:
        if key not in SKIPPED_KEYS:
            grouped.setdefault(key, []).append(value)
    data: dict[str, Any] = {}
    for key, values in grouped.items():
        if key in MULTI_KEYS:
            data[key] = [v.strip() for v in values if isinstance(v, str) and v.strip()]
        else:
            last = values[-1]
            data[key] = last if isinstance(last, str | UploadFile) else str(last)
    for key in MULTI_KEYS:
        if data.pop(f"_{key}_sent", None) is not None:
            data.setdefault(key, [])
    return data


# ASCII digits only: str.isdigit() also says yes to "²" and "٣", which int() refuses.
_DIGITS = re.compile(r"[0-9]{1,18}")


def form_version(data: Mapping[str, Any]) -> int:
    """The version a form read; a form without one cannot be saved."""
    raw = str(data.get("version") or "").strip()
    if not _DIGITS.fullmatch(raw):
        raise InvalidInput({"version": "This field is required."})
    return int(raw)


def read_version(data: Mapping[str, Any]) -> int:
    """The version a form read, 0 when it sent none (for showing what changed since)."""
    raw = str(data.get("version") or "").strip()
    return int(raw) if _DIGITS.fullmatch(raw) else 0


def int_or_none(raw: str | None) -> int | None:
    """A positive whole number from a query string, or None when absent or not a number."""
    if raw is None or not _DIGITS.fullmatch(raw.strip()):
        return None
    return int(raw.strip())


def id_list(values: Any) -> list[int]:
    """The record ids among the values of a check-box list (anything else is left out)."""
    return [
        int(v)
        for v in values or []
        if ascii_digits(str(v)) and len(str(v)) <= 10 and int(str(v)) <= 2**31 - 1
    ]


def date_or_none(value: Any) -> date | None:
    """A typed date (dd/mm/yyyy or ISO), or None when empty or not a date."""
    try:
        return parse_date_input(str(value)) if value else None
    except ValueError:
        return None


def date_text(value: date | None) -> str:
    """A date as typed in forms: dd/mm/yyyy ("" for none)."""
    return format_date(value)


def same_date_text(value: str) -> str:
    """A typed date written the canonical way (1/2/2026 -> 01/02/2026); other text unchanged."""
    try:
        return format_date(parse_date_input(value))
    except ValueError:
        return value.strip()


def money_text(amount: int | None) -> str:
    """Whole đồng as typed in forms: 248500000 -> "248.500.000" ("" for nothing)."""
    return f"{amount:,}".replace(",", ".") if amount else ""


def area_text(value: str | Decimal | None) -> str:
    """Square metres as typed in forms: "1250.50" -> "1.250,50" ("" for nothing)."""
    if value in (None, "") or Decimal(str(value)) == 0:
        return ""
    return format_m2(Decimal(str(value))).removesuffix(" m²")


def changed_fields(
    fields: Sequence[tuple[str, str]], stored: Mapping[str, Any], mine: Mapping[str, Any]
) -> list[dict[str, str]]:
    """The fields a stale form would change: label, the stored value and the one typed."""
    return [
        {"label": label, "current": str(stored.get(key) or "—"), "mine": str(mine[key] or "—")}
        for key, label in fields
        if key in mine and str(stored.get(key) or "").strip() != str(mine[key] or "").strip()
    ]


def whole_numbers(
    values: Mapping[str, str], rules: Sequence[tuple[str, str]]
) -> tuple[dict[str, int | None], dict[str, str]]:
    """Numbers of the filters in ``rules`` (key, message id); text that is not one is an error."""
    numbers: dict[str, int | None] = {}
    errors: dict[str, str] = {}
    for key, message in rules:
        numbers[key] = int_or_none(values.get(key))
        if values.get(key) and numbers[key] is None:
            errors[key] = message
    return numbers, errors


def query_string(values: Mapping[str, Any], **changes: Any) -> str:
    """Filters as a query string, empty ones left out (``changes`` override ``values``)."""
    merged = {**values, **changes}
    return urlencode({k: v for k, v in merged.items() if v})


def page_links(
    path: str, values: Mapping[str, Any], next_cursor: str | None, cursor: str | None
) -> dict[str, str | None]:
    """The "next page" and "first page" links of a keyset-paged list with these filters."""
    return {
        "next_url": f"{path}?{query_string(values, cursor=next_cursor)}" if next_cursor else None,
        "first_url": f"{path}?{query_string(values)}" if cursor else None,
    }
