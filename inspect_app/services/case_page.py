"""The case page's read: the case in the reader's scope and every list the page shows, in
one statement.

The page shows the case with its subjects and team, its timeline, findings (and those
withdrawn), recommendations, files, the people it names, its history, where it was imported
from, the tip it came from, its public version and the changes waiting for approval. Read
loader by loader that was 29 statements, the case loaded and its scope checked five times.
Here the case row carries each list as a JSON column (:mod:`inspect_app.services.json_lists`),
so the scope check is the statement's own ``WHERE`` and a case out of scope yields nothing
at all. The rows are decoded into the shapes the loaders return, and shaped by the loaders'
own mappers; ``tests/integration/test_case_page_read.py`` compares the two on both engines.

The Directive 20 overlap look-up is one of those lists (inspections.case_lists, shared with
the API detail); the session and the menu are the page's own statements.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from inspect_app.errors import NotFound
from inspect_app.principal import Principal
from inspect_app.schemas.admin import AuditEntry
from inspect_app.schemas.cases import Attachment as AttachmentOut
from inspect_app.schemas.cases import Finding as FindingOut
from inspect_app.schemas.cases import Inspection as InspectionOut
from inspect_app.schemas.cases import MeasureList, WithdrawnFinding
from inspect_app.schemas.cases import Subject as SubjectOut
from inspect_app.services import approvals, attachments, audit, findings, inspections, measures
from inspect_app.services import subjects as subject_service
from inspect_app.services.approvals import ApprovalRecord
from inspect_app.services.case_context import CaseContext, StoredCase
from inspect_app.services.cases.records import TimelineEvent
from inspect_app.services.casework import ensure_id, page_limit
from inspect_app.services.json_lists import (
    Field,
    JsonList,
    JsonRow,
    fields_of,
    int_of,
    list_columns,
    str_of,
    take_lists,
)
from inspect_app.services.publications import PublicVersion, publication_out
from inspect_app.services.tips import TipLink
from inspect_app.services.users import TeamOption
from models.tables import Finding, Inspection, Publication

# The case of the outer statement, as the lists' subqueries refer to it.
CASE = inspections.CASE_REF
# How many recommendations the page lists (and one more, to know there are more).
MEASURES_SHOWN = 200
FINDINGS_SHOWN = 200
HISTORY_SHOWN = 50

SCOPE_AGENCIES = "SELECT sg.id FROM agency sg WHERE sg.path LIKE {}"


def _lists(principal: Principal) -> dict[str, JsonList]:
    scope = principal.scope_pattern
    lists = {
        # The case's subjects, team and Directive 20 look-up, as the API detail reads them.
        **inspections.case_lists(CASE),
        "events": JsonList(
            fields=fields_of("e", *inspections.EVENT_FIELDS),
            source=f"FROM inspection_event e WHERE e.inspection = {CASE}",
            order_by="e.date, e.id",
        ),
        "findings": JsonList(
            fields=fields_of(
                "f",
                *findings.FINDING_FIELDS,
                Finding.withdrawn_reason,
                Finding.deleted_at,
            ),
            source=f"FROM finding f WHERE f.inspection = {CASE}",
            order_by="f.id",
        ),
        "measures": JsonList(
            fields=fields_of("m", *measures.MEASURE_FIELDS),
            source=f"FROM measure m WHERE m.inspection = {CASE} AND m.deleted_at IS NULL",
            order_by="m.id",
            limit=MEASURES_SHOWN + 1,
        ),
        # The case's own files and those of its standing findings.
        "files": JsonList(
            fields=fields_of("a", *attachments.ATTACHMENT_FIELDS),
            # A join on the records' keys, not an OR of subqueries (which reads every row).
            source="FROM attachment a JOIN ("
            f"SELECT 'inspection' AS kind, {CASE} AS rid"
            f" UNION ALL SELECT 'finding', fc.id FROM finding fc WHERE fc.inspection = {CASE}"
            " AND fc.deleted_at IS NULL"
            ") k ON a.entity_type = k.kind AND a.entity_id = k.rid"
            f" WHERE a.deleted_at IS NULL AND a.agency IN ({SCOPE_AGENCIES})",
            args=(scope,),
            order_by="a.id",
        ),
        # The case's subjects and those its standing findings are about.
        "subjects": JsonList(
            fields=fields_of("s", *subject_service.SUBJECT_FIELDS),
            source="FROM subject s JOIN ("
            f"SELECT ls.subject AS sid FROM inspection_subject ls WHERE ls.inspection = {CASE}"
            " UNION SELECT fs.subject FROM finding fs"
            f" WHERE fs.inspection = {CASE} AND fs.deleted_at IS NULL"
            ") k ON k.sid = s.id",
            order_by="s.id",
        ),
        # The people the page names (lead, members, the timeline's authors), as
        # users.team_options lists them: active case workers in scope.
        "team": JsonList(
            fields=(
                Field("id", "u.id", "int"),
                Field("full_name", "u.full_name", "str"),
                Field("username", "u.username", "str"),
                Field("role", "u.role", "str"),
                Field("agency_name", "g.name", "str"),
            ),
            source="FROM app_user u JOIN agency g ON g.id = u.agency"
            " WHERE g.path LIKE {} AND u.active = {}"
            " AND u.role IN ('inspector', 'lead', 'head')"
            ' AND (u.id = "inspection"."lead_user"'
            ' OR u.id IN (SELECT tm."user" FROM inspection_member tm'
            f" WHERE tm.inspection = {CASE})"
            ' OR u.id IN (SELECT te."user" FROM inspection_event te'
            f" WHERE te.inspection = {CASE}))",
            order_by="u.full_name, u.id",
            args=(scope, True),
        ),
        "import_sources": JsonList(
            fields=(
                Field("kind", "r.kind", "str"),
                Field("sheet", "r.sheet", "str"),
                Field("row_number", "r.row_number", "int"),
                Field("file_name", "u.file_name", "str"),
                Field("file_sha256", "u.file_sha256", "str"),
                Field("committed_at", "u.committed_at", "datetime"),
                Field("run_id", "u.id", "int"),
            ),
            source="FROM imported_record r JOIN import_run u ON u.id = r.run JOIN ("
            f"SELECT 'cases' AS kind, {CASE} AS rid"
            f" UNION ALL SELECT 'findings', fi.id FROM finding fi WHERE fi.inspection = {CASE}"
            f" UNION ALL SELECT 'measures', mc.id FROM measure mc WHERE mc.inspection = {CASE}"
            ") k ON r.kind = k.kind AND r.entity_id = k.rid",
            order_by="u.committed_at DESC, r.kind, r.row_number",
        ),
        "tip": JsonList(
            fields=(
                Field("id", "t.id", "int"),
                Field("code", "t.code", "str"),
                Field("status", "t.status", "str"),
            ),
            source=f"FROM tip t WHERE t.inspection = {CASE}",
            order_by="t.id",
            limit=1,
        ),
        "publication": JsonList(
            fields=fields_of("p", *Publication._meta.columns),
            source=f"FROM publication p WHERE p.inspection = {CASE}",
            order_by="p.id",
            limit=1,
        ),
        # The changes of this case waiting for a second person (approvals.list_approvals).
        "approvals": pending_approvals(scope, CASE),
    }
    if principal.can("audit.read"):
        lists["history"] = history(scope, "inspection", CASE)
    return lists


def pending_approvals(scope: str, case_ref: str, limit: int | None = None) -> JsonList:
    """The requests of a case (``case_ref``, an SQL reference to its id) waiting for a
    second person, in the reader's scope, as approvals.list_approvals lists them."""
    return JsonList(
        fields=(
            *fields_of("ap", *_plain(approvals.APPROVAL_FIELDS)),
            Field(
                "case_code",
                "(SELECT ic.code FROM inspection ic WHERE ic.id = ap.inspection)",
                "str",
            ),
            Field(
                "case_title",
                "(SELECT ic.title FROM inspection ic WHERE ic.id = ap.inspection)",
                "str",
            ),
            Field(
                "case_lead_id",
                "(SELECT ic.lead_user FROM inspection ic WHERE ic.id = ap.inspection)",
                "int",
            ),
            Field(
                "requested_by_name",
                "(SELECT ur.full_name FROM app_user ur WHERE ur.id = ap.requested_by)",
                "str",
            ),
            Field(
                "decided_by_name",
                "(SELECT ud.full_name FROM app_user ud WHERE ud.id = ap.decided_by)",
                "str",
            ),
            Field("agency_name", "(SELECT ag.name FROM agency ag WHERE ag.id = ap.agency)", "str"),
        ),
        source=f"FROM approval ap WHERE ap.inspection = {case_ref} AND ap.status = 'pending'"
        f" AND ap.agency IN ({SCOPE_AGENCIES})",
        order_by="ap.id",
        args=(scope,),
        limit=page_limit(limit),
    )


def history(scope: str, entity_type: str, entity_ref: str) -> JsonList:
    """The audit rows of one record (``entity_ref``, an SQL reference to its id) in the
    reader's scope with their authors' names, newest first, as audit.visible_history."""
    return JsonList(
        fields=(
            *fields_of("h", *audit.HISTORY_FIELDS),
            Field(
                "full_name",
                "(SELECT uh.full_name FROM app_user uh WHERE uh.id = h.user_id)",
                "str",
            ),
        ),
        source=f"FROM audit_event h WHERE h.agency_id IN ({SCOPE_AGENCIES})"
        f" AND h.entity_type = '{entity_type}' AND h.entity_id = {entity_ref}",
        order_by="h.id DESC",
        args=(scope,),
        limit=HISTORY_SHOWN,
    )


def _plain(columns: tuple[Any, ...]) -> tuple[Any, ...]:
    """The table's own columns of a field list (not those reached through a join)."""
    return tuple(column for column in columns if not column._meta.call_chain)


@dataclass(frozen=True, slots=True)
class CasePage:
    """Everything the case page reads from the database, shaped as the loaders shape it."""

    context: CaseContext
    case: InspectionOut
    events: list[TimelineEvent]
    findings: list[FindingOut]
    withdrawn_findings: list[WithdrawnFinding]
    measures: MeasureList
    files: list[AttachmentOut]
    finding_files: dict[int, list[AttachmentOut]]
    subjects: dict[int, SubjectOut]
    team: dict[int, TeamOption]
    history: list[AuditEntry] | None
    import_sources: list[JsonRow]
    tip: TipLink | None
    publication: PublicVersion | None
    approvals: list[ApprovalRecord]
    # The agency the case belonged to before it merged into its own ("" if none).
    former_agency: str = ""


def _tip(rows: list[JsonRow]) -> TipLink | None:
    """The tip of the case, if any (its one row)."""
    if not rows:
        return None
    return TipLink(
        id=int_of(rows[0]["id"]), code=str_of(rows[0]["code"]), status=str_of(rows[0]["status"])
    )


async def read_case_page(principal: Principal, inspection_id: int) -> CasePage:
    """The case page of a case in scope, in one statement; NotFound when the case is unknown
    or out of scope."""
    ensure_id(inspection_id)
    lists = _lists(principal)
    row = (
        await Inspection.select(
            *inspections.INSPECTION_FIELDS,
            Inspection.agency._.name.as_alias("agency_name"),
            Inspection.moved_from._.name.as_alias("former_agency_name"),
            *list_columns(lists),
        )
        .where((Inspection.id == inspection_id) & inspections.in_scope(principal))
        .first()
    )
    if row is None:
        raise NotFound()
    got = take_lists(lists, row)
    former_agency = str(row["former_agency_name"] or "")
    stored = StoredCase.of(row)
    context = CaseContext(principal=principal, row=stored, agency_name=str(row["agency_name"]))

    standing, withdrawn = findings.split_findings(got["findings"])
    standing = standing[:FINDINGS_SHOWN]
    files, finding_files = attachments.files_by_owner(
        got["files"], "inspection", [f.id for f in standing]
    )
    return CasePage(
        former_agency=former_agency,
        context=context,
        case=inspections.case_from_lists(principal, stored, got),
        events=[inspections.event_out(event) for event in got["events"]],
        findings=standing,
        withdrawn_findings=withdrawn,
        measures=measures.measure_page(
            [measures.measure_out(m) for m in got["measures"]], MEASURES_SHOWN
        ),
        files=files,
        finding_files=finding_files,
        subjects={int_of(s["id"]): subject_service.subject_out(s) for s in got["subjects"]},
        team={
            int_of(person["id"]): TeamOption(
                id=int_of(person["id"]),
                full_name=str_of(person["full_name"]),
                username=str_of(person["username"]),
                role=str_of(person["role"]),
                agency_name=str_of(person["agency_name"]),
            )
            for person in got["team"]
        },
        history=[audit.history_out(h) for h in got["history"]] if "history" in got else None,
        import_sources=got["import_sources"],
        tip=_tip(got["tip"]),
        publication=publication_out(got["publication"][0]) if got["publication"] else None,
        approvals=[approvals.approval_out(a, principal) for a in got["approvals"]],
    )
