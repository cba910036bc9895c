"""Case forms: list filters, the case form's values, the overlap gate, stale differences."""

from __future__ import annotations

from datetime import date

from inspect_app.forms.inspections import (
    case_differences,
    case_filters,
    case_values,
    list_arguments,
    new_case_values,
    overlap_gate,
    service_data,
)
from inspect_app.schemas.cases import CaseWarning, Deadlines, Inspection

CASE_FIELDS = {
    "agency_id": 4,
    "kind": "inspection",
    "origin": "ad_hoc",
    "origin_source": "hotline",
    "origin_ref": "",
    "plan_id": None,
    "title": "Thanh tra việc sử dụng đất",
    "scope": None,
    "period_from": date(2024, 1, 1),
    "period_to": None,
    "decision_no": "12/QĐ-TTr",
    "decision_date": date(2026, 3, 2),
    "duration_days": 45,
    "working_days": True,
    "lead_user_id": 9,
    "member_user_ids": [10, 11],
    "subject_ids": [3],
    "version": 2,
}
# The case as the services return it: the fields the form reads, the rest left empty.
CASE = Inspection(
    **CASE_FIELDS,
    id=1,
    code="TT-2026-1",
    announced_on=None,
    onsite_ended_on=None,
    report_on=None,
    conclusion_no=None,
    concluded_on=None,
    published_on=None,
    directive_on=None,
    closed_on=None,
    cancelled_on=None,
    cancel_reason="",
    status="draft",
    deadlines=Deadlines(None, None, None, None),
    overdue=False,
    overdue_steps=[],
    warnings=[],
    overlap_override_reason="",
    overlap_override_by=None,
)


def test_case_filters_read_the_query_and_name_mistyped_numbers() -> None:
    values, numbers, errors = case_filters(
        {"agency_id": "4", "include_sub": "off", "year": " 2026 ", "overdue": "maybe", "q": " x "}
    )

    assert values == {
        "agency_id": "4",
        "include_sub": "false",
        "year": "2026",
        "period": "",
        "origin": "",
        "kind": "",
        "status": "",
        "overdue": "",
        "subject_id": "",
        "q": "x",
        "table": "",
        "concluded_in": "",
    }
    assert numbers == {"agency_id": 4, "year": 2026, "subject_id": None, "table": None}
    assert errors == {}
    assert list_arguments(values, numbers) == {
        "agency_id": 4,
        "include_sub": False,
        "year": 2026,
        "period": None,
        "origin": None,
        "kind": None,
        "status": None,
        "overdue": None,
        "subject_id": None,
        "q": "x",
        "report_table": None,
        "concluded_in": None,
    }


def test_case_filters_refuse_a_year_that_is_not_a_number() -> None:
    _, numbers, errors = case_filters({"year": "năm nay", "subject_id": "abc"})

    assert numbers["year"] is None
    assert errors == {
        "year": "Enter a year between 1990 and 2100.",
        "subject_id": "Choose from the list.",
    }


def test_a_stored_case_as_its_form_shows_it() -> None:
    assert case_values(CASE) == {
        "agency_id": "4",
        "kind": "inspection",
        "origin": "ad_hoc",
        "origin_source": "hotline",
        "origin_ref": "",
        "plan_id": "",
        "title": "Thanh tra việc sử dụng đất",
        "scope": "",
        "period_from": "01/01/2024",
        "period_to": "",
        "decision_no": "12/QĐ-TTr",
        "decision_date": "02/03/2026",
        "duration_days": "45",
        "working_days": "true",
        "lead_user_id": "9",
        "member_user_ids": ["10", "11"],
        "subject_ids": ["3"],
        "version": "2",
    }


def test_a_new_case_from_a_plan_for_a_subject() -> None:
    values = new_case_values(
        agency_id=4,
        user_id=9,
        may_lead=True,
        default_duration_days=45,
        subject_id="3",
        plan_id="12",
    )

    assert values["origin"] == "scheduled"
    assert values["plan_id"] == "12"
    assert values["subject_ids"] == ["3"]
    assert values["lead_user_id"] == "9"
    blank = new_case_values(
        agency_id=4, user_id=9, may_lead=False, default_duration_days=45, subject_id="x", plan_id=""
    )
    assert (blank["origin"], blank["plan_id"], blank["subject_ids"], blank["lead_user_id"]) == (
        "",
        "",
        [],
        "",
    )


def test_overlap_gate_shows_the_warning_then_asks_a_head_for_a_reason() -> None:
    warning = [CaseWarning(code="inspected_this_year", message="")]

    assert overlap_gate({}, [], may_override=True) is None
    assert overlap_gate({}, warning, may_override=True) == {}
    assert overlap_gate({"overlap_confirmed": "1"}, warning, may_override=True) == {
        "override_reason": "Give the reason for going ahead despite the warning."
    }
    assert overlap_gate({"overlap_confirmed": "1"}, warning, may_override=False) is None
    confirmed = {"overlap_confirmed": "1", "override_reason": "Chỉ đạo của UBND tỉnh"}
    assert overlap_gate(confirmed, warning, may_override=True) is None


def test_service_data_drops_the_keys_that_steer_the_page() -> None:
    data = {"title": "T", "overlap_confirmed": "1", "subject_q": "hà", "override_reason": " "}

    assert service_data(data) == {"title": "T"}


def test_case_differences_name_people_and_subjects() -> None:
    stored = case_values(CASE)
    submitted = {
        "title": "Thanh tra việc sử dụng đất",
        "decision_date": "2/3/2026",
        "member_user_ids": ["10"],
        "working_days": "false",
        "agency_id": "99",
    }
    lookups = {"member_user_ids": {"10": "Nguyễn Văn An", "11": "Trần Thị Bình"}}

    assert case_differences(stored, submitted, lookups, "en") == [
        {"label": "Counted in working days", "current": "Yes", "mine": "No"},
        {
            "label": "Team members",
            "current": "Nguyễn Văn An, Trần Thị Bình",
            "mine": "Nguyễn Văn An",
        },
    ]
