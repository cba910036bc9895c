from __future__ import annotations

import unicodedata

import pytest

from inspect_app.domain.text import fold_vietnamese, search_terms


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Hà Nam", "ha nam"),
        ("HÀ NAM", "ha nam"),
        ("ha nam", "ha nam"),
        ("  Thanh   tra\ttỉnh\nĐắk Lắk ", "thanh tra tinh dak lak"),
        ("ĐỒNG THÁP", "dong thap"),
        ("Nguyễn Thị Ánh Tuyết", "nguyen thi anh tuyet"),
        ("Quyết định số 15/QĐ-TTr", "quyet dinh so 15/qd-ttr"),
        ("Thừa Thiên Huế", "thua thien hue"),
        ("Bà Rịa – Vũng Tàu", "ba ria – vung tau"),
        ("", ""),
    ],
)
def test_fold_vietnamese(text: str, folded: str) -> None:
    assert fold_vietnamese(text) == folded


def test_decomposed_input_folds_the_same() -> None:
    decomposed = unicodedata.normalize("NFD", "Lạng Sơn Đồng Đăng")
    assert fold_vietnamese(decomposed) == "lang son dong dang"


def test_search_terms() -> None:
    assert search_terms("Hà Nam  ha nam Phủ Lý") == ["ha", "nam", "phu", "ly"]
    assert search_terms("   ") == []


def test_names_may_hold_no_control_character_free_text_keeps_tabs_and_line_breaks() -> None:
    from inspect_app.domain.text import has_control_characters

    assert has_control_characters("Phòng\x0bnghiệp vụ", single_line=True)
    assert has_control_characters("Phòng\tnghiệp vụ", single_line=True)
    assert has_control_characters("Phòng\nnghiệp vụ", single_line=True)
    assert not has_control_characters("Phòng nghiệp vụ 1", single_line=True)
    assert not has_control_characters("Dòng 1\r\nDòng 2\tcột", single_line=False)
    assert has_control_characters("Dòng 1\x0cDòng 2", single_line=False)
    assert has_control_characters("\x7f", single_line=False)


def test_printable_replaces_what_files_cannot_hold_by_a_space() -> None:
    from inspect_app.domain.text import printable

    assert printable("Phòng\x0bnghiệp vụ 1") == "Phòng nghiệp vụ 1"
    assert printable("a\x00b\x1fc\ufffed") == "a b c d"
    assert printable("Dòng 1\r\nDòng 2\tcột") == "Dòng 1\r\nDòng 2\tcột"
    assert printable("\ud800x") == " x"
