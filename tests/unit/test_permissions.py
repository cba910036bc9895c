"""The app's role permission table is the one written out by hand in tests/authz/permissions.py."""

from __future__ import annotations

import pytest

from inspect_app.domain import permissions
from tests.authz.permissions import EXPECTED, ROLES, allowed


def test_the_roles_are_the_five_of_the_product() -> None:
    assert permissions.ROLES == ROLES


def test_the_app_names_exactly_the_permissions_of_the_table() -> None:
    assert sorted(permissions.PERMISSIONS) == sorted(EXPECTED)


@pytest.mark.parametrize("permission", sorted(EXPECTED))
def test_each_role_is_allowed_or_refused_as_the_table_says(permission: str) -> None:
    expected = {role: allowed(role, permission) for role in ROLES}
    actual = {role: permissions.has_permission(role, permission) for role in ROLES}
    assert actual == expected


def test_an_unknown_permission_or_role_is_refused() -> None:
    assert not permissions.has_permission("admin", "inspection.destroy")
    assert not permissions.has_permission("", "read")
    assert not permissions.has_permission("superuser", "self")


def test_every_role_keeps_at_least_reading_and_its_own_profile() -> None:
    # A role that cannot read or reach its own profile could not even sign out cleanly.
    for role in ROLES:
        assert allowed(role, "read") and allowed(role, "self"), role
