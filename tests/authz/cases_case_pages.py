"""Matrix cases of the case pages: inspections, findings, measures, attachments, subjects, plans.

Page forms post urlencoded text as a browser does (dates dd/mm/yyyy, money "5.000.000").
"""

from __future__ import annotations

from typing import Any

from tests.authz.spec import RouteCase
from tests.authz.world import World


def _form(**fields: str) -> Any:
    def body(world: World, side: str) -> dict[str, Any]:
        return dict(fields)

    return body


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
    RouteCase("POST", "/inspections", "inspection.create", body=_inspection, form=True),
    RouteCase("GET", "/inspections/{inspection_id:int}", "read", "inspection"),
    RouteCase("GET", "/inspections/{inspection_id:int}/edit", "inspection.edit", "inspection"),
    RouteCase(
        "POST",
        "/inspections/{inspection_id:int}/edit",
        "inspection.edit",
        "inspection",
        body=_form(version="1", scope="2024-2026"),
        form=True,
    ),
    # The world's case is on site: announcing again is refused (409) for those allowed.
    RouteCase(
        "POST",
        "/inspections/{inspection_id:int}/events",
        "inspection.event",
        "inspection",
        body=_form(type="announce", date="01/03/2026", version="1"),
        form=True,
    ),
    RouteCase(
        "POST",
        "/inspections/{inspection_id:int}/delete",
        "inspection.delete",
        "inspection",
        body=_form(version="1"),
        form=True,
    ),
    RouteCase("GET", "/inspections/{inspection_id:int}/findings/new", "finding.edit", "inspection"),
    RouteCase(
        "POST",
        "/inspections/{inspection_id:int}/findings",
        "finding.edit",
        "inspection",
        body=_finding,
        form=True,
    ),
    RouteCase("GET", "/findings/{finding_id:int}/edit", "finding.edit", "finding"),
    RouteCase(
        "POST",
        "/findings/{finding_id:int}/edit",
        "finding.edit",
        "finding",
        body=_form(version="1", legal_basis="Luật Ngân sách nhà nước 2015"),
        form=True,
    ),
    RouteCase(
        "POST",
        "/findings/{finding_id:int}/delete",
        "finding.edit",
        "finding",
        body=_form(version="1"),
        form=True,
    ),
    RouteCase("GET", "/inspections/{inspection_id:int}/measures/new", "measure.edit", "inspection"),
    RouteCase(
        "POST",
        "/inspections/{inspection_id:int}/measures",
        "measure.edit",
        "inspection",
        body=_form(type="recover_money", amount_vnd="5.000.000"),
        form=True,
    ),
    RouteCase("GET", "/measures/{measure_id:int}", "read", "measure"),
    RouteCase("GET", "/measures/{measure_id:int}/edit", "measure.edit", "measure"),
    RouteCase(
        "POST",
        "/measures/{measure_id:int}/edit",
        "measure.edit",
        "measure",
        body=_form(version="1", due_on="30/09/2026"),
        form=True,
    ),
    # "done" by hand is refused for a measure counted in đồng (422) for every case worker.
    RouteCase(
        "POST",
        "/measures/{measure_id:int}/status",
        "measure.edit",
        "measure",
        body=_form(version="1", status="done"),
        form=True,
    ),
    RouteCase(
        "POST",
        "/measures/{measure_id:int}/executions",
        "execution.create",
        "measure",
        body=_form(date="05/03/2026", amount_vnd="1.000.000"),
        form=True,
    ),
    RouteCase("POST", "/attachments", "attachment.upload", body=_upload, form=True),
    RouteCase("GET", "/attachments/{attachment_id:int}", "read", "attachment"),
    # Subjects are shared reference data; their history is limited to the caller's scope.
    RouteCase("GET", "/subjects", "read"),
    RouteCase("GET", "/subjects/new", "subject.create"),
    RouteCase(
        "POST",
        "/subjects",
        "subject.create",
        body=_form(kind="individual", name="Nguyễn Văn Bình"),
        form=True,
    ),
    RouteCase("GET", "/subjects/{subject_id:int}", "read", "subject", scoped=False),
    RouteCase("GET", "/subjects/{subject_id:int}/edit", "subject.edit", "subject", scoped=False),
    RouteCase(
        "POST",
        "/subjects/{subject_id:int}/edit",
        "subject.edit",
        "subject",
        body=_form(version="1", sector="Giáo dục"),
        form=True,
        scoped=False,
    ),
    RouteCase("GET", "/plans", "read"),
    RouteCase("GET", "/plans/new", "plan.manage"),
    RouteCase("POST", "/plans", "plan.manage", body=_plan, form=True),
    RouteCase("GET", "/plans/{plan_id:int}", "read", "plan"),
    RouteCase("GET", "/plans/{plan_id:int}/edit", "plan.manage", "plan"),
    RouteCase(
        "POST",
        "/plans/{plan_id:int}/edit",
        "plan.manage",
        "plan",
        body=_form(version="1", note="Bổ sung"),
        form=True,
    ),
]
