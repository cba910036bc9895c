"""Administration forms and the follow-up board's filters and group previews."""

from __future__ import annotations

from decimal import Decimal

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
from inspect_app.services.follow_ups import BoardFilter, UnitGroup
from tests.factories import deadline_as_shown


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
    def group(name: str, count: int, read: int) -> UnitGroup:
        rows = tuple(deadline_as_shown(entity_id=n, unit_name=name) for n in range(read))
        return UnitGroup(name, count, 0, 0, Decimal(0), None, None, rows)

    # The first group has 13 rows read; the second counts 25 deadlines but 4 were read.
    groups = [group("UBND huyện A", 13, 13), group("Sở Tài chính", 25, 4)]
    first, second = preview_groups(groups, None)
    assert (len(first.shown), first.hidden, first.collapsible) == (10, 3, False)
    assert [row.entity_id for row in first.shown] == list(range(10))
    assert (len(second.shown), second.hidden, second.collapsible) == (4, 21, False)
    expanded, _ = preview_groups(groups, "UBND huyện A")
    assert (len(expanded.shown), expanded.hidden, expanded.collapsible) == (13, 0, True)
    # Ten rows exactly: nothing hidden, nothing to collapse even when expanded.
    (ten,) = preview_groups([group("Sở Xây dựng", 10, 10)], "Sở Xây dựng")
    assert (len(ten.shown), ten.hidden, ten.collapsible) == (10, 0, False)
