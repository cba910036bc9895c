"""Schemas of subjects, plans, inspections, findings, measures, executions and attachments.

Input structs: ``XCreate`` (required fields without defaults) and ``XUpdate`` (every field
optional, ``UNSET`` meaning "leave as is", plus the ``version`` read). Money is whole đồng
(int), land a decimal string with two places ("1250.50"), dates ``YYYY-MM-DD``.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, TypeVar

import msgspec
from msgspec import UNSET, UnsetType

from inspect_app.schemas.approvals import PendingApproval
from inspect_app.schemas.bounds import (
    Address,
    CaseEvent,
    Count,
    Days,
    DocumentNumber,
    FindingCategory,
    Heading,
    IdList,
    LongText,
    MeasureStatusChange,
    MeasureType,
    Origin,
    OriginSource,
    PlanStatus,
    Reason,
    RecordId,
    ShortText,
    SubjectKind,
    TaxCode,
    Version,
    Year,
)

# Land in the API: plain decimal text, at most two decimals ("1250.50"); no grouping marks.
LandM2 = Annotated[
    str,
    msgspec.Meta(
        pattern=r"^[0-9]{1,12}([.][0-9]{1,2})?$",
        description='Area in m², decimal text with at most two places, e.g. "1250.50"',
    ),
]


def given(struct: msgspec.Struct) -> dict[str, Any]:
    """The fields of an input struct that were sent (UNSET ones left out), as a plain dict."""
    return {
        name: getattr(struct, name)
        for name in struct.__struct_fields__
        if getattr(struct, name) is not UNSET
    }


# --------------------------------------------------------------------------- subjects


class SubjectCreate(msgspec.Struct):
    """A new subject; an enterprise needs its tax code."""

    kind: SubjectKind
    name: ShortText
    tax_code: TaxCode | None = None
    address: Address = ""
    sector: ShortText = ""


class SubjectUpdate(msgspec.Struct):
    """Changes to a subject, with the version read."""

    version: Version
    kind: SubjectKind | UnsetType = UNSET
    name: ShortText | UnsetType = UNSET
    tax_code: TaxCode | UnsetType | None = UNSET
    address: Address | UnsetType = UNSET
    sector: ShortText | UnsetType = UNSET


class Subject(msgspec.Struct):
    """An inspected body or person."""

    id: int
    kind: str
    name: str
    tax_code: str | None
    address: str
    sector: str
    created_by_agency_id: int | None
    version: int
    created_at: datetime | None = None
    updated_at: datetime | None = None


class SubjectList(msgspec.Struct):
    """A page of subjects."""

    items: list[Subject]
    next_cursor: str | None


class HistoryFinding(msgspec.Struct):
    """A finding about the subject, in its history."""

    id: int
    category: str
    description: str
    amount_vnd: int
    land_m2: str


class HistoryMeasure(msgspec.Struct):
    """A measure following from a finding about the subject."""

    id: int
    finding_id: int | None
    type: str
    status: str
    amount_vnd: int
    land_m2: str
    done_vnd: int
    done_m2: str
    done_count: int
    decision_no: str | None
    decision_date: date | None
    due_on: date | None


class HistoryCase(msgspec.Struct):
    """One inspection or check of the subject, with what was found and decided."""

    id: int
    code: str
    agency_id: int
    agency_name: str
    kind: str
    origin: str
    title: str
    status: str
    decision_no: str | None
    decision_date: date | None
    announced_on: date | None
    concluded_on: date | None
    conclusion_no: str | None
    closed_on: date | None
    findings: list[HistoryFinding]
    measures: list[HistoryMeasure]
    violation_vnd: int
    violation_m2: str
    sanction_vnd: int


class SubjectHistory(msgspec.Struct):
    """A subject and every case about it in the caller's scope, newest first."""

    subject: Subject
    items: list[HistoryCase]


# --------------------------------------------------------------------------- plans


class PlanCreate(msgspec.Struct):
    """A new annual plan; the agency defaults to the caller's."""

    year: Year
    agency_id: RecordId | None = None
    title: Heading = ""
    decision_no: DocumentNumber | None = None
    decision_date: date | None = None
    status: PlanStatus = "draft"
    note: LongText = ""


class PlanUpdate(msgspec.Struct):
    """Changes to a plan, with the version read."""

    version: Version
    year: Year | UnsetType = UNSET
    title: Heading | UnsetType = UNSET
    decision_no: DocumentNumber | UnsetType | None = UNSET
    decision_date: date | UnsetType | None = UNSET
    status: PlanStatus | UnsetType = UNSET
    note: LongText | UnsetType = UNSET


class Plan(msgspec.Struct):
    """An agency's annual inspection plan."""

    id: int
    agency_id: int
    year: int
    title: str
    decision_no: str | None
    decision_date: date | None
    status: str
    note: str
    version: int
    created_at: datetime | None = None
    updated_at: datetime | None = None


class PlanList(msgspec.Struct):
    """A page of plans."""

    items: list[Plan]
    next_cursor: str | None


# --------------------------------------------------------------------------- inspections


class InspectionCreate(msgspec.Struct):
    """A new case (registered in draft; dates of its steps come through events)."""

    title: Heading
    subject_ids: IdList
    agency_id: RecordId | None = None
    plan_id: RecordId | None = None
    origin: Origin = "scheduled"
    origin_source: OriginSource | None = None
    origin_ref: ShortText = ""
    kind: str = "inspection"
    scope: LongText = ""
    period_from: date | None = None
    period_to: date | None = None
    lead_user_id: RecordId | None = None
    member_user_ids: IdList = msgspec.field(default_factory=list)
    decision_no: DocumentNumber | None = None
    decision_date: date | None = None
    duration_days: Days = 45
    working_days: bool = False
    override_reason: Reason | None = None  # a head overriding the once-a-year rule


class InspectionUpdate(msgspec.Struct):
    """Changes to a case's details, with the version read."""

    version: Version
    title: Heading | UnsetType = UNSET
    subject_ids: IdList | UnsetType = UNSET
    plan_id: RecordId | UnsetType | None = UNSET
    origin: Origin | UnsetType = UNSET
    origin_source: OriginSource | UnsetType | None = UNSET
    origin_ref: ShortText | UnsetType = UNSET
    kind: str | UnsetType = UNSET
    scope: LongText | UnsetType = UNSET
    period_from: date | UnsetType | None = UNSET
    period_to: date | UnsetType | None = UNSET
    lead_user_id: RecordId | UnsetType | None = UNSET
    member_user_ids: IdList | UnsetType = UNSET
    decision_no: DocumentNumber | UnsetType | None = UNSET
    decision_date: date | UnsetType | None = UNSET
    duration_days: Days | UnsetType = UNSET
    working_days: bool | UnsetType = UNSET
    override_reason: Reason | UnsetType = UNSET


class InspectionEventCreate(msgspec.Struct):
    """A lifecycle event: ``type`` and ``date``, the version read, and the event's fields."""

    type: CaseEvent
    date: date
    version: Version
    days: Days | None = None  # extend
    decision_no: DocumentNumber | None = None  # announce, extend, suspend
    reason: LongText | None = None  # suspend, cancel
    conclusion_no: DocumentNumber | None = None  # conclude
    document_no: DocumentNumber | None = None
    note: LongText | None = None


class Deadlines(msgspec.Struct):
    """The legal due dates of a case; null while not known."""

    onsite_due: date | None
    conclusion_due: date | None
    publication_due: date | None
    directive_due: date | None
    report_due: date | None = None


class CaseWarning(msgspec.Struct):
    """A rule the case runs against without being blocked (e.g. subject_already_inspected)."""

    code: str
    message: str
    subject_id: int | None = None
    tax_code: str | None = None
    year: int | None = None
    inspection_codes: list[str] = msgspec.field(default_factory=list)
    overridden: bool = False


class Inspection(msgspec.Struct):
    """An inspection or specialised check."""

    id: int
    code: str
    agency_id: int
    plan_id: int | None
    origin: str
    origin_source: str | None
    origin_ref: str
    kind: str
    title: str
    scope: str
    period_from: date | None
    period_to: date | None
    subject_ids: list[int]
    lead_user_id: int | None
    member_user_ids: list[int]
    decision_no: str | None
    decision_date: date | None
    duration_days: int
    working_days: bool
    announced_on: date | None
    onsite_ended_on: date | None
    report_on: date | None
    conclusion_no: str | None
    concluded_on: date | None
    published_on: date | None
    directive_on: date | None
    closed_on: date | None
    cancelled_on: date | None
    cancel_reason: str
    status: str
    deadlines: Deadlines
    overdue: bool
    overdue_steps: list[str]
    warnings: list[CaseWarning]
    overlap_override_reason: str
    overlap_override_by: int | None
    version: int
    created_at: datetime | None = None
    updated_at: datetime | None = None
    # Closing waits for a second person: the 202 answer carries the request.
    pending_approval: PendingApproval | None = None


class InspectionList(msgspec.Struct):
    """A page of cases, and how many cases of each status match the filters."""

    items: list[Inspection]
    next_cursor: str | None
    counts: dict[str, int]


# --------------------------------------------------------------------------- findings


class FindingCreate(msgspec.Struct):
    """A new finding about one of the case's subjects."""

    subject_id: RecordId
    description: LongText
    category: FindingCategory = "other"
    legal_basis: LongText = ""
    amount_vnd: int = 0
    land_m2: LandM2 = "0.00"


class FindingUpdate(msgspec.Struct):
    """Changes to a finding, with the version read."""

    version: Version
    subject_id: RecordId | UnsetType = UNSET
    description: LongText | UnsetType = UNSET
    category: FindingCategory | UnsetType = UNSET
    legal_basis: LongText | UnsetType = UNSET
    amount_vnd: int | UnsetType = UNSET
    land_m2: LandM2 | UnsetType = UNSET


class Finding(msgspec.Struct):
    """A finding or violation."""

    id: int
    inspection_id: int
    subject_id: int | None
    category: str
    description: str
    legal_basis: str
    amount_vnd: int
    land_m2: str
    version: int
    created_at: datetime | None = None
    updated_at: datetime | None = None


class FindingList(msgspec.Struct):
    """A page of findings."""

    items: list[Finding]
    next_cursor: str | None


class WithdrawnFinding(msgspec.Struct):
    """What the case page says of a withdrawn finding."""

    id: int
    description: str
    amount_vnd: int
    withdrawn_reason: str
    deleted_at: datetime


# --------------------------------------------------------------------------- measures


class MeasureCreate(msgspec.Struct):
    """A new recommendation of the case."""

    type: MeasureType
    finding_id: RecordId | None = None
    description: LongText = ""
    amount_vnd: int = 0
    land_m2: LandM2 = "0.00"
    collectives: Count = 0
    individuals: Count = 0
    cases: Count = 0
    persons: Count = 0
    decision_no: DocumentNumber | None = None
    decision_date: date | None = None
    responsible: ShortText = ""
    responsible_agency_id: RecordId | None = None
    due_on: date | None = None
    # Why a fine above the agency's threshold is recorded (it waits for approval).
    reason: Reason = ""
    # Why more money is to be recovered than the finding it is linked to (required then).
    excess_reason: Reason = ""


class MeasureUpdate(msgspec.Struct):
    """Changes to a measure, with the version read; ``status`` only writes off, marks a
    measure with nothing to count as done, or reopens."""

    version: Version
    type: MeasureType | UnsetType = UNSET
    finding_id: RecordId | UnsetType | None = UNSET
    description: LongText | UnsetType = UNSET
    amount_vnd: int | UnsetType = UNSET
    land_m2: LandM2 | UnsetType = UNSET
    collectives: Count | UnsetType = UNSET
    individuals: Count | UnsetType = UNSET
    cases: Count | UnsetType = UNSET
    persons: Count | UnsetType = UNSET
    decision_no: DocumentNumber | UnsetType | None = UNSET
    decision_date: date | UnsetType | None = UNSET
    responsible: ShortText | UnsetType = UNSET
    responsible_agency_id: RecordId | UnsetType | None = UNSET
    due_on: date | UnsetType | None = UNSET
    status: MeasureStatusChange | UnsetType = UNSET
    written_off_reason: Reason | UnsetType = UNSET
    # Why the type, target or due date is corrected (required once the case is concluded).
    reason: Reason | UnsetType = UNSET
    excess_reason: Reason | UnsetType = UNSET


class Measure(msgspec.Struct):
    """A recommendation and how far it has been carried out."""

    id: int
    inspection_id: int
    finding_id: int | None
    type: str
    description: str
    amount_vnd: int
    land_m2: str
    collectives: int
    individuals: int
    cases: int
    persons: int
    decision_no: str | None
    decision_date: date | None
    responsible: str
    responsible_agency_id: int | None
    due_on: date | None
    status: str
    done_vnd: int
    done_m2: str
    done_count: int
    written_off_reason: str
    completed_on: date | None
    unit: str
    remaining: str
    overdue: bool
    version: int
    created_at: datetime | None = None
    updated_at: datetime | None = None
    # Writing off and reducing what is owed wait for a second person (202 answers).
    pending_approval: PendingApproval | None = None
    excess_reason: str = ""


class MeasureList(msgspec.Struct):
    """A page of measures."""

    items: list[Measure]
    next_cursor: str | None


class ExecutionCreate(msgspec.Struct):
    """One act of carrying a measure out, in the measure's unit."""

    date: date
    amount_vnd: int | None = None
    land_m2: LandM2 | None = None
    count: Count | None = None
    document_no: DocumentNumber = ""
    note: LongText = ""


class Execution(msgspec.Struct):
    """A recorded execution."""

    id: int
    measure_id: int
    date: date
    amount_vnd: int
    land_m2: str
    count: int
    document_no: str
    note: str
    created_by: int | None
    created_at: datetime | None = None
    # Dated before the conclusion: money recovered during the inspection (thu hồi trong quá
    # trình thanh tra); the report counts it on the conclusion's day (docs/reports.md).
    during_inspection: bool = False
    # A reversal names the entry it cancels (its amounts negated) and why; a cancelled
    # entry names the reversal.
    reverses: int | None = None
    reason: str = ""
    reversed_by: int | None = None


class ExecutionList(msgspec.Struct):
    """A page of executions."""

    items: list[Execution]
    next_cursor: str | None


# --------------------------------------------------------------------------- attachments


class Attachment(msgspec.Struct):
    """A stored document attached to a record."""

    id: int
    entity_type: str
    entity_id: int
    filename: str
    content_type: str
    size: int
    sha256: str
    uploaded_by_id: int | None
    agency_id: int
    created_at: datetime | None = None


class AttachmentList(msgspec.Struct):
    """The attachments of one record."""

    items: list[Attachment]
    next_cursor: str | None = None


StructT = TypeVar("StructT")


def to(struct: type[StructT], value: Any) -> StructT:
    """Build a response struct from a service's dict."""
    return msgspec.convert(value, struct, from_attributes=True)
