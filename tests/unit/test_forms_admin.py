"""Administration forms and the follow-up board's filters and group previews."""

from __future__ import annotations

import pytest

from inspect_app.errors import InvalidInput
from inspect_app.forms.admin import (
    active_version,
    agency_form,
    edit_version,
    list_cursor,
    new_user_form,
    user_filters,
    user_form,
)
from inspect_app.forms.follow_ups import board_filter, preview_groups
from inspect_app.services.follow_ups import BoardFilter


def test_agency_form_reads_the_check_box_and_an_optional_parent() -> None:
    errors: dict[str, str] = {}
    values = agency_form({"code": "TTH", "name": "Thanh tra huyện", "active": "on"}, errors)

    assert values == {
        "code": "TTH",
        "name": "Thanh tra huyện",
        "kind": "department",
        "active": True,
    }
    assert errors == {}
    agency_form({"parent_id": "cha"}, errors)
    assert errors == {"parent_id": "Choose the parent agency."}


def test_user_forms_require_an_agency_and_keep_a_password_only_when_typed() -> None:
    errors: dict[str, str] = {}
    values = user_form({"full_name": "Lê Văn C", "role": "lead", "agency_id": "2"}, errors)

    assert values == {
        "full_name": "Lê Văn C",
        "email": "",
        "role": "lead",
        "language": "vi",
        "agency_id": 2,
    }
    assert errors == {}
    created = new_user_form({"username": "lvc", "agency_id": ""}, errors)
    assert created["username"] == "lvc"
    assert created["password"] == ""
    assert errors == {"agency_id": "Choose the agency."}


def test_versions_and_cursors() -> None:
    errors: dict[str, str] = {}
    assert edit_version({"version": "3"}, errors) == 3
    assert edit_version({}, errors) is None
    assert errors == {"version": "This record was changed by someone else."}
    assert active_version({"version": "5"}) == 5
    assert active_version({}) == -1
    assert list_cursor("") is None
    assert list_cursor("40") == 40
    with pytest.raises(InvalidInput):
        list_cursor("x")


def test_user_filters_ignore_an_unknown_role() -> None:
    arguments, shown = user_filters("an", "pirate", 4, "0")

    assert arguments == {"q": "an", "role": None, "agency_id": 4, "active": False}
    assert shown == {"q": "an", "role": "pirate", "agency_id": 4, "active": "0"}


def test_board_filter_names_the_field_at_fault() -> None:
    assert board_filter("3", "false", "overdue", " UBND ") == (
        BoardFilter(3, False, "overdue", "UBND"),
        {},
    )
    board, errors = board_filter("ba", None, "soon", None)
    assert board == BoardFilter(None, True, "open", None)
    assert errors == {
        "agency_id": "Choose an agency from the list.",
        "state": "Choose due_soon, overdue or open.",
    }


def test_preview_groups_show_ten_rows_unless_a_group_is_expanded() -> None:
    groups = [
        {"unit_name": "UBND huyện A", "rows": list(range(13)), "overdue": 2},
        {"unit_name": "Sở Tài chính", "rows": list(range(4)), "overdue": 0},
    ]

    first, second = preview_groups(groups, None)
    assert (first["count"], len(first["shown"]), first["hidden"]) == (13, 10, 3)
    assert first["collapsible"] is False
    assert (second["count"], len(second["shown"]), second["hidden"]) == (4, 4, 0)
    expanded, _ = preview_groups(groups, "UBND huyện A")
    assert (len(expanded["shown"]), expanded["hidden"], expanded["collapsible"]) == (13, 0, True)
