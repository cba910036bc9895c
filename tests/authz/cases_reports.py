"""Matrix cases of reports and totals: the API of API.md and the /reports pages."""

from __future__ import annotations

from typing import Any

from tests.authz.spec import RouteCase, form_post
from tests.authz.world import World


def _request(world: World, side: str) -> dict[str, Any]:
    return {"agency_id": world.agency(side), "period": "2026-Q1"}


def _request_form(world: World, side: str) -> dict[str, Any]:
    return {"agency_id": str(world.agency(side)), "period": "2026-Q1"}


def _narrative(world: World, side: str) -> dict[str, Any]:
    return {"narrative": "Thuyết minh đã sửa.", "version": 1}


def _narrative_form(world: World, side: str) -> dict[str, Any]:
    return {"narrative": "Thuyết minh đã sửa.", "version": "1"}


def _sign_off(world: World, side: str) -> dict[str, Any]:
    return {"version": 1}


def _version_form(world: World, side: str) -> dict[str, Any]:
    return {"version": "1"}


def _return(world: World, side: str) -> dict[str, Any]:
    return {"reason": "Thiếu số liệu biểu 03."}


def _return_form(world: World, side: str) -> dict[str, Any]:
    return {"reason": "Thiếu số liệu biểu 03.", "version": ""}


# The world's report is "done" without files: downloads inside answer 404 (not generated).
FILE_OK = (200, 404)

CASES: list[RouteCase] = [
    RouteCase("GET", "/api/reports", "read", scoped=False, expect_ok=(200,)),
    RouteCase("POST", "/api/reports", "report.request", body=_request, expect_ok=(202,)),
    RouteCase("GET", "/api/reports/{report_id:int}", "read", "report", expect_ok=(200,)),
    RouteCase("PATCH", "/api/reports/{report_id:int}", "report.request", "report", _narrative),
    RouteCase(
        "POST", "/api/reports/{report_id:int}/sign-off", "report.sign_off", "report", _sign_off
    ),
    RouteCase("GET", "/api/reports/{report_id:int}/file.html", "read", "report", expect_ok=FILE_OK),
    RouteCase("GET", "/api/reports/{report_id:int}/file.xlsx", "read", "report", expect_ok=FILE_OK),
    RouteCase("GET", "/api/reports/{report_id:int}/file.pdf", "read", "report", expect_ok=FILE_OK),
    RouteCase("GET", "/api/reports/{report_id:int}/file.json", "read", "report", expect_ok=FILE_OK),
    RouteCase(
        "GET", "/api/reports/{report_id:int}/tables/{name:str}", "read", "report", expect_ok=FILE_OK
    ),
    # The world's report is A1's: a head of A may sign reports off, but only the unit's own
    # heads submit its report (403 inside, 404 outside; the way in: test_submissions.py).
    RouteCase(
        "POST",
        "/api/reports/{report_id:int}/submit",
        "report.sign_off",
        "report",
        expect_ok=(403,),
    ),
    RouteCase("GET", "/api/reports/submissions", "read", scoped=False, expect_ok=(200,)),
    RouteCase(
        "POST",
        "/api/reports/submissions/{submission_id:int}/return",
        "report.sign_off",
        "submission",
        _return,
        expect_ok=(200, 409),
    ),
    RouteCase("GET", "/api/totals", "totals.read", scoped=False, expect_ok=(200,)),
    RouteCase("GET", "/reports", "read", scoped=False, expect_ok=(200,)),
    RouteCase(
        "POST", "/reports", "report.request", body=_request_form, form=True, expect_ok=(302, 303)
    ),
    RouteCase("GET", "/reports/{report_id:int}", "read", "report", expect_ok=(200,)),
    RouteCase("GET", "/reports/{report_id:int}/progress", "read", "report", expect_ok=(200,)),
    RouteCase("GET", "/reports/tracker", "read", scoped=False, expect_ok=(200,)),
    form_post("/reports/{report_id:int}/submit", "report.sign_off", "report", expect_ok=(403,)),
    form_post(
        "/reports/submissions/{submission_id:int}/return",
        "report.sign_off",
        "submission",
        _return_form,
        expect_ok=(302, 303),
    ),
    form_post(
        "/reports/{report_id:int}/narrative",
        "report.request",
        "report",
        _narrative_form,
        expect_ok=(302, 303, 422),
    ),
    form_post(
        "/reports/{report_id:int}/sign-off",
        "report.sign_off",
        "report",
        _version_form,
        expect_ok=(302, 303),
    ),
]
