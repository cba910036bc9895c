"""The recommendation page's read: the measure and its case in the reader's scope and every
list the page shows, in one statement (as services.case_page does for the case page).

The page shows the measure's target and progress, its ledger of executions (each with the
reversal that cancels it), the finding it follows, its files and those of its executions,
the requests waiting about it, whether it was corrected, and its history.
``tests/integration/test_case_page_read.py`` compares each part with the loaders.
"""

from __future__ import annotations

from dataclasses import dataclass

from inspect_app.errors import NotFound
from inspect_app.principal import Principal
from inspect_app.schemas.admin import AuditEntry
from inspect_app.schemas.cases import Attachment as AttachmentOut
from inspect_app.schemas.cases import Execution
from inspect_app.schemas.cases import Finding as FindingOut
from inspect_app.schemas.cases import Measure as MeasureOut
from inspect_app.services import approvals, attachments, executions, findings, measures
from inspect_app.services.approvals import ApprovalRecord
from inspect_app.services.audit import history_out
from inspect_app.services.case_context import CaseContext
from inspect_app.services.case_page import SCOPE_AGENCIES, history, pending_approvals
from inspect_app.services.casework import ensure_id
from inspect_app.services.json_lists import (
    Field,
    JsonList,
    fields_of,
    int_of,
    list_columns,
    take_lists,
)
from models.tables import Measure

# The measure of the outer statement, as the lists' subqueries refer to it.
MEASURE = '"measure"."id"'
EXECUTIONS_SHOWN = 200


def _lists(principal: Principal) -> dict[str, JsonList]:
    scope = principal.scope_pattern
    lists = {
        "executions": JsonList(
            fields=(
                *fields_of("x", *executions.STORED_FIELDS),
                # The entry that cancels this one (an entry that is itself a reversal has none).
                Field(
                    "reversed_by",
                    "CASE WHEN x.reverses IS NULL THEN (SELECT MAX(r.id) FROM execution r"
                    " WHERE r.reverses = x.id) END",
                    "int",
                ),
            ),
            source=f"FROM execution x WHERE x.measure = {MEASURE}",
            order_by="x.id",
            limit=EXECUTIONS_SHOWN,
        ),
        "finding": JsonList(
            fields=fields_of("f", *findings.FINDING_FIELDS),
            source='FROM finding f WHERE f.id = "measure"."finding" AND f.deleted_at IS NULL',
            order_by="f.id",
            limit=1,
        ),
        "files": JsonList(
            fields=fields_of("a", *attachments.ATTACHMENT_FIELDS),
            # A join on the records' keys, not an OR of subqueries (which reads every row).
            source="FROM attachment a JOIN ("
            f"SELECT 'measure' AS kind, {MEASURE} AS rid"
            f" UNION ALL SELECT 'execution', xa.id FROM execution xa WHERE xa.measure = {MEASURE}"
            ") k ON a.entity_type = k.kind AND a.entity_id = k.rid"
            f" WHERE a.deleted_at IS NULL AND a.agency IN ({SCOPE_AGENCIES})",
            args=(scope,),
            order_by="a.id",
        ),
        "members": JsonList(
            fields=(Field("user", 'mm."user"', "int"),),
            source='FROM inspection_member mm WHERE mm.inspection = "measure"."inspection"',
            order_by="mm.id",
        ),
        # Those of its case: the page keeps the ones about this measure and its entries.
        "approvals": pending_approvals(scope, '"measure"."inspection"', limit=200),
        # Whether the measure was ever corrected after the conclusion (a list of at most one).
        "corrections": JsonList(
            fields=(Field("id", "c.id", "int"),),
            source="FROM audit_event c WHERE c.entity_type = 'measure'"
            f" AND c.entity_id = {MEASURE} AND c.action = 'correct'",
            order_by="c.id",
            limit=1,
        ),
    }
    if principal.can("audit.read"):
        lists["history"] = history(scope, "measure", MEASURE)
    return lists


@dataclass(frozen=True, slots=True)
class MeasurePage:
    """Everything the recommendation page reads from the database, shaped by the loaders."""

    case: CaseContext
    measure: MeasureOut
    finding: FindingOut | None
    executions: list[Execution]
    files: list[AttachmentOut]
    execution_files: dict[int, list[AttachmentOut]]
    member_ids: list[int]
    approvals: list[ApprovalRecord]
    corrected: bool
    history: list[AuditEntry] | None


async def read_measure_page(principal: Principal, measure_id: int) -> MeasurePage:
    """The page of a measure in scope, in one statement; NotFound otherwise."""
    ensure_id(measure_id)
    lists = _lists(principal)
    row = (
        await Measure.select(
            *measures.MEASURE_FIELDS,
            *measures.CASE_COLUMNS,
            *list_columns(lists),
        )
        .where((Measure.id == measure_id) & measures.in_scope(principal))
        .first()
    )
    if row is None:
        raise NotFound()
    got = take_lists(lists, row)
    stored, case = measures.split_case(principal, row)
    concluded_on = case.row.concluded_on
    shown = [
        executions.execution_out({**entry, "concluded_on": concluded_on})
        for entry in got["executions"]
    ]
    files, execution_files = attachments.files_by_owner(
        got["files"], "measure", [entry.id for entry in shown]
    )
    return MeasurePage(
        case=case,
        measure=measures.shown(stored),
        finding=findings.finding_out(got["finding"][0]) if got["finding"] else None,
        executions=shown,
        files=files,
        execution_files=execution_files,
        member_ids=[int_of(member["user"]) for member in got["members"]],
        approvals=[approvals.approval_out(a, principal) for a in got["approvals"]],
        corrected=bool(got["corrections"]),
        history=[history_out(h) for h in got["history"]] if "history" in got else None,
    )
