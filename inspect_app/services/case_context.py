"""A case resolved once for everything a request reads of it.

A page about a case shows its findings, measures, timeline, files, approvals and history.
Each of those loaders used to load the case again to check that the reader may see it (the
case page sent the same scope check five times). :func:`inspect_app.services.inspections.
case_context` now resolves the case once, with the reader's scope in the statement, and the
loaders that take a :class:`CaseContext` trust it: they only read their own rows.

A context is only ever made by that function, so holding one is the proof of the check. It
belongs to one request: it is not cached, and a write still locks and re-reads what it
changes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from inspect_app.principal import Principal


@dataclass(frozen=True, slots=True)
class CaseContext:
    """A case in the reader's scope: its stored row, its agency's name, and the reader."""

    principal: Principal
    row: dict[str, Any]
    agency_name: str

    @property
    def id(self) -> int:
        """The case's id."""
        return int(self.row["id"])

    @property
    def agency_id(self) -> int:
        """The id of the agency that owns the case."""
        return int(self.row["agency"])

    @property
    def status(self) -> str:
        """The case's lifecycle status."""
        return str(self.row["status"])
