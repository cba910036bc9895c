"""The document frame's rules at their limits, with the exact messages people read."""

from __future__ import annotations

import pytest

from inspect_app.domain.documents import (
    DocumentSettings,
    date_line,
    distribution_lines,
    number_line,
    recipient_lines,
    signer_lines,
    split_lines,
    validate_settings,
)

TOO_LONG_TITLE = "The title is too long (at most 100 characters)."


@pytest.mark.parametrize(
    ("field", "attribute", "limit", "message"),
    [
        (
            "parent_body",
            "parent_body",
            255,
            "The parent body's name is too long (at most 255 characters).",
        ),
        ("place_name", "place", 100, "The place name is too long (at most 100 characters)."),
        ("head_title", "head_title", 100, TOO_LONG_TITLE),
        ("signer_title", "signer_title", 100, TOO_LONG_TITLE),
        ("signer_name", "signer_name", 255, "The name is too long (at most 255 characters)."),
    ],
)
def test_each_text_setting_is_refused_one_character_past_its_limit(
    field: str, attribute: str, limit: int, message: str
) -> None:
    # Surrounding spaces do not count.
    at_limit = DocumentSettings(**{attribute: " " + "x" * limit + " "})
    assert validate_settings(at_limit) == {}
    past = DocumentSettings(**{attribute: "x" * (limit + 1)})
    assert validate_settings(past) == {field: message}


def test_the_symbol_takes_up_to_20_letters_and_digits() -> None:
    message = "Write the symbol with letters and digits (up to 20), e.g. TTr or SGDĐT."
    assert validate_settings(DocumentSettings(symbol="T" * 20)) == {}
    assert validate_settings(DocumentSettings(symbol="T" * 21)) == {"doc_symbol": message}
    assert validate_settings(DocumentSettings(symbol="TTr/QN")) == {"doc_symbol": message}


def test_signing_for_the_head_needs_the_signers_own_title() -> None:
    for form in ("kt", "tl"):
        assert validate_settings(DocumentSettings(signing_form=form, signer_title="  ")) == {
            "signer_title": "Signing KT. or TL. needs the signer's own title."
        }
        assert validate_settings(DocumentSettings(signing_form=form, signer_title="PCT")) == {}


@pytest.mark.parametrize("field", ["recipients", "distribution"])
def test_lists_take_20_lines_of_255_characters(field: str) -> None:
    assert validate_settings(DocumentSettings(**{field: ("x",) * 20})) == {}
    assert validate_settings(DocumentSettings(**{field: ("x",) * 21})) == {
        field: "At most 20 lines."
    }
    assert validate_settings(DocumentSettings(**{field: ("x" * 255,)})) == {}
    assert validate_settings(DocumentSettings(**{field: ("x" * 256,)})) == {
        field: "A line is too long (at most 255 characters)."
    }


def test_a_draft_date_line_without_a_year_leaves_the_year_blank() -> None:
    blank = " " * 5
    assert date_line("", None) == f"ngày{blank}tháng{blank}năm {blank}"
    assert date_line("  ", None, 2026) == f"ngày{blank}tháng{blank}năm 2026"


def test_number_line_starts_at_one_and_leaves_room_on_a_draft() -> None:
    assert number_line(1, "TTr") == "Số: 01/BC-TTr"
    assert number_line(5, "  ") == "Số: 05/BC"
    assert number_line(None, "TTr") == "Số:       /BC-TTr"
    with pytest.raises(ValueError, match=r"^A document number starts at 1, not 0\.$"):
        number_line(0, "TTr")


def test_signer_lines_say_what_is_missing() -> None:
    unknown = r"^Unknown signing form 'x': use one of direct, kt, tl\.$"
    with pytest.raises(ValueError, match=unknown):
        signer_lines("x", "CHÁNH THANH TRA")
    with pytest.raises(ValueError, match=r"^The head's title is needed above every signature\.$"):
        signer_lines("direct", "  ")
    with pytest.raises(ValueError, match=r"^Signing KT\. needs the signer's own title\.$"):
        signer_lines("kt", "CHÁNH THANH TRA")
    with pytest.raises(ValueError, match=r"^Signing TL\. needs the signer's own title\.$"):
        signer_lines("tl", "CHÁNH THANH TRA", "")


def test_only_the_first_archive_line_is_kept_at_the_end() -> None:
    assert distribution_lines(["Lưu: VT, TTr", "UBND tỉnh", "Lưu: hồ sơ"]) == [
        "- UBND tỉnh;",
        "- Lưu: VT, TTr.",
    ]


def test_pasted_dashes_bullets_and_punctuation_are_dropped() -> None:
    assert recipient_lines(["- Thanh tra Chính phủ;", "• UBND tỉnh.", "+ Sở Tài chính,"]) == [
        "- Thanh tra Chính phủ;",
        "- UBND tỉnh;",
        "- Sở Tài chính.",
    ]
    assert recipient_lines(["– Bộ Xây dựng;"]) == ["Bộ Xây dựng."]
    # Only those marks: a name that starts or ends with a letter X keeps it.
    assert recipient_lines(["Xã Hòa Bình", "Đội X"]) == ["- Xã Hòa Bình;", "- Đội X."]


def test_windows_line_ends_split_like_plain_ones() -> None:
    assert split_lines("UBND tỉnh\r\nSở Tài chính\r\n\r\n") == ["UBND tỉnh", "Sở Tài chính"]
