from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from babel.numbers import format_currency
from hypothesis import given
from hypothesis import strategies as st

from inspect_app.domain.formatting import (
    format_date,
    format_datetime,
    format_m2,
    format_million_vnd,
    format_vnd,
    parse_date_input,
    parse_m2_input,
    parse_vnd_input,
)


def test_format_vnd() -> None:
    assert format_vnd(1_250_000) == "1.250.000 ₫"
    assert format_vnd(1_250_000, "en") == "₫1,250,000"
    assert format_vnd(0) == "0 ₫"
    assert format_vnd(None) == ""
    with pytest.raises(ValueError, match="Unsupported language 'fr'"):
        format_vnd(1, "fr")


@given(st.integers(min_value=-(2**63), max_value=2**63 - 1), st.sampled_from(["vi", "en"]))
def test_format_vnd_writes_what_babel_writes(amount: int, lang: str) -> None:
    # format_vnd spells out CLDR's pattern for speed; Babel is the reference.
    expected = format_currency(amount, "VND", locale={"vi": "vi_VN", "en": "en_US"}[lang])
    assert format_vnd(amount, lang) == expected.replace("\u00a0", " ").replace("\u202f", " ")


@pytest.mark.parametrize("amount", [Decimal("1.5"), Decimal("2.5"), Decimal("-0"), 1250000.4])
def test_format_vnd_of_a_fraction_rounds_as_babel_does(amount: Decimal | float) -> None:
    expected = format_currency(amount, "VND", locale="vi_VN").replace("\u00a0", " ")
    assert format_vnd(amount) == expected  # type: ignore[arg-type]


def test_format_million_vnd_rounds_half_up() -> None:
    assert format_million_vnd(1_250_500_000) == "1.250,500"
    assert format_million_vnd(1_250_500_000, lang="en") == "1,250.500"
    assert format_million_vnd(1_500) == "0,002"
    assert format_million_vnd(1_499) == "0,001"
    assert format_million_vnd(2_500) == "0,003"  # half-even would print 0,002
    assert format_million_vnd(1_250_000, digits=1) == "1,3"
    assert format_million_vnd(999_999_999, digits=0) == "1.000"
    assert format_million_vnd(0) == "0,000"


def test_format_m2() -> None:
    assert format_m2(Decimal("1250.5")) == "1.250,50 m²"
    assert format_m2(Decimal("1250.50"), "en") == "1,250.50 m²"
    assert format_m2(Decimal("0")) == "0,00 m²"
    assert format_m2(None) == ""


def test_format_date() -> None:
    assert format_date(date(2026, 3, 4)) == "04/03/2026"
    assert format_date(date(2026, 3, 4), "en") == "04/03/2026"
    assert format_date(None) == ""


def test_format_datetime_in_vietnam_time() -> None:
    assert format_datetime(datetime(2026, 3, 14, 17, 30, tzinfo=UTC)) == "15/03/2026 00:30"
    assert format_datetime(datetime(2026, 3, 14, 17, 30)) == "15/03/2026 00:30"  # naive = UTC
    hanoi = timezone(timedelta(hours=7))
    assert format_datetime(datetime(2026, 3, 14, 8, 5, tzinfo=hanoi), "en") == "14/03/2026 08:05"
    assert format_datetime(datetime(2026, 3, 14, 17, 30, tzinfo=UTC), tz="UTC") == (
        "14/03/2026 17:30"
    )
    assert format_datetime(None) == ""


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("14/03/2026", date(2026, 3, 14)),
        ("4/3/2026", date(2026, 3, 4)),
        (" 29/02/2028 ", date(2028, 2, 29)),
        ("2026-03-14", date(2026, 3, 14)),
    ],
)
def test_parse_date_input(text: str, expected: date) -> None:
    assert parse_date_input(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("31/02/2026", "not a day of the calendar"),
        ("29/02/2026", "not a day of the calendar"),
        ("2026-13-01", "not a day of the calendar"),
        ("14-03-2026", "write it as dd/mm/yyyy"),
        ("14/03/26", "write it as dd/mm/yyyy"),
        ("2026/03/14", "write it as dd/mm/yyyy"),
        ("", "write it as dd/mm/yyyy"),
        ("hôm nay", "write it as dd/mm/yyyy"),
        ("14/03/0206", "between 1900 and 2100"),
    ],
)
def test_parse_date_input_errors(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_date_input(text)


@pytest.mark.parametrize(
    "text",
    [
        "248.500.000",
        "248500000",
        "248 500 000",
        "248.500.000 ₫",
        "248.500.000₫",
        "248.500.000 đ",
        "248.500.000 VNĐ",
        "248\u00a0500\u00a0000",
        "248.500.000,00",
        " 248.500.000 ",
    ],
)
def test_parse_vnd_input(text: str) -> None:
    assert parse_vnd_input(text) == 248_500_000


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("-248.500.000", "cannot be negative"),
        ("248.500.000,50", "no decimals"),
        ("12,5", "no decimals"),
        ("248,500,000", "no decimals"),
        ("248.50.000", "write it like 248.500.000"),
        ("1.5", "write it like 248.500.000"),
        ("abc", "write it like 248.500.000"),
        ("+5", "write it like 248.500.000"),
        ("", "Enter an amount"),
        ("₫", "Enter an amount"),
        ("99999999999999999999", "too large"),
    ],
)
def test_parse_vnd_input_errors(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_vnd_input(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1.250,50", "1250.50"),
        ("1250.50", "1250.50"),
        ("1250,5", "1250.50"),
        ("1250.5", "1250.50"),
        ("1.250", "1250.00"),
        ("1.250.000", "1250000.00"),
        ("1 250,50", "1250.50"),
        ("1250", "1250.00"),
        ("0,75", "0.75"),
        ("1.250,50 m²", "1250.50"),
        ("12 m2", "12.00"),
    ],
)
def test_parse_m2_input(text: str, expected: str) -> None:
    assert parse_m2_input(text) == Decimal(expected)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("1,250", "two decimal places"),
        ("0,005", "two decimal places"),
        ("-12,5", "cannot be negative"),
        ("1.25.0", "write it like 1.250,50"),
        ("1,250.50", "write it like 1.250,50"),
        ("abc", "write it like 1.250,50"),
        ("", "Enter an area"),
    ],
)
def test_parse_m2_input_errors(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_m2_input(text)


@given(st.integers(min_value=0, max_value=2**63 - 1))
def test_formatted_vnd_reads_back(amount: int) -> None:
    assert parse_vnd_input(format_vnd(amount)) == amount


@given(st.decimals(min_value=0, max_value=10**9, places=2))
def test_formatted_m2_reads_back(area: Decimal) -> None:
    assert parse_m2_input(format_m2(area)) == area


def test_counts_are_grouped_by_thousands_in_each_language() -> None:
    from inspect_app.domain.formatting import format_count

    assert format_count(12_500) == "12.500"
    assert format_count(12_500, "en") == "12,500"
    assert format_count(999) == "999"
    assert format_count(0) == "0"
    assert format_count(None) == ""
