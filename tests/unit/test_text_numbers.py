"""Document numbers in the search text: as written and with punctuation as spaces."""

from __future__ import annotations

import pytest

from inspect_app.domain.text import fold_vietnamese, search_terms, searchable_number


@pytest.mark.parametrize(
    ("number", "expected"),
    [
        ("43/QĐ-TTr", "43/QĐ-TTr 43 QĐ TTr"),
        ("06/2024/QĐ-UBND", "06/2024/QĐ-UBND 06 2024 QĐ UBND"),
        ("15", "15"),  # nothing to split: kept once
        ("KL 25", "KL 25"),
        ("12.3/BC", "12.3/BC 12 3 BC"),
    ],
)
def test_searchable_number(number: str, expected: str) -> None:
    assert searchable_number(number) == expected


@pytest.mark.parametrize("typed", ["43/QĐ-TTr", "43/QD-TTr", "43 QD TTr", "43 qd", "qđ-ttr"])
def test_every_way_of_typing_the_number_matches_one_of_its_forms(typed: str) -> None:
    stored = fold_vietnamese(searchable_number("43/QĐ-TTr"))
    assert all(term in stored for term in search_terms(typed))


def test_another_number_does_not_match() -> None:
    stored = fold_vietnamese(searchable_number("43/QĐ-TTr"))
    assert not all(term in stored for term in search_terms("44/QĐ-TTr"))
