"""Sign-in throttling: when repeated failures lock a username out, and for how long.

Two locks, checked before any password:

- per username and address: ``ADDRESS_MAX_FAILURES`` failures within ``ADDRESS_WINDOW``
  lock that pair until the oldest of them leaves the window (a typo-prone colleague at the
  next desk is not locked out);
- per account, whatever the address (an attacker rotating addresses): after
  ``max_failures`` failures since the last successful sign-in (within ``ACCOUNT_WINDOW``)
  the account waits ``base_delay`` after its last failure, twice as long after each further
  failure, at most ``max_delay``. Attempts refused by a lock are not failures: they neither
  check the password nor lengthen the lock.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

ADDRESS_MAX_FAILURES = 5
ADDRESS_WINDOW = timedelta(minutes=15)
# Failures older than this no longer count against an account.
ACCOUNT_WINDOW = timedelta(hours=24)
# 2**20 times any base delay is beyond any sensible maximum: no need to compute further.
_MAX_DOUBLINGS = 20


@dataclass(frozen=True)
class AccountLockRule:
    """How many failures lock an account, and how the lock grows."""

    max_failures: int = 10
    base_delay: timedelta = timedelta(seconds=60)
    max_delay: timedelta = timedelta(hours=1)

    def delay(self, failures: int) -> timedelta | None:
        """How long the account waits after its last failure; None below the threshold."""
        if failures < self.max_failures:
            return None
        doublings = min(failures - self.max_failures, _MAX_DOUBLINGS)
        delay: timedelta = self.base_delay * (1 << doublings)
        return min(delay, self.max_delay)

    def locked_until(self, failures: int, last_failure_at: datetime | None) -> datetime | None:
        """When the account may try again, or None when it is not locked by ``failures``."""
        delay = self.delay(failures)
        if delay is None or last_failure_at is None:
            return None
        return last_failure_at + delay


def address_locked_until(failures_newest_first: list[datetime]) -> datetime | None:
    """When a username may try again from one address, given its failures there (newest
    first, since its last success there, within ADDRESS_WINDOW); None when not locked."""
    if len(failures_newest_first) < ADDRESS_MAX_FAILURES:
        return None
    return failures_newest_first[ADDRESS_MAX_FAILURES - 1] + ADDRESS_WINDOW


def seconds_until(moment: datetime, now: datetime) -> int:
    """Whole seconds from ``now`` to ``moment``, at least 1 (a Retry-After value)."""
    return max(1, math.ceil((moment - now).total_seconds()))


def minutes_to_wait(seconds: int) -> int:
    """The wait shown to people, in whole minutes rounded up (at least 1)."""
    return max(1, math.ceil(seconds / 60))
