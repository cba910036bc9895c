"""The counts the menu shows on every page, read in one statement.

Every page shows how many notices the user has not read and, to those who decide approvals,
how many requests wait for them. Both are read together, so the menu costs each page one
round trip to the database; who may decide a request stays the rule of
:mod:`inspect_app.domain.approvals` (applied by :func:`approvals.decidable_count`).

The counts are kept per person while the data version holds (as the page parts are, for
``PAGE_CACHE_SECONDS``): every write that adds a notice or an approval request, decides a
request or marks notices read moves the version, inside a write transaction or with
:func:`inspect_app.data_version.bump` (the deadline watch), so the next page reads them
again.
"""

from __future__ import annotations

from dataclasses import dataclass

from inspect_app.data_version import KeptByVersion
from inspect_app.principal import Principal
from inspect_app.services.approvals import decidable_count
from inspect_app.settings import get_settings
from models.tables import Notification

# The unread notices in the first row; then, for a person who decides approvals, one row per
# pending request in scope with its requester and its case's lead.
_COUNTS_SQL = """
SELECT 'unread' AS kind, COUNT(*) AS n, NULL AS requested_by, NULL AS lead
  FROM notification WHERE "user" = {} AND read_at IS NULL
"""
_PENDING_SQL = """
UNION ALL
SELECT 'pending', 0, a.requested_by, i.lead_user
  FROM approval a
  JOIN agency g ON g.id = a.agency
  LEFT JOIN inspection i ON i.id = a.inspection
 WHERE a.status = 'pending' AND g.path LIKE {}
"""


@dataclass(frozen=True, slots=True)
class MenuCounts:
    """What the menu shows beside its items."""

    unread: int
    waiting_approvals: int


_kept: KeptByVersion[MenuCounts] = KeptByVersion(10_000)


async def menu_counts(principal: Principal) -> MenuCounts:
    """The user's unread notices and the approval requests waiting for them."""
    return await _kept.through(
        (principal.id, principal.role, principal.agency_path),
        get_settings().page_cache_seconds,
        lambda: _read_counts(principal),
    )


def forget_kept() -> None:
    """Forget every kept count (tests: ids start again in an emptied database)."""
    _kept.clear()


async def _read_counts(principal: Principal) -> MenuCounts:
    if principal.can("approval.decide"):
        rows = await Notification.raw(
            _COUNTS_SQL + _PENDING_SQL, principal.id, principal.scope_pattern
        )
    else:
        rows = await Notification.raw(_COUNTS_SQL, principal.id)
    unread = sum(int(row["n"]) for row in rows if row["kind"] == "unread")
    pending = [(row["requested_by"], row["lead"]) for row in rows if row["kind"] == "pending"]
    return MenuCounts(unread=unread, waiting_approvals=decidable_count(principal, pending))
