"""Authorization cases of the reference-data (subjects, plans) and case API routes."""

from __future__ import annotations

from typing import Any

from tests.authz.spec import DEFAULT_OK, RouteCase
from tests.authz.world import World


def _subject(world: World, side: str) -> dict[str, Any]:
    return {"kind": "individual", "name": "Nguyễn Văn Bình"}


def _version(**fields: Any) -> Any:
    def body(world: World, side: str) -> dict[str, Any]:
        return {"version": 1, **fields}

    return body


def _plan(world: World, side: str) -> dict[str, Any]:
    return {"year": 2027, "agency_id": world.agency(side)}


def _inspection(world: World, side: str) -> dict[str, Any]:
    return {
        "title": "Thanh tra việc quản lý ngân sách",
        "agency_id": world.agency(side),
        "subject_ids": [world.id_of("subject", side)],
        "decision_date": "2026-02-01",
    }


def _event(world: World, side: str) -> dict[str, Any]:
    # Every case worker may record an announcement; the world's case is on site already,
    # so the answer is 409 (illegal transition) for those allowed, 403/404 for the others.
    return {"type": "announce", "date": "2026-03-01", "version": 1}


def _finding(world: World, side: str) -> dict[str, Any]:
    return {"subject_id": world.id_of("subject", side), "description": "Chi sai chế độ"}


def _measure(world: World, side: str) -> dict[str, Any]:
    return {"type": "recover_money", "amount_vnd": 5_000_000}


def _execution(world: World, side: str) -> dict[str, Any]:
    return {"date": "2026-03-05", "amount_vnd": 1_000_000}


def _reversal(world: World, side: str) -> dict[str, Any]:
    return {"reason": "Nộp nhầm tài khoản", "date": "2026-03-05"}


def _decision(world: World, side: str) -> dict[str, Any]:
    return {"decision": "reject", "version": 1, "note": "Chưa đủ hồ sơ"}


def _upload(world: World, side: str) -> dict[str, Any]:
    return {"entity_type": "inspection", "entity_id": world.id_of("inspection", side)}


# A multipart route answers 400 to a body that is not multipart.
UPLOAD_OK = (*DEFAULT_OK, 400)

CASES: list[RouteCase] = [
    # Subjects are shared reference data: every signed-in user sees every subject.
    RouteCase("GET", "/api/subjects", "read", scoped=False),
    RouteCase("POST", "/api/subjects", "subject.create", body=_subject, scoped=False),
    RouteCase("GET", "/api/subjects/{subject_id:int}", "read", "subject", scoped=False),
    RouteCase(
        "PATCH",
        "/api/subjects/{subject_id:int}",
        "subject.edit",
        "subject",
        body=_version(sector="Giáo dục"),
        scoped=False,
    ),
    # The history lists only cases in scope (the subject itself is shared).
    RouteCase("GET", "/api/subjects/{subject_id:int}/history", "read", "subject", scoped=False),
    RouteCase("GET", "/api/plans", "read"),
    RouteCase("POST", "/api/plans", "plan.manage", body=_plan),
    RouteCase("GET", "/api/plans/{plan_id:int}", "read", "plan"),
    RouteCase(
        "PATCH", "/api/plans/{plan_id:int}", "plan.manage", "plan", body=_version(note="Bổ sung")
    ),
    RouteCase("GET", "/api/inspections", "read"),
    RouteCase("POST", "/api/inspections", "inspection.create", body=_inspection),
    RouteCase("GET", "/api/inspections/{inspection_id:int}", "read", "inspection"),
    RouteCase(
        "PATCH",
        "/api/inspections/{inspection_id:int}",
        "inspection.edit",
        "inspection",
        body=_version(scope="2024-2026"),
    ),
    RouteCase("DELETE", "/api/inspections/{inspection_id:int}", "inspection.delete", "inspection"),
    RouteCase(
        "POST",
        "/api/inspections/{inspection_id:int}/events",
        "inspection.event",
        "inspection",
        body=_event,
    ),
    RouteCase("GET", "/api/inspections/{inspection_id:int}/findings", "read", "inspection"),
    RouteCase(
        "POST",
        "/api/inspections/{inspection_id:int}/findings",
        "finding.edit",
        "inspection",
        body=_finding,
    ),
    RouteCase("GET", "/api/findings/{finding_id:int}", "read", "finding"),
    RouteCase(
        "PATCH",
        "/api/findings/{finding_id:int}",
        "finding.edit",
        "finding",
        body=_version(legal_basis="Luật Ngân sách nhà nước 2015"),
    ),
    RouteCase("DELETE", "/api/findings/{finding_id:int}", "finding.edit", "finding"),
    RouteCase("GET", "/api/inspections/{inspection_id:int}/measures", "read", "inspection"),
    RouteCase(
        "POST",
        "/api/inspections/{inspection_id:int}/measures",
        "measure.edit",
        "inspection",
        body=_measure,
    ),
    RouteCase("GET", "/api/measures/{measure_id:int}", "read", "measure"),
    RouteCase(
        "PATCH",
        "/api/measures/{measure_id:int}",
        "measure.edit",
        "measure",
        body=_version(due_on="2026-09-30"),
    ),
    RouteCase("GET", "/api/measures/{measure_id:int}/executions", "read", "measure"),
    RouteCase(
        "POST",
        "/api/measures/{measure_id:int}/executions",
        "execution.create",
        "measure",
        body=_execution,
    ),
    RouteCase("POST", "/api/attachments", "attachment.upload", body=_upload, expect_ok=UPLOAD_OK),
    # Reversing an entry: leads and heads, and the lead of the case (the world's inspector).
    RouteCase(
        "POST",
        "/api/executions/{execution_id:int}/reversal",
        "execution.create",
        "execution",
        body=_reversal,
        case_permission="execution.reverse",
    ),
    RouteCase("GET", "/api/approvals", "approval.read"),
    RouteCase("GET", "/api/approvals/{approval_id:int}", "approval.read", "approval"),
    # The route lets every case worker in (a requester withdraws); deciding is for a head or
    # the lead of another case: the world's request was asked by the inspector, its lead.
    RouteCase(
        "POST",
        "/api/approvals/{approval_id:int}/decision",
        "approval.decide",
        "approval",
        body=_decision,
    ),
    # Without entity_type and entity_id the list is a 400 naming them.
    RouteCase("GET", "/api/attachments", "read", expect_ok=(*DEFAULT_OK, 400)),
    RouteCase("GET", "/api/attachments/{attachment_id:int}", "read", "attachment"),
]
