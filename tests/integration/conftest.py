"""Fixtures the integration tests share: a migrated database for every test, the agency
tree and the people who work in it."""

from __future__ import annotations

from typing import Any

import pytest

from tests.factories import make_tree, make_user

# The SMTP server on loopback, for every test of e-mailed notices (a fixture by import).
from tests.integration.mail_support import smtp_inbox  # noqa: F401


@pytest.fixture(autouse=True)
def _migrated(migrated_database: str) -> str:
    """Every integration test runs on the migrated test database (tests/conftest.py)."""
    return migrated_database


@pytest.fixture
async def people(db: str) -> dict[str, Any]:
    """Agencies P > A > A1 and B; a lead, an inspector and a viewer of A, a lead of B.

    The lead of B ("outsider") sees nothing of A: scope tests use them.
    """
    tree = await make_tree()
    return {
        "tree": tree,
        "lead": await make_user(tree["A"], "lead"),
        "inspector": await make_user(tree["A"], "inspector"),
        "viewer": await make_user(tree["A"], "viewer"),
        "outsider": await make_user(tree["B"], "lead"),
    }
