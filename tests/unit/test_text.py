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
