"""Reading numbers typed into a form or sent to the API (services/casework.py)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from inspect_app.services.casework import Errors, land, whole_number


@pytest.mark.parametrize(
    ("typed", "area", "error"),
    [
        ("1.250,50", Decimal("1250.50"), None),
        ("1250.50", Decimal("1250.50"), None),
        ("1250.505", None, "Enter an area in m² with at most two decimals, e.g. 1250.50."),
        # Forty digits: more than a Decimal can round; an error beside the field, not a 500.
        ("9" * 40, None, "The number is too large."),
        ("9" * 40 + ".5", None, "The number is too large."),
        # Written the Vietnamese way, the reader refuses it as not an area it can hold.
        (
            "1" + "0" * 39 + ",25",
            None,
            "Enter an area in m² with at most two decimals, e.g. 1250.50.",
        ),
    ],
)
def test_an_area_is_read_or_named_at_fault(typed: str, area: Decimal | None, error: str) -> None:
    errors = Errors()
    assert land({"land_m2": typed}, "land_m2", errors) == area
    assert errors.get("land_m2") == error


def test_forty_digits_of_money_are_named_at_fault() -> None:
    errors = Errors()
    assert whole_number({"amount_vnd": "9" * 40}, "amount_vnd", errors, money=True) is None
    assert errors == {"amount_vnd": "Enter a whole number."}
    errors = Errors()
    assert whole_number({"count": "9" * 40}, "count", errors, maximum=1_000_000) is None
    assert errors == {"count": "The number is too large."}
