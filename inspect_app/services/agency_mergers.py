"""Agencies that merged: a predecessor succeeded by another agency from a date.

From 1/7/2025 the 63 provinces became 34 (Hà Nam, Nam Định and Ninh Bình became Ninh Bình)
and the district level was abolished. An admin marks an agency as succeeded by another from
the first day it no longer exists (:func:`merge`): the predecessor, kept inactive for its
history, moves under the successor with the agencies below it; its open cases (not closed,
not cancelled: with their findings, recommendations, payments and follow-up) move to the
successor and keep the predecessor's name (``Inspection.moved_from``); its closed cases stay
with it. Being in the successor's subtree, the predecessor is in the successor's reports of
every period, as a row of its own, so that "the same period last year" compares like with
like across the merger, and its history is in scope of the successor's people; a
predecessor's own report of a period after the date says that it was succeeded.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from inspect_app.clock import today as local_today
from inspect_app.domain.periods import report_year_of
from inspect_app.errors import Conflict, Forbidden, InvalidInput, NotFound
from inspect_app.principal import Principal
from inspect_app.schemas.admin import Agency as AgencyOut
from inspect_app.services import agencies, audit
from inspect_app.services.casework import ensure_id
from inspect_app.services.changes import (
    mark_every_period,
    mark_follow_up_figures,
)
from inspect_app.services.unit_of_work import unit_of_work
from models.tables import Agency, Inspection

FINISHED = ("closed", "cancelled")


async def merge(
    principal: Principal,
    predecessor_id: int,
    successor_id: int | None,
    on: date | None,
    version: int | None = None,
    ip: str = "",
) -> AgencyOut:
    """Mark ``predecessor_id`` succeeded by ``successor_id`` from ``on`` and move its units
    and open cases to the successor; the predecessor as it is afterwards."""
    if not principal.can("agency.manage"):
        raise Forbidden()
    errors: dict[str, str] = {}
    if successor_id is None:
        errors["successor_id"] = "Choose the agency it merged into."
    elif successor_id == predecessor_id:
        errors["successor_id"] = "An agency cannot merge into itself."
    if on is None:
        errors["succeeded_on"] = "Enter the first day of the merged agency, e.g. 01/07/2025."
    elif not 2000 <= on.year <= report_year_of(local_today()) + 1:
        errors["succeeded_on"] = "Enter a date from 2000 to next year."
    if errors:
        raise InvalidInput(errors)
    assert successor_id is not None and on is not None
    async with unit_of_work() as work:
        # One change of the tree at a time (moves, mergers): both agencies are read again
        # once no other can move them meanwhile (PostgreSQL; SQLite's write transaction
        # holds its only lock from the start).
        await agencies.lock_tree()
        before = await agencies.get_visible(principal, predecessor_id)
        try:
            ensure_id(successor_id)  # an id past 2^31 names no agency
            successor = await agencies.get_visible(principal, successor_id)
        except NotFound:  # outside the scope or missing: said on the field
            raise InvalidInput({"successor_id": "Choose the agency it merged into."}) from None
        if before.succeeded_by_id is not None:
            raise Conflict("This agency has already merged into another.", code="merged")
        if version is not None and version != before.version:
            raise Conflict(
                "This record was changed by someone else. Reload and try again.",
                code="stale_version",
            )
        if before.parent_id is None or before.path == principal.agency_path:
            raise Forbidden("You cannot merge your own agency or the root of the tree.")
        # Into an agency above it (a district into its province) is fine; into one below
        # it would put the agency under itself.
        if successor.path.startswith(before.path):
            raise InvalidInput({"successor_id": "Choose an agency that is not below this one."})
        if successor.succeeded_by_id is not None:
            raise InvalidInput({"successor_id": "That agency has itself merged into another."})
        units = await Agency.select(Agency.id).where(Agency.parent == predecessor_id)
        await agencies.move_under(before, successor)
        moved = (
            await Inspection.update(
                {
                    Inspection.agency: successor_id,
                    Inspection.moved_from: predecessor_id,
                    Inspection.version: Inspection.version + 1,
                    Inspection.updated_at: datetime.now(UTC),
                }
            )
            .where(
                (Inspection.agency == predecessor_id)
                & Inspection.status.not_in(list(FINISHED))
                & Inspection.deleted_at.is_null()
            )
            .returning(Inspection.id)
        )
        # What the moved cases carry their agency on: their files and pending approvals.
        await _follow_moved_cases(predecessor_id, successor_id)
        await Agency.update(
            {
                Agency.succeeded_by: successor_id,
                Agency.succeeded_on: on,
                Agency.active: False,
                Agency.version: Agency.version + 1,
                Agency.updated_at: datetime.now(UTC),
            }
        ).where(Agency.id == predecessor_id)
        after = await agencies.get_visible(principal, predecessor_id)
        await audit.record(
            "agency.merge",
            actor=principal,
            entity_type="agency",
            entity_id=predecessor_id,
            agency_id=predecessor_id,
            before={"active": before.active, "succeeded_by": None},
            after={
                "succeeded_by": successor_id,
                "succeeded_on": on.isoformat(),
                "parent_before": before.parent_id,
                "units_with_it": [int(unit["id"]) for unit in units],
                "cases_moved": [int(row["id"]) for row in moved],
            },
            ip=ip,
        )
        # The cases' agency changed: every kept and stored period of the totals is computed
        # again, and the board's groups with them.
        await mark_every_period(predecessor_id)
        await mark_follow_up_figures()
        work.refresh_totals = True
    return after


_MOVED = "SELECT i.id FROM inspection i WHERE i.moved_from = {} AND i.agency = {}"


async def _follow_moved_cases(predecessor_id: int, successor_id: int) -> None:
    """The files and pending approvals of the cases that moved go with them (both carry
    the agency that scopes them)."""
    moved = _MOVED
    await Agency.raw(
        "UPDATE attachment SET agency = {} WHERE agency = {} AND ("
        f"(entity_type = 'inspection' AND entity_id IN ({moved}))"
        " OR (entity_type = 'finding' AND entity_id IN (SELECT f.id FROM finding f"
        f" WHERE f.inspection IN ({moved})))"
        " OR (entity_type = 'measure' AND entity_id IN (SELECT m.id FROM measure m"
        f" WHERE m.inspection IN ({moved})))"
        " OR (entity_type = 'execution' AND entity_id IN (SELECT e.id FROM execution e"
        f" JOIN measure m ON m.id = e.measure WHERE m.inspection IN ({moved}))))",
        successor_id,
        predecessor_id,
        *[predecessor_id, successor_id] * 4,
    )
    await Agency.raw(
        f"UPDATE approval SET agency = {{}} WHERE agency = {{}} AND inspection IN ({moved})",
        successor_id,
        predecessor_id,
        predecessor_id,
        successor_id,
    )


@dataclass(frozen=True, slots=True)
class Successor:
    """The agency another one merged into, and the first day of the merged agency."""

    id: int
    name: str
    on: date


async def successor_of(agency_id: int) -> Successor | None:
    """The agency ``agency_id`` merged into, with the date; None when it did not."""
    row = (
        await Agency.select(Agency.succeeded_by, Agency.succeeded_on)
        .where(Agency.id == agency_id)
        .first()
    )
    if row is None or row["succeeded_by"] is None:
        return None
    successor = (
        await Agency.select(Agency.id, Agency.name).where(Agency.id == row["succeeded_by"]).first()
    )
    if successor is None:
        return None
    on = row["succeeded_on"]
    if isinstance(on, str):  # SQLite
        on = date.fromisoformat(on)
    return Successor(int(successor["id"]), str(successor["name"]), on)
