"""Showing and reading money, land, dates and times the way Vietnamese offices write them.

Vietnamese (CLDR vi_VN) groups thousands with dots and uses a decimal comma: 1.250.000 ₫,
1.250,50 m². Dates are dd/mm/yyyy in both languages, times in Asia/Ho_Chi_Minh. Output uses
plain spaces (Babel puts a no-break space before ₫) so that the strings match what people
type and what the product texts show.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from babel.numbers import format_currency, format_decimal

_LOCALES = {"vi": "vi_VN", "en": "en_US"}
_CENT = Decimal("0.01")
_MAX_VND = 2**63 - 1  # stored as a signed 64-bit integer
_VN_DATE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")
_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_CURRENCY_MARK = re.compile(r"\s*(₫|đ|đồng|vnd|vnđ)\s*$", re.IGNORECASE)
_GROUPED_INT = re.compile(r"\d{1,3}([. ]\d{3})+|\d+")
_AREA_MARK = re.compile(r"\s*(m²|m2)$", re.IGNORECASE)
_SPACES = re.compile(r"[\s\u00a0\u202f]+")


def format_vnd(amount: int | None, lang: str = "vi") -> str:
    """Money in đồng: "1.250.000 ₫" (vi), "₫1,250,000" (en); "" for None."""
    if amount is None:
        return ""
    locale = _locale(lang)
    if not isinstance(amount, int):  # a Decimal or float: Babel rounds it as CLDR says
        return _plain_spaces(format_currency(amount, "VND", locale=locale))
    # CLDR's patterns for VND, written out for whole đồng: a board formats hundreds of
    # amounts per page, and Babel's pattern engine took ~80 µs for each (the unit tests
    # compare with Babel).
    sign, digits = ("-" if amount < 0 else ""), f"{abs(amount):,}"
    if lang == "vi":
        return f"{sign}{digits.replace(',', '.')} ₫"
    return f"{sign}₫{digits}"


def format_count(value: int | None, lang: str = "vi") -> str:
    """A whole number with its thousands grouped: "12.500" (vi), "12,500" (en)."""
    if value is None:
        return ""
    return format_decimal(value, locale=_locale(lang))


def format_million_vnd(amount: int, digits: int = 3, lang: str = "vi") -> str:
    """Money in million đồng as reports print it: 1_250_500_000 -> "1.250,500".

    Rounded half-up (ties away from zero, as Excel's ROUND does) so that the figures match the
    spreadsheets these reports replace; banker's rounding would differ on every tie.
    """
    if digits < 0:
        raise ValueError(f"digits must be zero or more, not {digits}.")
    million = (Decimal(amount) / 1_000_000).quantize(Decimal(1).scaleb(-digits), ROUND_HALF_UP)
    pattern = "#,##0." + "0" * digits if digits > 0 else "#,##0"
    return format_decimal(million, format=pattern, locale=_locale(lang))


def format_m2(value: Decimal | None, lang: str = "vi") -> str:
    """Land area with two decimals: "1.250,50 m²" (vi), "1,250.50 m²" (en); "" for None."""
    if value is None:
        return ""
    area = value.quantize(_CENT, ROUND_HALF_UP)
    return f"{format_decimal(area, format='#,##0.00', locale=_locale(lang))} m²"


def format_date(d: date | None, lang: str = "vi") -> str:
    """dd/mm/yyyy in both languages; "" for None."""
    _locale(lang)  # the format is the same, but a wrong language is still a caller's bug
    return "" if d is None else f"{d:%d/%m/%Y}"


def format_datetime(dt: datetime | None, lang: str = "vi", tz: str = "Asia/Ho_Chi_Minh") -> str:
    """dd/mm/yyyy HH:MM in ``tz``; a naive datetime is taken as UTC, as timestamps are stored."""
    _locale(lang)
    if dt is None:
        return ""
    aware = dt if dt.tzinfo is not None else dt.replace(tzinfo=UTC)
    return f"{aware.astimezone(ZoneInfo(tz)):%d/%m/%Y %H:%M}"


def parse_date_input(s: str) -> date:
    """A date typed as dd/mm/yyyy (day and month may have one digit) or yyyy-mm-dd."""
    text = s.strip()
    if match := _VN_DATE.fullmatch(text):
        day, month, year = (int(part) for part in match.groups())
    elif match := _ISO_DATE.fullmatch(text):
        year, month, day = (int(part) for part in match.groups())
    else:
        raise ValueError(f"{s!r} is not a date: write it as dd/mm/yyyy, e.g. 14/03/2026.")
    if not 1900 <= year <= 2100:
        raise ValueError(f"{s!r}: the year must be between 1900 and 2100.")
    try:
        return date(year, month, day)
    except ValueError:
        raise ValueError(f"{s!r} is not a day of the calendar.") from None


def parse_vnd_input(s: str) -> int:
    """Whole đồng typed as "248.500.000", "248500000", "248 500 000" or "248.500.000 ₫"."""
    text = _SPACES.sub(" ", _CURRENCY_MARK.sub("", s.strip())).strip()
    if not text:
        raise ValueError("Enter an amount in đồng, e.g. 248.500.000.")
    if text.startswith("-"):
        raise ValueError(f"{s!r}: the amount cannot be negative.")
    if text.endswith(",00"):
        text = text[:-3]  # "1.000,00" as copied from a spreadsheet; đồng have no decimals
    if "," in text:
        raise ValueError(
            f"{s!r}: đồng have no decimals; group thousands with dots, e.g. 248.500.000."
        )
    if not _GROUPED_INT.fullmatch(text):
        raise ValueError(f"{s!r} is not an amount in đồng: write it like 248.500.000.")
    amount = int(text.replace(".", "").replace(" ", ""))
    if amount > _MAX_VND:
        raise ValueError(f"{s!r} is too large an amount.")
    return amount


def parse_m2_input(s: str) -> Decimal:
    """Land area typed as "1.250,50" (Vietnamese) or "1250.50", at most two decimals.

    A comma is always the decimal mark. A dot followed by one or two digits at the end is a
    decimal point ("1250.5"); any other dot groups thousands ("1.250" is 1250 m²). Three
    decimals are not allowed, so the reading is never ambiguous.
    """
    text = _SPACES.sub(".", _AREA_MARK.sub("", s.strip()))  # a space groups like a dot
    if not text:
        raise ValueError("Enter an area in m², e.g. 1.250,50.")
    if text.startswith("-"):
        raise ValueError(f"{s!r}: the area cannot be negative.")
    if "," in text:
        whole, _, fraction = text.rpartition(",")
    elif re.search(r"\.\d{1,2}$", text):
        whole, _, fraction = text.rpartition(".")
    else:
        whole, fraction = text, ""
    if not _GROUPED_INT.fullmatch(whole) or not re.fullmatch(r"\d*", fraction):
        raise ValueError(f"{s!r} is not an area in m²: write it like 1.250,50.")
    if len(fraction) > 2:
        raise ValueError(f"{s!r}: land is recorded to two decimal places.")
    try:
        return Decimal(f"{whole.replace('.', '')}.{fraction or '0'}").quantize(_CENT)
    except InvalidOperation:
        raise ValueError(f"{s!r} is too large an area.") from None


def _locale(lang: str) -> str:
    try:
        return _LOCALES[lang]
    except KeyError:
        raise ValueError(f"Unsupported language {lang!r}: use 'vi' or 'en'.") from None


def _plain_spaces(text: str) -> str:
    return text.replace("\u00a0", " ").replace("\u202f", " ")
