"""Forms of a case's records: findings, measures (with their status) and attachments."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from inspect_app.domain.text import ascii_digits
from inspect_app.errors import InvalidInput
from inspect_app.forms.common import area_text, date_text, form_version, money_text
from inspect_app.i18n import N_
from inspect_app.schemas.approvals import ExecutionReversal
from inspect_app.schemas.cases import (
    ExecutionCreate,
    FindingCreate,
    FindingUpdate,
    MeasureCreate,
    MeasureUpdate,
)
from inspect_app.schemas.cases import Finding as FindingOut
from inspect_app.schemas.cases import Measure as MeasureOut
from inspect_app.services import findings, measures
from inspect_app.services.approval_requests import request_reason
from inspect_app.services.casework import Errors, land, optional_date, required_date, whole_number

FINDING_FIELDS = (
    ("subject_id", N_("Subject")),
    ("category", N_("Field")),
    ("description", N_("Description")),
    ("legal_basis", N_("Legal basis")),
    ("amount_vnd", N_("Amount of the violation (đồng)")),
    ("land_m2", N_("Land area of the violation (m²)")),
)
MEASURE_FIELDS = (
    ("type", N_("Type of measure")),
    ("finding_id", N_("Finding")),
    ("description", N_("Description")),
    ("amount_vnd", N_("Amount (đồng)")),
    ("excess_reason", N_("Why more than the finding is to be recovered")),
    ("land_m2", N_("Land area (m²)")),
    ("collectives", N_("Collectives")),
    ("individuals", N_("Individuals")),
    ("cases", N_("Cases referred (vụ)")),
    ("persons", N_("Persons referred")),
    ("decision_no", N_("Decision number")),
    ("decision_date", N_("Decision date")),
    ("responsible", N_("Responsible for carrying it out")),
    ("responsible_agency_id", N_("Responsible agency")),
    ("due_on", N_("Due on")),
)
T = TypeVar("T")
PEOPLE_COUNTS = ("collectives", "individuals", "cases", "persons")
STATUS_KEYS = ("status", "written_off_reason")
NEW_FINDING = {"category": "other"}


def finding_values(finding: FindingOut) -> dict[str, Any]:
    """A stored finding as its form shows it."""
    return {
        "subject_id": str(finding.subject_id or ""),
        "category": finding.category,
        "description": finding.description,
        "legal_basis": finding.legal_basis,
        "amount_vnd": money_text(finding.amount_vnd),
        "land_m2": area_text(finding.land_m2),
        "version": str(finding.version),
    }


def finding_entry(data: Mapping[str, Any]) -> tuple[FindingCreate, dict[str, str]]:
    """The finding form as the service takes it: the subject, the texts, the amount
    ("1.234.567" đồng) and the area ("1.250,50" m²) read, with the fields that could not be
    read (the service's ``unread``: it names them after its checks of the case, whose
    answers — not on the team, the case finished — come first)."""
    return findings.create_request(data)


def finding_change(data: Mapping[str, Any]) -> tuple[FindingUpdate, dict[str, str]]:
    """The edit form of a finding with the version it read; see :func:`finding_entry`.
    Without the version nothing can be checked against the stored finding: InvalidInput
    names it with the fields not read."""
    return _versioned(data, findings.update_request)


def _versioned(
    data: Mapping[str, Any], read: Callable[[int, Mapping[str, Any]], tuple[T, Errors]]
) -> tuple[T, dict[str, str]]:
    try:
        version = form_version(data)
    except InvalidInput as exc:
        _, problems = read(0, data)
        raise InvalidInput({**problems, **exc.errors}) from None
    return read(version, data)


def measure_values(measure: MeasureOut) -> dict[str, Any]:
    """A stored measure as its form shows it."""
    return {
        "type": measure.type,
        "finding_id": str(measure.finding_id or ""),
        "description": measure.description,
        "amount_vnd": money_text(measure.amount_vnd),
        "excess_reason": measure.excess_reason,
        "land_m2": area_text(measure.land_m2),
        **{k: str(getattr(measure, k) or "") for k in PEOPLE_COUNTS},
        "decision_no": measure.decision_no or "",
        "decision_date": date_text(measure.decision_date),
        "responsible": measure.responsible,
        "responsible_agency_id": str(measure.responsible_agency_id or ""),
        "due_on": date_text(measure.due_on),
        "version": str(measure.version),
    }


def measure_entry(data: Mapping[str, Any]) -> tuple[MeasureCreate, dict[str, str]]:
    """The measure form as the service takes it: the amounts ("1.234.567" đồng,
    "1.250,50" m², counts) and dates (dd/mm/yyyy) read, with the fields that could not be
    read (the service's ``unread``: it names them with the rules of the recommendation in
    one answer)."""
    return measures.create_request(data)


def measure_change(data: Mapping[str, Any]) -> tuple[MeasureUpdate, dict[str, str]]:
    """An edit of a measure (its form, or the status form) with the version it read, as
    the service takes it; see :func:`measure_entry`. Without the version nothing can be
    checked against the stored measure: InvalidInput names it with the fields not read."""
    return _versioned(data, measures.update_request)


def new_measure_values(finding_id: str | None) -> dict[str, Any]:
    """The form of a new measure: money to recover, about a finding when one is given."""
    return {
        "type": "recover_money",
        "finding_id": finding_id if finding_id and ascii_digits(finding_id) else "",
    }


def status_change(data: Mapping[str, Any]) -> tuple[MeasureUpdate, dict[str, str]]:
    """The status form (status, write-off reason and the version read) as the service takes
    it: nothing else of the measure changes."""
    return measure_change({k: data[k] for k in (*STATUS_KEYS, "version") if k in data})


def attachment_target(data: Mapping[str, Any]) -> dict[str, Any]:
    """The record an uploaded file is for, as the upload form names it: ``entity_type`` and
    ``entity_id``, or one ``target`` "execution:12" chosen in a list (the measure page)."""
    target = str(data.get("target") or "")
    if target:
        kind, _, record = target.partition(":")
        return {"entity_type": kind, "entity_id": record}
    return {"entity_type": data.get("entity_type"), "entity_id": data.get("entity_id")}


def execution_entry(data: Mapping[str, Any]) -> ExecutionCreate:
    """The execution form as the service takes it: the date (dd/mm/yyyy) and the amounts
    ("1.234.567" đồng, "1.250,50" m², a count) read; InvalidInput naming every field that
    cannot be read. What the amounts must be for the measure is the service's to say."""
    values = dict(data)
    errors = Errors()
    on = required_date(values, "date", errors)
    amount = whole_number(values, "amount_vnd", errors, money=True)
    area = land(values, "land_m2", errors)
    count = whole_number(values, "count", errors, maximum=1_000_000)
    errors.raise_if_any()
    assert on is not None
    return ExecutionCreate(
        date=on,
        amount_vnd=amount,
        land_m2=None if area is None else str(area),
        count=count,
        document_no=str(values.get("document_no") or ""),
        note=str(values.get("note") or ""),
    )


def reversal_request(data: Mapping[str, Any]) -> ExecutionReversal:
    """The reversal form (its ``reversal_date``, today when empty, and ``reason``) as the
    service takes it; InvalidInput naming ``reversal_date`` when it is not a date."""
    values = dict(data)
    errors = Errors()
    on = optional_date(values, "reversal_date", errors)
    if errors:
        # Said together with a missing reason, as the service would say it.
        try:
            request_reason(values)
        except InvalidInput as exc:
            errors.update(exc.errors)
    errors.raise_if_any()
    return ExecutionReversal(reason=str(values.get("reason") or ""), date=on)
