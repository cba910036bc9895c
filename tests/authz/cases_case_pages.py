"""Matrix cases of the case pages: inspections, findings, measures, attachments, subjects, plans.

Page forms post urlencoded text as a browser does (dates dd/mm/yyyy, money "5.000.000").
"""

from __future__ import annotations

from typing import Any

from tests.authz.spec import RouteCase, form_post, typed
from tests.authz.world import World


def _reversal(world: World, side: str) -> dict[str, Any]:
    return {
        "execution_id": str(world.id_of("execution", side)),
        "reversal_date": "05/03/2026",
        "reason": "Nộp nhầm tài khoản",
    }


def _inspection(world: World, side: str) -> dict[str, Any]:
    return {
        "agency_id": str(world.agency(side)),
        "kind": "inspection",
        "origin": "scheduled",
        "title": "Thanh tra việc quản lý ngân sách",
        "decision_date": "01/02/2026",
        "duration_days": "45",
        "_subject_ids_sent": "1",
        "subject_ids": str(world.id_of("subject", side)),
    }


def _finding(world: World, side: str) -> dict[str, Any]:
    return {"subject_id": str(world.id_of("subject", side)), "description": "Chi sai chế độ"}


def _plan(world: World, side: str) -> dict[str, Any]:
    return {"year": "2027", "agency_id": str(world.agency(side)), "status": "draft"}


def _upload(world: World, side: str) -> dict[str, Any]:
    # Urlencoded, so without a file: the page answers 422 naming the file field.
    return {"entity_type": "inspection", "entity_id": str(world.id_of("inspection", side))}


CASES: list[RouteCase] = [
    RouteCase("GET", "/inspections", "read"),
    RouteCase("GET", "/inspections/new", "inspection.create"),
    form_post("/inspections", "inspection.create", body=_inspection),
    RouteCase("GET", "/inspections/{inspection_id:int}", "read", "inspection"),
    RouteCase("GET", "/inspections/{inspection_id:int}/edit", "inspection.edit", "inspection"),
    form_post(
        "/inspections/{inspection_id:int}/edit",
        "inspection.edit",
        "inspection",
        body=typed(version="1", scope="2024-2026"),
    ),
    # The world's case is on site: announcing again is refused (409) for those allowed.
    form_post(
        "/inspections/{inspection_id:int}/events",
        "inspection.event",
        "inspection",
        body=typed(type="announce", date="01/03/2026", version="1"),
    ),
    form_post(
        "/inspections/{inspection_id:int}/delete",
        "inspection.delete",
        "inspection",
        body=typed(version="1"),
    ),
    RouteCase("GET", "/inspections/{inspection_id:int}/findings/new", "finding.edit", "inspection"),
    form_post(
        "/inspections/{inspection_id:int}/findings",
        "finding.edit",
        "inspection",
        body=_finding,
    ),
    RouteCase("GET", "/findings/{finding_id:int}/edit", "finding.edit", "finding"),
    form_post(
        "/findings/{finding_id:int}/edit",
        "finding.edit",
        "finding",
        body=typed(version="1", legal_basis="Luật Ngân sách nhà nước 2015"),
    ),
    form_post(
        "/findings/{finding_id:int}/delete",
        "finding.edit",
        "finding",
        body=typed(version="1"),
    ),
    RouteCase("GET", "/inspections/{inspection_id:int}/measures/new", "measure.edit", "inspection"),
    form_post(
        "/inspections/{inspection_id:int}/measures",
        "measure.edit",
        "inspection",
        body=typed(type="recover_money", amount_vnd="5.000.000"),
    ),
    RouteCase("GET", "/measures/{measure_id:int}", "read", "measure"),
    RouteCase("GET", "/measures/{measure_id:int}/edit", "measure.edit", "measure"),
    form_post(
        "/measures/{measure_id:int}/edit",
        "measure.edit",
        "measure",
        body=typed(version="1", due_on="30/09/2026"),
    ),
    # "done" by hand is refused for a measure counted in đồng (422) for every case worker.
    form_post(
        "/measures/{measure_id:int}/status",
        "measure.edit",
        "measure",
        body=typed(version="1", status="done"),
    ),
    form_post(
        "/measures/{measure_id:int}/executions",
        "execution.create",
        "measure",
        body=typed(date="05/03/2026", amount_vnd="1.000.000"),
    ),
    form_post(
        "/measures/{measure_id:int}/reversals",
        "execution.create",
        "measure",
        body=_reversal,
    ),
    form_post("/attachments", "attachment.upload", body=_upload),
    RouteCase("GET", "/approvals", "approval.read"),
    form_post(
        "/approvals/{approval_id:int}/decision",
        "approval.read",
        "approval",
        body=typed(decision="reject", version="1", note="Chưa đủ hồ sơ"),
    ),
    RouteCase("GET", "/attachments/{attachment_id:int}", "read", "attachment"),
    # Subjects are shared reference data; their history is limited to the caller's scope.
    RouteCase("GET", "/subjects", "read"),
    RouteCase("GET", "/subjects/new", "subject.create"),
    form_post(
        "/subjects",
        "subject.create",
        body=typed(kind="individual", name="Nguyễn Văn Bình"),
    ),
    RouteCase("GET", "/subjects/{subject_id:int}", "read", "subject", scoped=False),
    RouteCase("GET", "/subjects/{subject_id:int}/edit", "subject.edit", "subject", scoped=False),
    form_post(
        "/subjects/{subject_id:int}/edit",
        "subject.edit",
        "subject",
        body=typed(version="1", sector="Giáo dục"),
        scoped=False,
    ),
    RouteCase("GET", "/plans", "read"),
    RouteCase("GET", "/plans/new", "plan.manage"),
    form_post("/plans", "plan.manage", body=_plan),
    RouteCase("GET", "/plans/{plan_id:int}", "read", "plan"),
    RouteCase("GET", "/plans/{plan_id:int}/edit", "plan.manage", "plan"),
    form_post(
        "/plans/{plan_id:int}/edit",
        "plan.manage",
        "plan",
        body=typed(version="1", note="Bổ sung"),
    ),
]
