"""Form reading shared by every page: multi-valued keys, versions, numbers, query strings."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from inspect_app.errors import InvalidInput
from inspect_app.forms.common import (
    area_text,
    changed_fields,
    date_or_none,
    form_version,
    id_list,
    int_or_none,
    money_text,
    page_links,
    parse_form,
    query_string,
    read_version,
    same_date_text,
    whole_numbers,
)


def test_parse_form_keeps_every_ticked_box_and_the_last_other_value() -> None:
    data = parse_form(
        [
            ("_csrf_token", "abc"),
            ("_action", "find_subjects"),
            ("subject_ids", "3"),
            ("subject_ids", " 7 "),
            ("subject_ids", ""),
            ("working_days", "false"),
            ("working_days", "true"),
            ("title", "Thanh tra đất đai"),
        ]
    )

    assert data == {
        "subject_ids": ["3", "7"],
        "working_days": "true",
        "title": "Thanh tra đất đai",
    }


def test_parse_form_reads_an_unticked_list_as_empty_only_when_it_was_sent() -> None:
    assert parse_form([("_member_user_ids_sent", "1"), ("title", "x")]) == {
        "member_user_ids": [],
        "title": "x",
    }
    assert parse_form([("title", "x")]) == {"title": "x"}


def test_form_version_is_required_and_read_version_defaults_to_zero() -> None:
    assert form_version({"version": " 4 "}) == 4
    with pytest.raises(InvalidInput) as caught:
        form_version({"version": "four"})
    assert caught.value.errors == {"version": "This field is required."}
    assert read_version({"version": "9"}) == 9
    assert read_version({}) == 0


def test_numbers_ids_and_dates_from_typed_text() -> None:
    assert int_or_none(" 12 ") == 12
    assert int_or_none("-3") is None
    assert int_or_none(None) is None
    assert id_list(["4", "x", 5, ""]) == [4, 5]
    assert date_or_none("14/03/2026") == date(2026, 3, 14)
    assert date_or_none("31/02/2026") is None
    assert date_or_none("") is None
    assert same_date_text("1/2/2026") == "01/02/2026"
    assert same_date_text(" not a date ") == "not a date"


def test_money_and_area_as_typed_in_forms() -> None:
    assert money_text(248_500_000) == "248.500.000"
    assert money_text(0) == ""
    assert area_text("1250.50") == "1.250,50"
    assert area_text(Decimal("0.00")) == ""
    assert area_text(None) == ""


def test_changed_fields_names_what_a_stale_form_would_change() -> None:
    fields = (("title", "Plan title"), ("note", "Note"), ("year", "Year"))
    stored = {"title": "Kế hoạch 2026", "note": "", "year": "2026"}
    mine = {"title": "Kế hoạch 2026 ", "note": "Bổ sung", "version": "3"}

    assert changed_fields(fields, stored, mine) == [
        {"label": "Note", "current": "—", "mine": "Bổ sung"}
    ]


def test_whole_numbers_report_mistyped_filters() -> None:
    numbers, errors = whole_numbers(
        {"agency_id": "7", "year": "20x6"},
        (("agency_id", "Choose an agency."), ("year", "Enter a year.")),
    )

    assert numbers == {"agency_id": 7, "year": None}
    assert errors == {"year": "Enter a year."}


def test_query_string_and_page_links_leave_empty_filters_out() -> None:
    values = {"q": "hà nam", "kind": "", "year": "2026"}

    assert query_string(values, kind="enterprise") == "q=h%C3%A0+nam&kind=enterprise&year=2026"
    assert page_links("/subjects", values, "abc", None) == {
        "next_url": "/subjects?q=h%C3%A0+nam&year=2026&cursor=abc",
        "first_url": None,
    }
    assert page_links("/subjects", values, None, "abc") == {
        "next_url": None,
        "first_url": "/subjects?q=h%C3%A0+nam&year=2026",
    }


def test_a_redirect_target_is_a_path_of_this_site_or_the_default() -> None:
    from inspect_app.controllers.page_support import local_path

    assert local_path("/inspections/5#approvals") == "/inspections/5#approvals"
    for hostile in (
        "//evil.example",
        "/\\evil.example",
        "https://evil.example",
        "/a\\b",
        "/a\r\nSet-Cookie: x=1",
        "",
        None,
        5,
    ):
        assert local_path(hostile, "/approvals") == "/approvals", hostile
