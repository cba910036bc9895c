"""Administration forms and the follow-up board's filters and group previews."""

from __future__ import annotations

from decimal import Decimal

import msgspec
import pytest

from inspect_app.errors import InvalidInput
from inspect_app.forms.admin import (
    active_version,
    agency_change,
    agency_entry,
    edit_version,
    list_cursor,
    user_change,
    user_entry,
    user_filters,
)
from inspect_app.forms.follow_ups import board_filter, preview_groups
from inspect_app.services.follow_ups import BoardFilter, UnitGroup
from tests.factories import deadline_as_shown


def test_agency_forms_read_the_check_box_the_parent_the_lists_and_the_threshold() -> None:
    change, unread = agency_change(
        {
            "version": "4",
            "code": "TTH",
            "name": "Thanh tra huyện",
            "active": "on",
            "recipients": "UBND huyện\r\n\r\n  Thanh tra tỉnh ",
            "fine_approval_vnd": "500.000.000",
        },
        is_root=False,
    )
    assert unread == {}
    assert (change.version, change.code, change.active, change.kind) == (
        4,
        "TTH",
        True,
        "department",
    )
    assert change.recipients == ["UBND huyện", "Thanh tra tỉnh"]
    assert change.fine_approval_vnd == 500_000_000
    assert change.parent_id is msgspec.UNSET  # a blank parent is left as it is
    # The box is sent only when ticked; the root keeps no parent whatever the form says.
    unticked, _ = agency_change({"version": "4", "parent_id": "7"}, is_root=True)
    assert unticked.active is False and unticked.parent_id is msgspec.UNSET
    _, unread = agency_change({"parent_id": "cha", "fine_approval_vnd": "nhiều"}, is_root=False)
    assert set(unread) == {"parent_id", "fine_approval_vnd", "version"}
    # A new agency needs its parent; a blank threshold is 0.
    entry, unread = agency_entry({"code": "X", "name": "Y", "fine_approval_vnd": ""})
    assert unread == {"parent_id": "Choose the parent agency."}
    assert entry.fine_approval_vnd == 0


def test_user_forms_require_an_agency_and_keep_a_password_only_when_typed() -> None:
    change, unread = user_change(
        {"version": "2", "full_name": "Lê Văn C", "role": "lead", "agency_id": "2"}
    )
    assert unread == {}
    assert (change.version, change.full_name, change.role, change.agency_id) == (
        2,
        "Lê Văn C",
        "lead",
        2,
    )
    assert (change.email, change.language) == ("", "vi")
    assert change.password is msgspec.UNSET  # a blank password keeps the old one
    typed, _ = user_change({"version": "2", "agency_id": "2", "password": "Mat-khau-2026"})
    assert typed.password == "Mat-khau-2026"
    created, unread = user_entry({"username": "lvc", "agency_id": ""})
    assert (created.username, created.password) == ("lvc", "")
    assert unread == {"agency_id": "Choose the agency."}


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


def test_a_check_box_list_keeps_only_ids_a_record_can_have() -> None:
    from inspect_app.forms.common import id_list

    assert id_list(["1", "2147483647", "2147483648", "99999999999", "²", "٣", "x", ""]) == [
        1,
        2147483647,
    ]
