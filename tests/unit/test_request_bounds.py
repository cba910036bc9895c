"""The pure parts of the request bounds: JSON nesting depth and the NUL escape."""

from __future__ import annotations

import pytest

from inspect_app.exceptions import describe_decode_problem
from inspect_app.request_bounds import _NUL_ESCAPE, MAX_JSON_DEPTH, json_depth


@pytest.mark.parametrize(
    ("body", "depth"),
    [
        (b"{}", 1),
        (b"[[[]]]", 3),
        (b'{"a": [1, {"b": [2]}], "c": {}}', 4),
        (b"[" * (MAX_JSON_DEPTH + 1) + b"]" * (MAX_JSON_DEPTH + 1), MAX_JSON_DEPTH + 1),
        # Brackets in strings (with escaped quotes) are text, not structure.
        (b'{"a": "[[[[' + b"[" * 40 + b'\\"[[["}', 1),
        (b"[" + b"{}," * 50 + b"{}]", 2),
    ],
)
def test_json_depth_counts_structure_only(body: bytes, depth: int) -> None:
    if body.count(b"[") + body.count(b"{") <= MAX_JSON_DEPTH:
        # Few brackets: the count itself is returned, an upper bound within the limit.
        assert depth <= json_depth(body) <= MAX_JSON_DEPTH
    else:
        assert json_depth(body) == depth


@pytest.mark.parametrize(
    ("body", "has_nul"),
    [
        (rb'"\u0000"', True),
        (rb'"a\\u0000"', False),  # an escaped backslash, then the text u0000
        (rb'"a\\\u0000"', True),  # an escaped backslash, then NUL
        (rb'"\u00000"', True),
        (rb'"\u0001"', False),
    ],
)
def test_the_nul_escape_is_told_from_an_escaped_backslash(body: bytes, has_nul: bool) -> None:
    assert bool(_NUL_ESCAPE.search(body)) is has_nul


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("Expected `int` <= 2147483647", "This number is out of the allowed range."),
        ("Expected `int` >= 1", "This number is out of the allowed range."),
        ("Expected `str` of length <= 255", "This text is too long."),
        ("Expected `str` of length >= 1", "This text is too short."),
        ("Expected `array` of length <= 500", "This list has too many items."),
        ("Expected `str` matching regex '^[0-9]+$'", "This value is not in the expected format."),
        ("Invalid RFC3339 encoded date", "Enter a date as YYYY-MM-DD."),
    ],
)
def test_decoding_problems_read_as_sentences(message: str, expected: str) -> None:
    assert describe_decode_problem("field", message) == ("field", expected)
