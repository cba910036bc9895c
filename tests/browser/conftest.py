"""Every browser test runs against the migrated test database (tests/conftest.py)."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _migrated(migrated_database: str) -> str:
    return migrated_database
