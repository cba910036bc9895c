"""Moving a case through its lifecycle (announce, extend, suspend, …, close, cancel)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import msgspec

from inspect_app.domain import lifecycle
from inspect_app.domain.clock import (
    resume_problem,
)
from inspect_app.errors import Conflict, Forbidden, InvalidInput
from inspect_app.principal import Principal
from inspect_app.schemas.approvals import PendingApproval
from inspect_app.schemas.cases import Inspection as InspectionOut
from inspect_app.services import audit, publications
from inspect_app.services.approval_requests import Approved, ask
from inspect_app.services.case_access import NOT_ON_TEAM, team_role
from inspect_app.services.cases.overlap import _links, _shown
from inspect_app.services.cases.queries import case_context, open_measures
from inspect_app.services.cases.records import (
    EVENT_DATE_COLUMN,
    RULES,
    lifecycle_dates,
)
from inspect_app.services.cases.validation import _event_fields
from inspect_app.services.cases.writes import (
    _bump_version,
    recompute_deadlines,
    refresh_search_text,
)
from inspect_app.services.casework import (
    Errors,
    not_in_future,
    required_date,
    stale_version,
)
from inspect_app.services.unit_of_work import unit_of_work
from models.tables import (
    Inspection,
    InspectionEvent,
    InspectionExtension,
    InspectionSuspension,
)


async def record_event(
    principal: Principal,
    inspection_id: int,
    data: Mapping[str, Any],
    ip: str = "",
    approved: Approved | None = None,
) -> InspectionOut:
    """Move a case through its lifecycle (announce, extend, ..., close, cancel).

    ``data`` holds ``type``, ``date``, ``version`` and the event's own fields. Refusals: 422
    for missing or wrong fields, 403 when the role may not record the event, 409 for a stale
    version or a transition the current status does not allow (``illegal_transition``).
    Closing waits for a second person's approval (domain.approvals): the answer is then the
    case as it stands with ``pending_approval``; ``approved`` closes it on approval.
    """
    row = (await case_context(principal, inspection_id)).row
    links = await _links([inspection_id])
    errors = Errors()
    event = data.get("type")
    if event not in lifecycle.EVENTS:
        errors["type"] = "Choose a value from the list."
    version = data.get("version")
    if not isinstance(version, int) or isinstance(version, bool):
        errors["version"] = "This field is required."
    errors.raise_if_any()
    assert isinstance(event, str) and isinstance(version, int)
    acting_as = lifecycle.role_on_case(principal.role, principal.id, row.lead_user_id)
    team = links.members[inspection_id]
    if principal.role == "inspector" and await team_role(principal, row, team) is None:
        raise Forbidden(NOT_ON_TEAM)
    if not lifecycle.can_perform(acting_as, event):
        raise Forbidden()
    if row.version != version:
        raise stale_version()
    ctx = lifecycle.TransitionContext(
        published=row.published_on is not None,
        directed=row.directive_on is not None,
        measures_open=await open_measures(inspection_id) if event == "close" else 0,
    )
    try:
        new_status = lifecycle.next_status(row.status, event, ctx)
    except lifecycle.IllegalTransition as exc:
        raise Conflict(exc.message, code="illegal_transition", **exc.values) from None
    on = required_date(data, "date", errors)
    not_in_future(on, "date", errors)
    errors.raise_if_any()
    assert on is not None
    fields = _event_fields(event, data, row)
    last = (
        await InspectionEvent.select(InspectionEvent.date)
        .where(InspectionEvent.inspection == inspection_id)
        .order_by(InspectionEvent.date, ascending=False)
        .first()
    )
    earliest = max(
        [d for d in (last["date"] if last else None, row.decision_date) if d is not None],
        default=None,
    )
    if earliest is not None and on < earliest:
        raise InvalidInput({"date": "The date cannot be before the previous step of the case."})
    open_suspension = None
    if event == "resume":
        open_suspension = (
            await InspectionSuspension.select()
            .where(
                (InspectionSuspension.inspection == inspection_id)
                & InspectionSuspension.end_on.is_null()
            )
            .order_by(InspectionSuspension.id, ascending=False)
            .first()
        )
        if open_suspension is not None:
            problem = resume_problem(open_suspension["start_on"], on, RULES)
            if problem is not None:
                raise InvalidInput({"date": problem})

    changes: dict[Any, Any] = {Inspection.status: new_status}
    column = EVENT_DATE_COLUMN.get(event)
    if column:
        changes[getattr(Inspection, column)] = on
    if event == "announce" and fields.get("decision_no"):
        changes[Inspection.decision_no] = fields["decision_no"]
    if event == "conclude":
        changes[Inspection.conclusion_no] = fields["conclusion_no"]
    if event == "cancel":
        changes[Inspection.cancel_reason] = fields["reason"]
    document_no = (
        fields.get("decision_no") or fields.get("conclusion_no") or fields.get("document_no") or ""
    )
    payload = {k: v for k, v in fields.items() if v not in (None, "")}
    if event == "publish" and not await publications.ready_for_publishing(inspection_id):
        raise Conflict(publications.MSG_NO_PUBLIC_VERSION, code="no_public_version")
    before = await _shown(principal, row, links)
    if event == "close" and approved is None:
        pending = await ask(
            principal,
            kind="case_close",
            agency_id=row.agency_id,
            inspection_id=inspection_id,
            target_id=inspection_id,
            target_version=version,
            payload={"type": "close", "date": on, **payload},
            summary={"date": on, "code": row.code},
            reason=fields["reason"],
            ip=ip,
        )
        return msgspec.structs.replace(
            before,
            pending_approval=msgspec.convert(pending, PendingApproval, from_attributes=True),
        )
    async with unit_of_work() as work:
        stored = await _bump_version(inspection_id, version, changes)
        await InspectionEvent.insert(
            InspectionEvent(
                inspection=inspection_id,
                type=event,
                date=on,
                document_no=document_no,
                payload=payload,
                user=principal.id,
            )
        )
        if event == "publish":
            await publications.mark_published(inspection_id, on, principal.id)
        elif event == "extend":
            await InspectionExtension.insert(
                InspectionExtension(
                    inspection=inspection_id,
                    days=fields["days"],
                    decision_no=fields["decision_no"],
                    decided_on=on,
                    note=fields["note"],
                )
            )
        elif event == "suspend":
            await InspectionSuspension.insert(
                InspectionSuspension(
                    inspection=inspection_id,
                    start_on=on,
                    decision_no=fields["decision_no"],
                    reason=fields["reason"],
                )
            )
        elif event == "resume" and open_suspension is not None:
            await InspectionSuspension.update({InspectionSuspension.end_on: on}).where(
                InspectionSuspension.id == open_suspension["id"]
            )
        deadlines = await recompute_deadlines(inspection_id, stored)
        stored = stored.with_deadlines(
            onsite_due=deadlines.onsite_due,
            report_due=deadlines.report_due,
            conclusion_due=deadlines.conclusion_due,
            publication_due=deadlines.publication_due,
            directive_due=deadlines.directive_due,
        )
        if document_no:
            await refresh_search_text(inspection_id)
        # The subjects and team did not change; the dates, status and deadlines did.
        after = await _shown(principal, stored, links)
        await audit.record(
            f"event.{event}",
            actor=principal,
            entity_type="inspection",
            entity_id=inspection_id,
            agency_id=after.agency_id,
            before=audit.snapshot(before, leave_out=("pending_approval",)),
            after={
                **audit.snapshot(after, leave_out=("pending_approval",)),
                "event": {"type": event, "date": on, **payload},
                **({"approval": approved.audit_note()} if approved else {}),
            },
            ip=ip,
        )
        await work.totals_changed(after.agency_id, [on, *lifecycle_dates(after)])
    return after
