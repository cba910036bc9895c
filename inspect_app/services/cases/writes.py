"""Registering, editing and deleting a case, its search text, and its stored deadlines."""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from inspect_app import clock
from inspect_app.domain import lifecycle
from inspect_app.domain.clock import (
    Deadlines,
    Suspension,
    compute_deadlines,
)
from inspect_app.domain.text import fold_vietnamese, searchable_number
from inspect_app.errors import Conflict, Forbidden, InvalidInput
from inspect_app.principal import Principal
from inspect_app.schemas.cases import CaseWarning
from inspect_app.schemas.cases import Inspection as InspectionOut
from inspect_app.services import audit
from inspect_app.services.case_access import ensure_case_write, team_role
from inspect_app.services.case_context import StoredCase
from inspect_app.services.cases.overlap import OverlapCase, _links, overlap_warnings
from inspect_app.services.cases.queries import get_inspection
from inspect_app.services.cases.records import (
    INSPECTION_FIELDS,
    RULES,
    _clock_input,
    holiday_calendar,
    lifecycle_dates,
)
from inspect_app.services.cases.validation import (
    _changes_team,
    _check_open,
    _report_table,
    _validate,
)
from inspect_app.services.casework import (
    stale_version,
)
from inspect_app.services.unit_of_work import unit_of_work
from models.tables import (
    Finding,
    Inspection,
    InspectionEvent,
    InspectionExtension,
    InspectionMember,
    InspectionSubject,
    InspectionSuspension,
    Measure,
    ReminderItem,
)


async def _search_text(inspection_id: int) -> str:
    """What the search box matches a case by, folded: its code, title and origin reference,
    every number it carries (the decision, the conclusion, each step's decision or
    document, its recommendations' decisions such as fine decisions) and its subjects.

    Numbers are kept as written ("43/qd-ttr") and also with their punctuation as spaces
    ("43 qd ttr"), so "43/QĐ-TTr", "43/QD-TTr" and "43 QD TTr" all find the case.
    """
    row = (
        await Inspection.select(
            Inspection.code,
            Inspection.title,
            Inspection.decision_no,
            Inspection.conclusion_no,
            Inspection.origin_ref,
        )
        .where(Inspection.id == inspection_id)
        .first()
    )
    if row is None:
        return ""
    numbers = [row["decision_no"] or "", row["conclusion_no"] or ""]
    numbers += [
        str(event["document_no"])
        for event in await InspectionEvent.select(InspectionEvent.document_no).where(
            InspectionEvent.inspection == inspection_id
        )
    ]
    numbers += [
        str(measure["decision_no"] or "")
        for measure in await Measure.select(Measure.decision_no).where(
            Measure.inspection == inspection_id
        )
    ]
    # The reminder letters (công văn đôn đốc) sent about its recommendations: "05/TTr".
    numbers += [
        _letter_number(item["frame"])
        for item in await ReminderItem.select(ReminderItem.letter._.frame.as_alias("frame")).where(
            ReminderItem.measure._.inspection == inspection_id
        )
    ]
    subjects = await InspectionSubject.select(
        InspectionSubject.subject.name.as_alias("name"),
        InspectionSubject.subject.tax_code.as_alias("tax_code"),
    ).where(InspectionSubject.inspection == inspection_id)
    parts = [row["code"], row["title"], row["origin_ref"]]
    parts += list(dict.fromkeys(searchable_number(n) for n in numbers if n))
    for subject in subjects:
        parts += [subject["name"], subject["tax_code"] or ""]
    return fold_vietnamese(" ".join(p for p in parts if p))


def _letter_number(frame: Any) -> str:
    """ "05/TTr" from a reminder letter's stored frame ("Số: 05/TTr")."""
    if isinstance(frame, str):
        frame = json.loads(frame or "null")
    line = str(frame.get("number_line") or "") if isinstance(frame, dict) else ""
    return line.removeprefix("Số:").strip()


async def rebuild_search_texts() -> int:
    """Rebuild every case's search text (after a bulk load such as the demo); the count."""
    ids = [row["id"] for row in await Inspection.select(Inspection.id)]
    for inspection_id in ids:
        await refresh_search_text(inspection_id)
    return len(ids)


async def refresh_search_text(inspection_id: int) -> None:
    """Rebuild a case's search text after a change of what it is found by."""
    await Inspection.update({Inspection.search_text: await _search_text(inspection_id)}).where(
        Inspection.id == inspection_id
    )


async def _set_links(inspection_id: int, subject_ids: list[int] | None, members: Any) -> None:
    if subject_ids is not None:
        await InspectionSubject.delete().where(
            (InspectionSubject.inspection == inspection_id)
            & InspectionSubject.subject.not_in(subject_ids)
        )
        existing = {
            row["subject"]
            for row in await InspectionSubject.select(InspectionSubject.subject).where(
                InspectionSubject.inspection == inspection_id
            )
        }
        new = [s for s in subject_ids if s not in existing]
        if new:
            await InspectionSubject.insert(
                *[InspectionSubject(inspection=inspection_id, subject=s) for s in new]
            )
    if members is not None:
        await InspectionMember.delete().where(InspectionMember.inspection == inspection_id)
        if members:
            await InspectionMember.insert(
                *[InspectionMember(inspection=inspection_id, user=u) for u in members]
            )


async def _apply_override(
    principal: Principal, inspection_id: int, reason: str | None
) -> list[CaseWarning]:
    """The case's overlap warnings, after recording a head's override reason if one is due."""
    row = await Inspection.select(*INSPECTION_FIELDS).where(Inspection.id == inspection_id).first()
    assert row is not None
    links = await _links([inspection_id])
    warnings = (
        await overlap_warnings(
            principal, [OverlapCase.of(StoredCase.of(row))], links.subjects, links.tax_codes
        )
    )[inspection_id]
    if reason and warnings:
        await Inspection.update(
            {
                Inspection.overlap_override_reason: reason,
                Inspection.overlap_override_by: principal.id,
            }
        ).where(Inspection.id == inspection_id)
    return warnings


async def create_inspection(
    principal: Principal, data: Mapping[str, Any], ip: str = ""
) -> InspectionOut:
    """Register a case in draft with a generated code; warnings do not block saving."""
    values = await _validate(principal, data, None)
    agency_id = values["agency_id"]
    async with unit_of_work() as work:
        rows = await Inspection.insert(
            Inspection(
                code=f"new-{uuid.uuid4().hex[:24]}",
                agency=agency_id,
                plan=values.get("plan_id"),
                origin=values["origin"],
                origin_source=values.get("origin_source"),
                origin_ref=values.get("origin_ref", ""),
                kind=values["kind"],
                title=values["title"],
                scope=values.get("scope", ""),
                period_from=values.get("period_from"),
                period_to=values.get("period_to"),
                lead_user=values.get("lead_user_id"),
                decision_no=values.get("decision_no"),
                decision_date=values.get("decision_date"),
                duration_days=values["duration_days"],
                working_days=values["working_days"],
                status="draft",
                created_by=principal.id,
            )
        ).returning(Inspection.id)
        inspection_id = rows[0]["id"]
        table = await _report_table(values["kind"])
        code = lifecycle.case_code(table, clock.today().year, inspection_id)
        await Inspection.update({Inspection.code: code}).where(Inspection.id == inspection_id)
        members = values.get("member_user_ids")
        if principal.role == "inspector" and not members and not values.get("lead_user_id"):
            # An inspector who registers a case without naming its team is on it, so they
            # can go on with it; a team named in the form is kept as it is.
            members = [principal.id]
        await _set_links(inspection_id, values["subject_ids"], members)
        await Inspection.update({Inspection.search_text: await _search_text(inspection_id)}).where(
            Inspection.id == inspection_id
        )
        await _apply_override(principal, inspection_id, values.get("override_reason"))
        created = await get_inspection(principal, inspection_id)
        await audit.record(
            "create",
            actor=principal,
            entity_type="inspection",
            entity_id=inspection_id,
            agency_id=agency_id,
            after=audit.snapshot(created, leave_out=("pending_approval",)),
            ip=ip,
        )
        await work.totals_changed(agency_id, lifecycle_dates(created))
    return created


NOT_ON_TEAM_LEAD = "Only the lead of this case, a lead or a head may change its team."


async def _bump_version(inspection_id: int, version: int, changes: dict[Any, Any]) -> StoredCase:
    """Write ``changes`` and the next version, only if ``version`` is still current; the
    stored row as it now is."""
    changes = {**changes, Inspection.version: version + 1, Inspection.updated_at: datetime.now(UTC)}
    updated = (
        await Inspection.update(changes)
        .where((Inspection.id == inspection_id) & (Inspection.version == version))
        .returning(*INSPECTION_FIELDS)
    )
    if not updated:
        raise stale_version()
    return StoredCase.of(updated[0])


async def update_inspection(
    principal: Principal, inspection_id: int, version: int, data: Mapping[str, Any], ip: str = ""
) -> InspectionOut:
    """Edit a case's details (not its lifecycle dates); a stale version gets 409."""
    before = await get_inspection(principal, inspection_id)
    await ensure_case_write(principal, before, "inspection.edit")
    if before.version != version:
        raise stale_version()
    # Naming the team is the lead's step: a member may not make themselves its lead.
    if (
        principal.role == "inspector"
        and _changes_team(before, data)
        and await team_role(principal, before) != "lead"
    ):
        raise Forbidden(NOT_ON_TEAM_LEAD)
    _check_open(before)
    values = await _validate(principal, data, before)
    if values.get("subject_ids") is not None:
        removed = [s for s in before.subject_ids if s not in values["subject_ids"]]
        if removed and await Finding.exists().where(
            (Finding.inspection == inspection_id)
            & Finding.subject.is_in(removed)
            & Finding.deleted_at.is_null()
        ):
            raise InvalidInput({"subject_ids": "A subject with findings cannot be removed."})
    columns = {
        "plan_id": Inspection.plan,
        "origin": Inspection.origin,
        "origin_source": Inspection.origin_source,
        "origin_ref": Inspection.origin_ref,
        "kind": Inspection.kind,
        "title": Inspection.title,
        "scope": Inspection.scope,
        "period_from": Inspection.period_from,
        "period_to": Inspection.period_to,
        "lead_user_id": Inspection.lead_user,
        "decision_no": Inspection.decision_no,
        "decision_date": Inspection.decision_date,
        "duration_days": Inspection.duration_days,
        "working_days": Inspection.working_days,
    }
    changes = {columns[key]: value for key, value in values.items() if key in columns}
    if values.get("origin") == "scheduled":
        changes[Inspection.origin_source] = None
    async with unit_of_work() as work:
        await _bump_version(inspection_id, version, changes)
        await _set_links(inspection_id, values.get("subject_ids"), values.get("member_user_ids"))
        await Inspection.update({Inspection.search_text: await _search_text(inspection_id)}).where(
            Inspection.id == inspection_id
        )
        await recompute_deadlines(inspection_id)
        await _apply_override(principal, inspection_id, values.get("override_reason"))
        after = await get_inspection(principal, inspection_id)
        await audit.record(
            "update",
            actor=principal,
            entity_type="inspection",
            entity_id=inspection_id,
            agency_id=after.agency_id,
            before=audit.snapshot(before, leave_out=("pending_approval",)),
            after=audit.snapshot(after, leave_out=("pending_approval",)),
            ip=ip,
        )
        await work.totals_changed(after.agency_id, lifecycle_dates(before) + lifecycle_dates(after))
    return after


async def delete_inspection(
    principal: Principal, inspection_id: int, version: int | None = None, ip: str = ""
) -> None:
    """Remove a draft case (soft delete); once announced a case can only be cancelled."""
    before = await get_inspection(principal, inspection_id)
    if version is not None and before.version != version:
        raise stale_version()
    if before.status != "draft":
        raise Conflict(
            "Only a draft case can be deleted; cancel it instead.", code="illegal_transition"
        )
    async with unit_of_work() as work:
        deleted = (
            await Inspection.update(
                {
                    Inspection.deleted_at: datetime.now(UTC),
                    Inspection.version: before.version + 1,
                }
            )
            .where(
                (Inspection.id == inspection_id)
                & (Inspection.version == before.version)
                & (Inspection.status == "draft")
            )
            .returning(Inspection.id)
        )
        if not deleted:
            raise stale_version()
        await audit.record(
            "delete",
            actor=principal,
            entity_type="inspection",
            entity_id=inspection_id,
            agency_id=before.agency_id,
            before=audit.snapshot(before, leave_out=("pending_approval",)),
            ip=ip,
        )
        await work.totals_changed(before.agency_id, lifecycle_dates(before))


# --------------------------------------------------------------------------- lifecycle


async def recompute_deadlines(inspection_id: int, case: StoredCase | None = None) -> Deadlines:
    """Recompute and store the legal deadlines of a case from its dates and decisions.

    ``case``, the case as the caller has just written it, saves reading it again
    (:meth:`StoredCase.with_deadlines` gives it with what is stored)."""
    if case is None:
        row = (
            await Inspection.select(*INSPECTION_FIELDS)
            .where(Inspection.id == inspection_id)
            .first()
        )
        assert row is not None
        case = StoredCase.of(row)
    extensions = [
        r["days"]
        for r in await InspectionExtension.select(InspectionExtension.days).where(
            InspectionExtension.inspection == inspection_id
        )
    ]
    suspensions = [
        Suspension(start=r["start_on"], end=r["end_on"])
        for r in await InspectionSuspension.select(
            InspectionSuspension.start_on, InspectionSuspension.end_on
        )
        .where(InspectionSuspension.inspection == inspection_id)
        .order_by(InspectionSuspension.start_on)
    ]
    deadlines = compute_deadlines(
        _clock_input(case, extensions, suspensions), RULES, holiday_calendar()
    )
    await Inspection.update(
        {
            Inspection.onsite_due: deadlines.onsite_due,
            Inspection.report_due: deadlines.report_due,
            Inspection.conclusion_due: deadlines.conclusion_due,
            Inspection.publication_due: deadlines.publication_due,
            Inspection.directive_due: deadlines.directive_due,
        }
    ).where(Inspection.id == inspection_id)
    return deadlines
