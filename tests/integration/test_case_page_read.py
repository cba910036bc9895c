"""The case page's one-statement read returns exactly what the loaders return one by one.

services/case_page.py reads the case and every list of its page as JSON columns of one
statement; these tests fill a case with one of everything the page lists (and what it must
leave out: a withdrawn finding, a deleted recommendation, a file deleted, another case's
rows, a decided request) and compare each part with the loader that owns it, on PostgreSQL
and on SQLite.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import msgspec
import pytest

from inspect_app.errors import NotFound
from inspect_app.importing.store import sources_of_case
from inspect_app.schemas.approvals import ApprovalDecision, ExecutionReversal, PendingOnly
from inspect_app.schemas.cases import ExecutionCreate, MeasureUpdate
from inspect_app.schemas.publications import PublicationSave
from inspect_app.services import (
    approvals,
    attachments,
    audit,
    case_page,
    executions,
    findings,
    inspections,
    measure_page,
    measures,
    publications,
    subjects,
    tips,
    users,
)
from models.tables import (
    Attachment,
    Finding,
    ImportedRecord,
    ImportRun,
    InspectionMember,
    Measure,
    Tip,
)
from tests.factories import (
    Actor,
    concluded_case,
    make_finding,
    make_measure,
    make_subject,
    make_user,
)

pytestmark = [pytest.mark.usefixtures("db"), pytest.mark.storage]

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


async def _file(actor: Actor, entity_type: str, entity_id: int, name: str) -> Any:
    return await attachments.upload(
        actor.principal, attachments.AttachmentTarget(entity_type, entity_id), name, PDF
    )


async def _full_case(people: dict[str, Any]) -> dict[str, Any]:
    lead, inspector = people["lead"], people["inspector"]
    first = await make_subject("Công ty A", tax_code="0101010101")
    second = await make_subject("Ông Nguyễn Văn B", kind="individual", tax_code=None)
    # Another case of the same enterprise this year: the overlap warning.
    await concluded_case(lead, [first], decision_no="01/QĐ-TTr")
    case = await concluded_case(lead, [first, second], lead_user_id=lead.id)
    await InspectionMember.insert(InspectionMember(inspection=case["id"], user=inspector.id))
    kept = await make_finding(lead, case, amount_vnd=300_000_000)
    about_second = await make_finding(lead, case, subject_id=second, amount_vnd=7_000_000)
    gone = await make_finding(lead, case, amount_vnd=1_000_000)
    await findings.delete_finding(lead.principal, gone["id"], gone["version"], reason="Trùng lặp")
    money = await make_measure(lead, case, amount_vnd=200_000_000, finding_id=kept["id"])
    land = await make_measure(lead, case, type="recover_land", amount_vnd=None, land_m2="1250.50")
    dropped = await make_measure(lead, case, amount_vnd=5_000_000)
    await Measure.update({Measure.deleted_at: datetime.now(UTC)}).where(Measure.id == dropped["id"])
    await _file(lead, "inspection", case["id"], "ket-luan.pdf")
    await _file(lead, "finding", kept["id"], "bien-ban.pdf")
    removed = await _file(lead, "finding", about_second["id"], "nham.pdf")
    await Attachment.update({Attachment.deleted_at: datetime.now(UTC)}).where(
        Attachment.id == removed.id
    )
    await publications.save_publication(
        lead.principal,
        case["id"],
        PublicationSave(summary="Tóm tắt", public_text="Nội dung công khai"),
        None,
    )
    await Tip.insert(
        Tip(
            code="PA-TEST-0001",
            agency=people["tree"]["A"]["id"],
            content="Phản ánh",
            received_on=date(2026, 1, 2),
            due_on=date(2026, 1, 12),
            inspection=case["id"],
            status="accepted",
        )
    )
    run = await ImportRun.insert(
        ImportRun(
            agency=people["tree"]["A"]["id"],
            file_name="so-lieu-2025.xlsx",
            file_sha256="ab" * 32,
            committed_at=datetime(2026, 2, 1, 8, 30, tzinfo=UTC),
        )
    ).returning(ImportRun.id)
    await ImportedRecord.insert(
        ImportedRecord(
            agency=people["tree"]["A"]["id"],
            kind="findings",
            key="k1",
            entity_id=kept["id"],
            run=run[0]["id"],
            sheet="Sai phạm",
            row_number=7,
        )
    )
    # A write-off waits for a second person.
    current = await measures.get_measure(lead.principal, money["id"])
    await measures.update_measure(
        lead.principal,
        money["id"],
        MeasureUpdate(
            version=current.version,
            status="written_off",
            written_off_reason="Doanh nghiệp giải thể",
        ),
    )
    # A request withdrawn by its requester is no longer listed.
    await measures.update_measure(
        lead.principal,
        land["id"],
        MeasureUpdate(version=land["version"], status="written_off", written_off_reason="Nhầm"),
    )
    asked = (await approvals.list_approvals(lead.principal, inspection_id=case["id"])).items
    withdrawn = next(a for a in asked if a.target_id == land["id"])
    await approvals.decide(
        lead.principal,
        withdrawn.id,
        ApprovalDecision(decision="withdraw", version=withdrawn.version),
    )
    return case


async def _loaders(principal: Any, case_id: int) -> dict[str, Any]:
    """The case page's parts, loader by loader (how the page read them before)."""
    # The case as the list shows it: its links and overlap warnings read query by query.
    case = await inspections.get_inspection(principal, case_id)
    listed = (await inspections.list_inspections(principal, q=case.code)).items
    assert [row for row in listed if row.id == case_id] == [case]
    standing = (await findings.list_findings(principal, case_id, limit=200)).items
    files = (await attachments.list_attachments(principal, "inspection", case_id)).items
    events = await inspections.list_events(principal, case_id)
    named = {case.lead_user_id, *case.member_user_ids, *(e.user_id for e in events)}
    return {
        "case": case,
        "events": events,
        "findings": standing,
        "withdrawn_findings": list(
            await Finding.select(
                Finding.id,
                Finding.description,
                Finding.amount_vnd,
                Finding.withdrawn_reason,
                Finding.deleted_at,
            )
            .where((Finding.inspection == case_id) & Finding.deleted_at.is_not_null())
            .order_by(Finding.deleted_at, ascending=False)
        ),
        "measures": await measures.list_measures(principal, case_id, limit=200),
        "files": files,
        "finding_files": {
            finding.id: (await attachments.list_attachments(principal, "finding", finding.id)).items
            for finding in standing
        },
        "subjects": await subjects.subjects_by_ids(
            case.subject_ids + [f.subject_id for f in standing if f.subject_id]
        ),
        "team": {row.id: row for row in await users.team_options(principal, named - {None})},
        "history": await audit.visible_history(principal, "inspection", case_id)
        if principal.can("audit.read")
        else None,
        "import_sources": await sources_of_case(case_id),
        "tip": await tips.tip_of_case(case_id),
        "publication": await publications.publication_of(case_id),
        "approvals": (await approvals.list_approvals(principal, inspection_id=case_id)).items,
    }


def _comparable(value: Any) -> Any:
    """Raw SQL on SQLite hands timestamps back as text; compare them as instants."""
    if isinstance(value, str) and len(value) >= 19 and value[4] == "-" and value[10] in " T":
        try:
            stamp = datetime.fromisoformat(value)
        except ValueError:
            return value
        return stamp.replace(tzinfo=UTC) if stamp.tzinfo is None else stamp
    if isinstance(value, msgspec.Struct):
        return _comparable(msgspec.structs.asdict(value))
    if isinstance(value, dict):
        return {key: _comparable(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_comparable(item) for item in value]
    return value


async def test_the_one_statement_read_equals_the_loaders(people: dict[str, Any]) -> None:
    case = await _full_case(people)
    for reader in (people["lead"], people["inspector"], people["viewer"]):
        page = await case_page.read_case_page(reader.principal, case["id"])
        expected = await _loaders(reader.principal, case["id"])
        for part, value in expected.items():
            got = getattr(page, part)
            assert _comparable(got) == _comparable(value), (reader.principal.role, part)
    # What the case holds is really there (the equality is not of two empty lists).
    page = await case_page.read_case_page(people["lead"].principal, case["id"])
    assert [s.name for s in page.subjects.values()] == ["Công ty A", "Ông Nguyễn Văn B"]
    assert page.case.warnings and page.case.member_user_ids == [people["inspector"].id]
    assert len(page.findings) == 2 and len(page.withdrawn_findings) == 1
    assert len(page.measures.items) == 2 and page.measures.next_cursor is None
    assert [f.filename for f in page.files] == ["ket-luan.pdf"]
    assert sum(len(v) for v in page.finding_files.values()) == 1
    assert page.tip and page.tip.code == "PA-TEST-0001"
    assert page.publication and page.publication.summary == "Tóm tắt"
    assert [a.kind for a in page.approvals] == ["measure_write_off"]
    assert page.import_sources and page.import_sources[0]["row_number"] == 7
    assert page.history and set(page.team) == {people["lead"].id, people["inspector"].id}


async def test_the_measure_page_read_equals_the_loaders(people: dict[str, Any]) -> None:
    lead = people["lead"]
    case = await concluded_case(lead, [await make_subject()])
    finding = await make_finding(lead, case)
    measure = await make_measure(lead, case, amount_vnd=100_000_000, finding_id=finding["id"])
    other = await make_measure(lead, case, amount_vnd=9_000_000)
    paid = []
    for day, amount in ((2, 10_000_000), (3, 20_000_000)):
        paid.append(
            await executions.create_execution(
                lead.principal,
                measure["id"],
                ExecutionCreate(amount_vnd=amount, date=date(2026, 4, day)),
            )
        )
    await executions.create_execution(
        lead.principal, other["id"], ExecutionCreate(amount_vnd=1_000_000, date=date(2026, 4, 4))
    )
    await _file(lead, "measure", measure["id"], "quyet-dinh.pdf")
    await _file(lead, "execution", paid[1].id, "phieu-thu.pdf")
    await _file(lead, "measure", other["id"], "khac.pdf")
    # A reversal of the first payment waits for approval; a head approves it.
    asked = await executions.reverse_execution(
        lead.principal, paid[0].id, ExecutionReversal(date=date(2026, 4, 5), reason="Nộp nhầm")
    )
    assert isinstance(asked, PendingOnly)
    head = await make_user(people["tree"]["A"], "head")
    await approvals.decide(
        head.principal,
        asked.pending_approval.id,
        ApprovalDecision(decision="approve", version=asked.pending_approval.version),
    )
    current = await measures.get_measure(lead.principal, measure["id"])
    await measures.update_measure(
        lead.principal,
        measure["id"],
        MeasureUpdate(version=current.version, status="written_off", written_off_reason="Giải thể"),
    )
    for reader in (lead, people["inspector"], people["viewer"], head):
        page = await measure_page.read_measure_page(reader.principal, measure["id"])
        listed = (
            await executions.list_executions(reader.principal, measure["id"], limit=200)
        ).items
        assert page.executions == listed
        assert page.measure == await measures.get_measure(reader.principal, measure["id"])
        assert page.finding == await findings.get_finding(reader.principal, finding["id"])
        assert _comparable(page.files) == _comparable(
            (await attachments.list_attachments(reader.principal, "measure", measure["id"])).items
        )
        for entry in listed:
            own = await attachments.list_attachments(reader.principal, "execution", entry.id)
            assert _comparable(page.execution_files[entry.id]) == _comparable(own.items)
        pending = (
            await approvals.list_approvals(reader.principal, inspection_id=case["id"], limit=200)
        ).items
        assert _comparable(page.approvals) == _comparable(pending)
        expected_history = (
            await audit.visible_history(reader.principal, "measure", measure["id"])
            if reader.principal.can("audit.read")
            else None
        )
        assert _comparable(page.history) == _comparable(expected_history)
    page = await measure_page.read_measure_page(lead.principal, measure["id"])
    assert len(page.executions) == 3 and page.executions[0].reversed_by == page.executions[2].id
    assert page.executions[2].reverses == paid[0].id
    assert [f.filename for f in page.files] == ["quyet-dinh.pdf"]
    assert [f.filename for f in page.execution_files[paid[1].id]] == ["phieu-thu.pdf"]
    assert [a.kind for a in page.approvals] == ["measure_write_off"]
    assert page.finding is not None and page.corrected is False
    with pytest.raises(NotFound):
        await measure_page.read_measure_page(people["outsider"].principal, measure["id"])


async def test_a_case_out_of_scope_or_deleted_reads_as_not_found(people: dict[str, Any]) -> None:
    case = await concluded_case(people["lead"], [await make_subject()])
    with pytest.raises(NotFound):
        await case_page.read_case_page(people["outsider"].principal, case["id"])
    with pytest.raises(NotFound):
        await case_page.read_case_page(people["lead"].principal, 2**31 + 5)
    other = await make_user(people["tree"]["B"], "head")
    with pytest.raises(NotFound):
        await case_page.read_case_page(other.principal, case["id"])
