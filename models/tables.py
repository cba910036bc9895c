"""The data model: every table of the product.

Conventions: money is whole đồng in BIGINT columns ending in ``_vnd``; land is
NUMERIC(14, 2) in columns ending in ``_m2``; every record people edit carries an integer
``version`` for optimistic locking; "soft" deletion sets ``deleted_at``. Derived figures
(deadlines, measure progress, totals) are stored only where a job or service can always
rebuild them from the records.

Constraints that Piccolo's column API cannot express portably (CHECKs, multi-column UNIQUEs,
trigram and composite indexes) live in the reviewed SQL of the second migration.
"""

from __future__ import annotations

from decimal import Decimal

from piccolo.columns import (
    JSON,
    BigInt,
    Boolean,
    Date,
    ForeignKey,
    Integer,
    Numeric,
    OnDelete,
    Serial,
    SmallInt,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

LAND = (14, 2)


def _money(**kwargs: object) -> BigInt:
    return BigInt(default=0, null=False, **kwargs)  # type: ignore[arg-type]


def _land(**kwargs: object) -> Numeric:
    return Numeric(digits=LAND, default=Decimal("0.00"), null=False, **kwargs)  # type: ignore[arg-type]


# --------------------------------------------------------------------------- organisation


class Agency(Table):
    """A state body in the tree: the provincial inspectorate, its divisions, departments."""

    id = Serial(primary_key=True)
    code = Varchar(length=32, unique=True, null=False)
    name = Varchar(length=255, null=False)
    kind = Varchar(length=32, null=False, default="department")
    parent: ForeignKey[Agency] = ForeignKey(
        "self", null=True, on_delete=OnDelete.restrict, index=True
    )
    # Materialised path of ids ("/1/4/17/") so that a subtree is one indexed LIKE 'prefix%'.
    path = Varchar(length=512, null=False, default="/", index=True)
    depth = SmallInt(default=0, null=False)
    active = Boolean(default=True, null=False)
    # How the agency's documents are headed and signed (Decree 30/2020/NĐ-CP; see
    # inspect_app/domain/documents.py). Empty means "use the default".
    doc_symbol = Varchar(length=20, null=False, default="")
    parent_body = Varchar(length=255, null=False, default="")
    place_name = Varchar(length=100, null=False, default="")
    head_title = Varchar(length=100, null=False, default="")
    signer_name = Varchar(length=255, null=False, default="")
    signer_title = Varchar(length=100, null=False, default="")
    signing_form = Varchar(length=8, null=False, default="direct")
    recipients = Text(null=False, default="")  # "Kính gửi", one a line
    distribution = Text(null=False, default="")  # "Nơi nhận", one a line
    # A fine above this amount waits for a second person's approval (0: no fine does).
    fine_approval_vnd = _money()
    # An agency merged into another (the 2025 reform: 63 provinces into 34): its successor
    # and the first day it no longer exists (services/agency_mergers.py).
    succeeded_by: ForeignKey[Agency] = ForeignKey(
        "self", null=True, on_delete=OnDelete.restrict, index=True
    )
    succeeded_on = Date(null=True, default=None)
    version = Integer(default=1, null=False)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())


class AppUser(Table):
    """A person who signs in; belongs to exactly one agency and sees its subtree."""

    id = Serial(primary_key=True)
    username = Varchar(length=64, unique=True, null=False)
    full_name = Varchar(length=255, null=False)
    email = Varchar(length=255, null=True, default=None)
    password_hash = Varchar(length=255, null=False, default="")
    role = Varchar(length=16, null=False, default="inspector", index=True)
    agency = ForeignKey(Agency, null=False, on_delete=OnDelete.restrict, index=True)
    active = Boolean(default=True, null=False)
    language = Varchar(length=2, null=False, default="vi")
    # The daily follow-up digest by e-mail; the in-app digest cannot be muted.
    digest_email = Boolean(default=True, null=False)
    last_login_at = Timestamptz(null=True, default=None)
    password_changed_at = Timestamptz(null=True, default=None)
    version = Integer(default=1, null=False)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())


class ApiToken(Table):
    """A bearer token for scripts; only its SHA-256 is stored."""

    id = Serial(primary_key=True)
    user = ForeignKey(AppUser, null=False, on_delete=OnDelete.cascade, index=True)
    name = Varchar(length=100, null=False)
    token_hash = Varchar(length=64, unique=True, null=False)
    prefix = Varchar(length=12, null=False, default="")
    created_at = Timestamptz(default=TimestamptzNow())
    last_used_at = Timestamptz(null=True, default=None)
    revoked_at = Timestamptz(null=True, default=None)


class WebSession(Table):
    """Server-side session data when no Redis is configured."""

    id = Serial(primary_key=True)
    key = Varchar(length=128, unique=True, null=False)
    data = Text(null=False, default="")
    user_id = Integer(null=True, default=None, index=True)
    expires_at = Timestamptz(null=True, default=None, index=True)


class LoginAttempt(Table):
    """Each login attempt, for per-username-and-address throttling."""

    id = Serial(primary_key=True)
    username = Varchar(length=64, null=False, index=True)
    ip = Varchar(length=64, null=False, default="")
    success = Boolean(default=False, null=False)
    at = Timestamptz(default=TimestamptzNow(), index=True)


# --------------------------------------------------------------------------- reference data


class CaseKind(Table):
    """Kinds of case as data: the law changes the list, old records keep their old kind."""

    id = Serial(primary_key=True)
    code = Varchar(length=40, unique=True, null=False)
    name_vi = Varchar(length=255, null=False)
    name_en = Varchar(length=255, null=False)
    # Which report table counts this kind: 1 = inspections, 2 = specialised checks.
    report_table = SmallInt(default=1, null=False)
    valid_from = Date(null=True, default=None)
    valid_to = Date(null=True, default=None)
    active = Boolean(default=True, null=False)


class Subject(Table):
    """An inspected body or person (đối tượng thanh tra)."""

    id = Serial(primary_key=True)
    kind = Varchar(length=20, null=False, default="enterprise")
    name = Varchar(length=500, null=False)
    tax_code = Varchar(length=20, null=True, default=None, index=True)
    address = Text(null=False, default="")
    sector = Varchar(length=255, null=False, default="")
    # Lower-case, diacritics removed: "ha nam" finds "Hà Nam".
    search_text = Text(null=False, default="")
    created_by_agency = ForeignKey(Agency, null=True, on_delete=OnDelete.set_null, index=True)
    version = Integer(default=1, null=False)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())


class Plan(Table):
    """An agency's annual inspection plan (kế hoạch thanh tra năm)."""

    id = Serial(primary_key=True)
    agency = ForeignKey(Agency, null=False, on_delete=OnDelete.restrict, index=True)
    year = Integer(null=False, index=True)
    title = Varchar(length=500, null=False, default="")
    decision_no = Varchar(length=64, null=True, default=None)
    decision_date = Date(null=True, default=None)
    status = Varchar(length=16, null=False, default="draft")
    note = Text(null=False, default="")
    version = Integer(default=1, null=False)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())


# --------------------------------------------------------------------------- cases


class Inspection(Table):
    """An inspection or specialised check, from decision to closure."""

    id = Serial(primary_key=True)
    code = Varchar(length=32, unique=True, null=False)
    agency = ForeignKey(Agency, null=False, on_delete=OnDelete.restrict, index=True)
    # The agency the case belonged to before it merged into ``agency`` (its name stays on
    # the case, the board and the report); None for a case that never moved.
    moved_from = ForeignKey(Agency, null=True, on_delete=OnDelete.restrict)
    plan = ForeignKey(Plan, null=True, on_delete=OnDelete.set_null, index=True)
    origin = Varchar(length=16, null=False, default="scheduled", index=True)
    # For ad-hoc cases: hotline, feedback_box, complaint, denunciation, directive, signs, other.
    origin_source = Varchar(length=32, null=True, default=None)
    origin_ref = Varchar(length=255, null=False, default="")
    kind = Varchar(length=40, null=False, default="inspection", index=True)
    title = Varchar(length=1000, null=False)
    scope = Text(null=False, default="")
    period_from = Date(null=True, default=None)
    period_to = Date(null=True, default=None)
    lead_user = ForeignKey(AppUser, null=True, on_delete=OnDelete.set_null, index=True)
    decision_no = Varchar(length=64, null=True, default=None)
    decision_date = Date(null=True, default=None)
    duration_days = Integer(null=False, default=45)
    working_days = Boolean(null=False, default=False)
    announced_on = Date(null=True, default=None, index=True)
    onsite_ended_on = Date(null=True, default=None)
    report_on = Date(null=True, default=None)
    conclusion_no = Varchar(length=64, null=True, default=None)
    concluded_on = Date(null=True, default=None, index=True)
    published_on = Date(null=True, default=None)
    directive_on = Date(null=True, default=None)
    closed_on = Date(null=True, default=None)
    cancelled_on = Date(null=True, default=None)
    cancel_reason = Text(null=False, default="")
    status = Varchar(length=16, null=False, default="draft", index=True)
    # Deadlines from the legal clock (domain.clock), recomputed on every event.
    onsite_due = Date(null=True, default=None, index=True)
    report_due = Date(null=True, default=None)
    conclusion_due = Date(null=True, default=None, index=True)
    publication_due = Date(null=True, default=None, index=True)
    directive_due = Date(null=True, default=None, index=True)
    # The one-inspection-a-year rule was overridden by a head, with the reason.
    overlap_override_reason = Text(null=False, default="")
    overlap_override_by = ForeignKey(AppUser, null=True, on_delete=OnDelete.set_null)
    search_text = Text(null=False, default="")
    created_by = ForeignKey(AppUser, null=True, on_delete=OnDelete.set_null)
    deleted_at = Timestamptz(null=True, default=None)
    version = Integer(default=1, null=False)
    created_at = Timestamptz(default=TimestamptzNow(), index=True)
    updated_at = Timestamptz(default=TimestamptzNow())


class InspectionSubject(Table):
    """A subject covered by an inspection."""

    id = Serial(primary_key=True)
    inspection = ForeignKey(Inspection, null=False, on_delete=OnDelete.cascade, index=True)
    subject = ForeignKey(Subject, null=False, on_delete=OnDelete.restrict, index=True)


class InspectionMember(Table):
    """A member of the inspection team."""

    id = Serial(primary_key=True)
    inspection = ForeignKey(Inspection, null=False, on_delete=OnDelete.cascade, index=True)
    user = ForeignKey(AppUser, null=False, on_delete=OnDelete.restrict, index=True)
    role = Varchar(length=16, null=False, default="member")


class InspectionExtension(Table):
    """An extension decision (gia hạn)."""

    id = Serial(primary_key=True)
    inspection = ForeignKey(Inspection, null=False, on_delete=OnDelete.cascade, index=True)
    days = Integer(null=False)
    decision_no = Varchar(length=64, null=False, default="")
    decided_on = Date(null=False)
    note = Text(null=False, default="")


class InspectionSuspension(Table):
    """A suspension decision (tạm dừng); the clock stops from start_on until end_on."""

    id = Serial(primary_key=True)
    inspection = ForeignKey(Inspection, null=False, on_delete=OnDelete.cascade, index=True)
    start_on = Date(null=False)
    end_on = Date(null=True, default=None)
    decision_no = Varchar(length=64, null=False, default="")
    reason = Text(null=False, default="")


class InspectionEvent(Table):
    """One lifecycle event, for the timeline."""

    id = Serial(primary_key=True)
    inspection = ForeignKey(Inspection, null=False, on_delete=OnDelete.cascade, index=True)
    type = Varchar(length=20, null=False)
    date = Date(null=False)
    document_no = Varchar(length=64, null=False, default="")
    payload = JSON(default="{}")
    user = ForeignKey(AppUser, null=True, on_delete=OnDelete.set_null)
    created_at = Timestamptz(default=TimestamptzNow())


class Finding(Table):
    """A finding or violation (phát hiện, vi phạm)."""

    id = Serial(primary_key=True)
    inspection = ForeignKey(Inspection, null=False, on_delete=OnDelete.cascade, index=True)
    subject = ForeignKey(Subject, null=True, on_delete=OnDelete.set_null, index=True)
    category = Varchar(length=64, null=False, default="other")
    description = Text(null=False)
    legal_basis = Text(null=False, default="")
    amount_vnd = _money()
    land_m2 = _land()
    # A finding withdrawn after the fact keeps its row (deleted_at) and says why.
    withdrawn_reason = Text(null=False, default="")
    deleted_at = Timestamptz(null=True, default=None)
    version = Integer(default=1, null=False)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())


class Measure(Table):
    """A recommendation or measure (kiến nghị, biện pháp xử lý) and its progress."""

    id = Serial(primary_key=True)
    inspection = ForeignKey(Inspection, null=False, on_delete=OnDelete.cascade, index=True)
    finding = ForeignKey(Finding, null=True, on_delete=OnDelete.set_null, index=True)
    type = Varchar(length=24, null=False, index=True)
    description = Text(null=False, default="")
    amount_vnd = _money()
    land_m2 = _land()
    collectives = Integer(default=0, null=False)
    individuals = Integer(default=0, null=False)
    cases = Integer(default=0, null=False)
    persons = Integer(default=0, null=False)
    decision_no = Varchar(length=64, null=True, default=None)
    decision_date = Date(null=True, default=None)
    responsible = Varchar(length=255, null=False, default="")
    responsible_agency = ForeignKey(Agency, null=True, on_delete=OnDelete.set_null, index=True)
    due_on = Date(null=True, default=None, index=True)
    status = Varchar(length=16, null=False, default="open", index=True)
    done_vnd = _money()
    done_m2 = _land()
    done_count = Integer(default=0, null=False)
    # Why the money to recover is above the finding it is linked to (domain.records).
    excess_reason = Text(null=False, default="")
    written_off_reason = Text(null=False, default="")
    completed_on = Date(null=True, default=None)
    deleted_at = Timestamptz(null=True, default=None)
    version = Integer(default=1, null=False)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())


class Execution(Table):
    """One act of implementation: money or land recovered, people disciplined, referrals."""

    id = Serial(primary_key=True)
    measure = ForeignKey(Measure, null=False, on_delete=OnDelete.cascade, index=True)
    executed_on = Date(null=False, index=True)
    amount_vnd = _money()
    land_m2 = _land()
    # People disciplined or referred; ``count`` in the API (the name would shadow Table.count).
    quantity = Integer(default=0, null=False)
    document_no = Varchar(length=64, null=False, default="")
    note = Text(null=False, default="")
    # A reversal: the entry it cancels (its amounts are that entry's, negated) and why.
    reverses = Integer(null=True, default=None)
    reason = Text(null=False, default="")
    created_by = ForeignKey(AppUser, null=True, on_delete=OnDelete.set_null)
    created_at = Timestamptz(default=TimestamptzNow())


class Attachment(Table):
    """A document attached to a record, stored outside the web root under a generated name."""

    id = Serial(primary_key=True)
    entity_type = Varchar(length=20, null=False)
    entity_id = Integer(null=False)
    filename = Varchar(length=255, null=False)
    content_type = Varchar(length=120, null=False)
    size = BigInt(null=False, default=0)
    sha256 = Varchar(length=64, null=False)
    storage_name = Varchar(length=80, unique=True, null=False)
    uploaded_by = ForeignKey(AppUser, null=True, on_delete=OnDelete.set_null)
    agency = ForeignKey(Agency, null=False, on_delete=OnDelete.restrict, index=True)
    deleted_at = Timestamptz(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())


# --------------------------------------------------------------------------- audit and jobs


class AuditEvent(Table):
    """Append-only, hash-chained record of every change, lifecycle event, login and export."""

    id = Serial(primary_key=True)
    at = Timestamptz(default=TimestamptzNow(), index=True)
    user_id = Integer(null=True, default=None)
    username = Varchar(length=64, null=False, default="")
    action = Varchar(length=32, null=False)
    entity_type = Varchar(length=32, null=False, default="")
    entity_id = Integer(null=True, default=None)
    agency_id = Integer(null=True, default=None, index=True)
    before = JSON(default="null")
    after = JSON(default="null")
    ip = Varchar(length=64, null=False, default="")
    prev_hash = Varchar(length=64, null=False, default="")
    hash = Varchar(length=64, null=False, default="")


class Notification(Table):
    """An in-app notice. A deadline notice is unique per rung and due day, so reruns and
    retries of the watch never duplicate it; a notice of an event has no due day and is
    written once by the write that makes the event (services.notifications.send)."""

    id = Serial(primary_key=True)
    # No index of its own: the unique key and the unread index both begin with the user.
    user = ForeignKey(AppUser, null=False, on_delete=OnDelete.cascade)
    kind = Varchar(length=20, null=False, default="reminder")
    entity_type = Varchar(length=20, null=False, default="")
    entity_id = Integer(null=True, default=None)
    deadline_type = Varchar(length=24, null=False, default="")
    rung = Varchar(length=24, null=False, default="")
    due_on = Date(null=True, default=None)
    title = Varchar(length=500, null=False)
    body = Text(null=False, default="")
    link = Varchar(length=255, null=False, default="")
    created_at = Timestamptz(default=TimestamptzNow(), index=True)
    read_at = Timestamptz(null=True, default=None)
    emailed_at = Timestamptz(null=True, default=None)


class DigestEntry(Table):
    """An item listed in a user's daily digest at one rung of lateness (domain.digests).

    UNIQUE (user, entity_type, entity_id, deadline_type, rung) in the reviewed migration:
    each rung of an item is listed once, whatever reruns or races the job sees.
    """

    id = Serial(primary_key=True)
    user = ForeignKey(AppUser, null=False, on_delete=OnDelete.cascade, index=True)
    entity_type = Varchar(length=20, null=False)
    entity_id = Integer(null=False)
    deadline_type = Varchar(length=24, null=False)
    rung = Integer(null=False)
    day = Date(null=False)


class DeadlineLadder(Table):
    """The reminder ladder of one deadline type, editable by an admin."""

    id = Serial(primary_key=True)
    deadline_type = Varchar(length=24, unique=True, null=False)
    remind_days = JSON(default="[5, 1]")
    overdue_after_days = Integer(default=1, null=False)
    escalate_after_days = Integer(default=7, null=False)
    active = Boolean(default=True, null=False)
    version = Integer(default=1, null=False)
    # The "report" ladder only: days after a period's end by which a unit's report is due,
    # per kind of report ({"Q": 6, "6M": 6, "9M": 6, "Y": 6}; domain.submissions).
    due_days = JSON(default="null")


class AgencyTotals(Table):
    """The report counters of one agency and period; always rebuildable from the records."""

    id = Serial(primary_key=True)
    agency = ForeignKey(Agency, null=False, on_delete=OnDelete.cascade, index=True)
    period = Varchar(length=10, null=False, index=True)
    # "self": the agency's own records; "subtree": the agency and every agency below it.
    scope = Varchar(length=8, null=False, default="subtree")
    data = JSON(default="{}")
    computed_at = Timestamptz(default=TimestamptzNow())


class Report(Table):
    """A generated periodic report; frozen once a head signs it off."""

    id = Serial(primary_key=True)
    agency = ForeignKey(Agency, null=False, on_delete=OnDelete.restrict, index=True)
    period = Varchar(length=10, null=False)
    layout = Varchar(length=32, null=False, default="TT01-2024")
    revision = Integer(default=1, null=False)
    status = Varchar(length=16, null=False, default="queued", index=True)
    progress = SmallInt(default=0, null=False)
    error = Text(null=False, default="")
    totals = JSON(default="null")
    narrative = Text(null=False, default="")
    html_path = Varchar(length=255, null=False, default="")
    xlsx_path = Varchar(length=255, null=False, default="")
    pdf_path = Varchar(length=255, null=False, default="")
    requested_by = ForeignKey(AppUser, null=True, on_delete=OnDelete.set_null)
    signed_off_by = ForeignKey(AppUser, null=True, on_delete=OnDelete.set_null)
    signed_off_at = Timestamptz(null=True, default=None)
    # The document frame frozen at sign-off (number, date, signer, recipients), and the
    # SHA-256 of each file as written (the files of a signed report never change).
    document = JSON(default="null")
    file_sha256 = JSON(default="null")
    version = Integer(default=1, null=False)
    created_at = Timestamptz(default=TimestamptzNow())
    started_at = Timestamptz(null=True, default=None)
    finished_at = Timestamptz(null=True, default=None)
    # The run generating the report holds it until lease_until, renewing as it goes; a run
    # whose worker died loses it when the lease runs out, and another run takes over.
    claimed_by = Varchar(length=64, null=False, default="")
    lease_until = Timestamptz(null=True, default=None)
    # Where the units' rows come from: "live" (the records) or "submitted" (the signed
    # reports the units submitted; domain.submissions), said on the report's face.
    source = Varchar(length=16, null=False, default="live")


class ReportSubmission(Table):
    """A unit's signed report of a period, submitted to the agency above it.

    One row per unit and period (UNIQUE (agency, period) in the reviewed migration): the
    parent may return it with a reason, and the unit submits again (the same row, another
    report or the same one, a new date). ``due_on`` is the due day when it was submitted.
    """

    id = Serial(primary_key=True)
    agency = ForeignKey(Agency, null=False, on_delete=OnDelete.restrict, index=True)
    parent = ForeignKey(Agency, null=False, on_delete=OnDelete.restrict, index=True)
    period = Varchar(length=10, null=False)
    report = ForeignKey(Report, null=False, on_delete=OnDelete.restrict)
    status = Varchar(length=16, null=False, default="submitted")  # submitted | returned
    due_on = Date(null=False)
    submitted_on = Date(null=False)
    submitted_at = Timestamptz(default=TimestamptzNow())
    submitted_by = ForeignKey(AppUser, null=True, on_delete=OnDelete.set_null)
    return_reason = Text(null=False, default="")
    returned_at = Timestamptz(null=True, default=None)
    returned_by = ForeignKey(AppUser, null=True, on_delete=OnDelete.set_null)
    version = Integer(default=1, null=False)


class DocumentCounter(Table):
    """The last number an agency's document register gave in a year.

    Numbers restart at 1 on 1 January (Decree 30/2020/NĐ-CP). One row per agency and year
    (a UNIQUE index of the reviewed migration): taking a number increments it under the
    row's lock, so two documents never get the same number.
    """

    id = Serial(primary_key=True)
    agency = ForeignKey(Agency, null=False, on_delete=OnDelete.restrict)
    year = Integer(null=False)
    last_number = Integer(default=0, null=False)


class DocumentNumber(Table):
    """The document register: every number given, to which report, when and by whom.

    UNIQUE (agency, year, number) in the reviewed migration, a second guard after the
    counter's lock.
    """

    id = Serial(primary_key=True)
    agency = ForeignKey(Agency, null=False, on_delete=OnDelete.restrict, index=True)
    year = Integer(null=False)
    number = Integer(null=False)
    kind = Varchar(length=10, null=False, default="BC")
    symbol = Varchar(length=40, null=False, default="")
    report = ForeignKey(Report, null=True, on_delete=OnDelete.set_null, index=True)
    issued_on = Date(null=False)
    issued_by = ForeignKey(AppUser, null=True, on_delete=OnDelete.set_null)
    created_at = Timestamptz(default=TimestamptzNow())


class ReminderLetter(Table):
    """A reminder letter (công văn đôn đốc) to the unit responsible for recommendations.

    ``frame`` is the document's frame as issued (number, date, signer, recipients), so the
    files drawn later say what was sent even after the agency's settings change; the items
    keep what was left of each recommendation on that day.
    """

    id = Serial(primary_key=True)
    agency = ForeignKey(Agency, null=False, on_delete=OnDelete.restrict, index=True)
    year = Integer(null=False)
    number = Integer(null=False)
    issued_on = Date(null=False)
    report_by = Date(null=False)
    # The unit written after "Kính gửi" (null when the recommendations name no agency).
    addressee_agency = ForeignKey(Agency, null=True, on_delete=OnDelete.set_null, index=True)
    addressee = Varchar(length=255, null=False)
    note = Text(null=False, default="")
    frame = JSON(default="null")
    created_by = ForeignKey(AppUser, null=True, on_delete=OnDelete.set_null)
    created_at = Timestamptz(default=TimestamptzNow())


class ReminderItem(Table):
    """One recommendation listed in a reminder letter, with what was left of it that day."""

    id = Serial(primary_key=True)
    letter = ForeignKey(ReminderLetter, null=False, on_delete=OnDelete.cascade, index=True)
    measure = ForeignKey(Measure, null=True, on_delete=OnDelete.set_null, index=True)
    position = Integer(null=False, default=1)
    inspection_code = Varchar(length=40, null=False, default="")
    inspection_title = Text(null=False, default="")
    description = Text(null=False, default="")
    due_on = Date(null=True, default=None)
    measure_type = Varchar(length=24, null=False, default="")
    # In the recommendation's own unit: đồng, m² (two decimals) or a count.
    unit = Varchar(length=8, null=False, default="")
    left_vnd = _money()
    left_m2 = _land()
    left_count = Integer(default=0, null=False)
    collectives = Integer(default=0, null=False)
    individuals = Integer(default=0, null=False)


class JobState(Table):
    """Heartbeats and last runs of background jobs, readable without Redis."""

    id = Serial(primary_key=True)
    name = Varchar(length=64, unique=True, null=False)
    last_started_at = Timestamptz(null=True, default=None)
    last_finished_at = Timestamptz(null=True, default=None)
    last_status = Varchar(length=16, null=False, default="")
    detail = Text(null=False, default="")


class ReferenceVersion(Table):
    """A counter per kind of reference data (agencies, case kinds), bumped by database
    triggers on every change to it, so each process knows when its cached copy is stale.

    ``token`` changes with every bump as well: a counter that starts again from 1 (after
    the table is emptied) can never be mistaken for one a cache has already seen.
    """

    id = Serial(primary_key=True)
    name = Varchar(length=32, unique=True, null=False)
    version = BigInt(default=1, null=False)
    token = Varchar(length=32, null=False, default="")


# --------------------------------------------------------------------------- citizens' side


class Tip(Table):
    """A report, complaint or denunciation received from the public (tiếp nhận phản ánh).

    ``code`` is the unguessable tracking code the sender gets. The sender's identity
    (``contact_*``) is protected: for a denunciation only the handling officer and the head
    see it (``domain.tips.identity_visible``), it never goes into exports, the audit log's
    text or a public page, and every view of it is audited. ``ip_hash`` (a keyed hash of the
    sender's address, never the address) serves the public form's rate limit.
    """

    id = Serial(primary_key=True)
    code = Varchar(length=16, unique=True, null=False)
    agency = ForeignKey(Agency, null=False, on_delete=OnDelete.restrict, index=True)
    channel = Varchar(length=16, null=False, default="web", index=True)
    kind = Varchar(length=16, null=False, default="feedback")
    subject_name = Varchar(length=500, null=False, default="")
    subject_tax_code = Varchar(length=20, null=False, default="")
    content = Text(null=False)
    place = Varchar(length=500, null=False, default="")
    happened = Varchar(length=200, null=False, default="")
    anonymous = Boolean(default=True, null=False)
    contact_name = Varchar(length=255, null=False, default="")
    contact_phone = Varchar(length=40, null=False, default="")
    contact_email = Varchar(length=255, null=False, default="")
    contact_address = Varchar(length=500, null=False, default="")
    status = Varchar(length=16, null=False, default="received", index=True)
    received_on = Date(null=False)
    due_on = Date(null=False, index=True)
    decided_on = Date(null=True, default=None)
    decision_reason = Text(null=False, default="")
    forwarded_to = Varchar(length=255, null=False, default="")
    letter_no = Varchar(length=64, null=False, default="")
    inspection = ForeignKey(Inspection, null=True, on_delete=OnDelete.set_null, index=True)
    handler = ForeignKey(AppUser, null=True, on_delete=OnDelete.set_null)
    created_by = ForeignKey(AppUser, null=True, on_delete=OnDelete.set_null)
    decided_by = ForeignKey(AppUser, null=True, on_delete=OnDelete.set_null)
    ip_hash = Varchar(length=64, null=False, default="", index=True)
    version = Integer(default=1, null=False)
    created_at = Timestamptz(default=TimestamptzNow(), index=True)
    updated_at = Timestamptz(default=TimestamptzNow())


class TipFile(Table):
    """A photo or PDF sent with a tip (stored like attachments, by a generated name)."""

    id = Serial(primary_key=True)
    tip = ForeignKey(Tip, null=False, on_delete=OnDelete.cascade, index=True)
    filename = Varchar(length=255, null=False)
    content_type = Varchar(length=120, null=False)
    size = BigInt(null=False, default=0)
    sha256 = Varchar(length=64, null=False, default="")
    storage_name = Varchar(length=80, unique=True, null=False)
    created_at = Timestamptz(default=TimestamptzNow())


class Publication(Table):
    """The public version of a case's conclusion, and its time on the public portal.

    An officer prepares it with the secret parts left out (state, banking or business
    secrets): a summary, the public text and/or a PDF. The publish event of the case puts it
    on ``/public/conclusions`` (``published_on``); it stays there at least
    PUBLICATION_MIN_DAYS and leaves only by an unpublishing with a reason. The case's
    numbers, title, subjects and agency are copied here when it is saved and published, so
    that the portal reads one table; ``search_text`` is their folded text. The signed
    internal file of the conclusion is never referenced from here.
    """

    id = Serial(primary_key=True)
    inspection = ForeignKey(Inspection, null=False, on_delete=OnDelete.cascade, unique=True)
    agency = ForeignKey(Agency, null=False, on_delete=OnDelete.restrict, index=True)
    title = Varchar(length=1000, null=False, default="")
    conclusion_no = Varchar(length=64, null=False, default="")
    concluded_on = Date(null=True, default=None)
    year = Integer(null=True, default=None, index=True)
    subject_names = Text(null=False, default="")
    subject_tax_codes = Varchar(length=500, null=False, default="")
    summary = Text(null=False, default="")
    public_text = Text(null=False, default="")
    file_name = Varchar(length=255, null=False, default="")
    file_storage = Varchar(length=80, null=False, default="")
    file_size = BigInt(null=False, default=0)
    file_sha256 = Varchar(length=64, null=False, default="")
    search_text = Text(null=False, default="")
    published_on = Date(null=True, default=None, index=True)
    published_by = ForeignKey(AppUser, null=True, on_delete=OnDelete.set_null)
    unpublished_at = Timestamptz(null=True, default=None)
    unpublish_reason = Text(null=False, default="")
    prepared_by = ForeignKey(AppUser, null=True, on_delete=OnDelete.set_null)
    version = Integer(default=1, null=False)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())


# --------------------------------------------------------------------------- imports


class ImportRun(Table):
    """One workbook brought in from Excel: its dry run, then its commit (or rollback).

    The file is kept under ``VAR_DIR/imports`` by ``stored_name`` until the run is done with
    it. A job works the run while it holds the claim (``claimed_by`` until ``lease_until``);
    ``rows_checked`` and ``rows_written`` are its progress. ``problems`` holds the dry run's
    findings (at most IMPORT_PROBLEMS_KEPT, ``problem_count`` says how many in all) and
    ``summary`` what the commit created, updated and left unchanged per record kind.
    """

    id = Serial(primary_key=True)
    agency = ForeignKey(Agency, null=False, on_delete=OnDelete.restrict, index=True)
    user = ForeignKey(AppUser, null=True, on_delete=OnDelete.set_null)
    file_name = Varchar(length=255, null=False)
    file_sha256 = Varchar(length=64, null=False, index=True)
    stored_name = Varchar(length=80, null=False, default="")
    status = Varchar(length=16, null=False, default="checking", index=True)
    skip_bad_rows = Boolean(default=False, null=False)
    rows_total = Integer(default=0, null=False)
    rows_checked = Integer(default=0, null=False)
    rows_written = Integer(default=0, null=False)
    problem_count = Integer(default=0, null=False)
    problems = JSON(default="[]")
    summary = JSON(default="{}")
    error = Text(null=False, default="")
    claimed_by = Varchar(length=64, null=False, default="")
    lease_until = Timestamptz(null=True, default=None)
    version = Integer(default=1, null=False)
    created_at = Timestamptz(default=TimestamptzNow(), index=True)
    checked_at = Timestamptz(null=True, default=None)
    committed_at = Timestamptz(null=True, default=None)
    rolled_back_at = Timestamptz(null=True, default=None)


class ImportedRecord(Table):
    """Where an imported record came from, keyed by what identifies it in the workbooks.

    ``key`` is the record's natural key within the agency (a case: decision number and year;
    a finding or recommendation: its case's key and its own; an execution: its
    recommendation's key, date, document number and occurrence). A re-import finds its
    records here, so it updates them instead of adding them again. ``row_hash`` is the hash
    of the values last written, ``entity_version`` the record's version right after.
    """

    id = Serial(primary_key=True)
    agency = ForeignKey(Agency, null=False, on_delete=OnDelete.cascade, index=True)
    kind = Varchar(length=12, null=False)
    key = Varchar(length=600, null=False)
    entity_id = Integer(null=False)
    run = ForeignKey(ImportRun, null=False, on_delete=OnDelete.cascade, index=True)
    sheet = Varchar(length=100, null=False, default="")
    row_number = Integer(null=False, default=0)
    row_hash = Varchar(length=64, null=False, default="")
    entity_version = Integer(null=False, default=1)


class ImportChange(Table):
    """What one run did to one record, so that the run can be undone as a whole.

    ``action`` is created or updated; for an update ``before`` holds the record's columns
    and its ImportedRecord row as they were.
    """

    id = Serial(primary_key=True)
    run = ForeignKey(ImportRun, null=False, on_delete=OnDelete.cascade, index=True)
    kind = Varchar(length=12, null=False)
    key = Varchar(length=600, null=False)
    entity_id = Integer(null=False)
    action = Varchar(length=8, null=False)
    before = JSON(default="null")


class Approval(Table):
    """A change waiting for a second person (four-eyes): see domain.approvals.

    ``target_id`` is the case, measure or execution the change applies to (the case for a
    new recommendation); ``target_version`` the version read when asking, so that a record
    changed meanwhile is asked again; ``payload`` the change itself, applied on approval by
    the same service call that would have made it. One pending request per kind and target
    (a partial UNIQUE index in the reviewed migration).
    """

    id = Serial(primary_key=True)
    agency = ForeignKey(Agency, null=False, on_delete=OnDelete.restrict, index=True)
    inspection = ForeignKey(Inspection, null=False, on_delete=OnDelete.cascade, index=True)
    kind = Varchar(length=24, null=False)
    target_id = Integer(null=False)
    target_version = Integer(null=True, default=None)
    payload = JSON(default="{}")
    summary = JSON(default="{}")
    reason = Text(null=False, default="")
    status = Varchar(length=12, null=False, default="pending", index=True)
    requested_by = ForeignKey(AppUser, null=False, on_delete=OnDelete.restrict)
    requested_at = Timestamptz(default=TimestamptzNow())
    decided_by = ForeignKey(AppUser, null=True, on_delete=OnDelete.set_null)
    decided_at = Timestamptz(null=True, default=None)
    decision_note = Text(null=False, default="")
    result_id = Integer(null=True, default=None)
    version = Integer(default=1, null=False)


ALL_TABLES: list[type[Table]] = [
    Agency,
    AppUser,
    ApiToken,
    WebSession,
    LoginAttempt,
    CaseKind,
    Subject,
    Plan,
    Inspection,
    InspectionSubject,
    InspectionMember,
    InspectionExtension,
    InspectionSuspension,
    InspectionEvent,
    Finding,
    Measure,
    Execution,
    Attachment,
    AuditEvent,
    Notification,
    DigestEntry,
    DeadlineLadder,
    AgencyTotals,
    Report,
    ReportSubmission,
    DocumentCounter,
    DocumentNumber,
    ReminderLetter,
    ReminderItem,
    JobState,
    ReferenceVersion,
    ImportRun,
    ImportedRecord,
    ImportChange,
    Tip,
    TipFile,
    Publication,
    Approval,
]
