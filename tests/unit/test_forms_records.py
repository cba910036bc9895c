"""Forms of findings, measures and attachments, plans, subjects and reports."""

from __future__ import annotations

from datetime import date

import pytest
from msgspec import UNSET

from inspect_app.domain.periods import parse_period
from inspect_app.errors import InvalidInput
from inspect_app.forms.plans import new_plan_values, plan_filters, plan_values
from inspect_app.forms.records import (
    attachment_target,
    finding_change,
    finding_entry,
    finding_values,
    measure_values,
    new_measure_values,
    status_change,
)
from inspect_app.forms.reports import (
    optional_int,
    period_options,
    report_request,
    request_errors,
    signer_form,
)
from inspect_app.forms.subjects import subject_filters, subject_values
from inspect_app.schemas.cases import Finding, FindingCreate, MeasureUpdate, Plan, Subject
from inspect_app.services.plans import create_request, update_request
from tests.factories import measure_as_shown


def test_a_stored_finding_as_its_form_shows_it() -> None:
    finding = Finding(
        id=7,
        inspection_id=2,
        subject_id=3,
        category="land",
        description="Sử dụng đất sai mục đích",
        legal_basis="Luật Đất đai 2024",
        amount_vnd=1_250_000,
        land_m2="1250.50",
        version=1,
    )

    assert finding_values(finding) == {
        "subject_id": "3",
        "category": "land",
        "description": "Sử dụng đất sai mục đích",
        "legal_basis": "Luật Đất đai 2024",
        "amount_vnd": "1.250.000",
        "land_m2": "1.250,50",
        "version": "1",
    }


def test_the_finding_form_is_read_into_what_the_service_takes() -> None:
    form = {
        "subject_id": "3",
        "category": "land",
        "description": "  Sử dụng đất sai mục đích ",
        "legal_basis": "",
        "amount_vnd": "1.234.567",
        "land_m2": "1.250,5",
    }
    assert finding_entry(form) == (
        FindingCreate(
            subject_id=3,
            category="land",
            description="Sử dụng đất sai mục đích",
            legal_basis="",
            amount_vnd=1_234_567,
            land_m2="1250.50",
        ),
        {},
    )
    # Empty amounts are none; an edit carries the version the form read.
    change, unread = finding_change({**form, "amount_vnd": "", "land_m2": "", "version": "4"})
    assert (change.version, change.amount_vnd, change.land_m2, unread) == (4, 0, "0.00", {})


def test_the_finding_form_names_every_field_it_cannot_read_at_once() -> None:
    form = {
        "subject_id": "ba",
        "description": " ",
        "amount_vnd": "12,5",
        "land_m2": "1.250,505",
        "legal_basis": "x\x00",
    }
    _, unread = finding_entry(form)
    assert set(unread) == {"subject_id", "description", "amount_vnd", "land_m2", "legal_basis"}
    # The edit form's problems are the same; without its version it is refused at once.
    assert set(finding_change({**form, "version": "2"})[1]) == set(unread)
    with pytest.raises(InvalidInput) as unversioned:
        finding_change({**form, "version": ""})
    assert set(unversioned.value.errors) == set(unread) | {"version"}
    # A subject is required of a new finding; an edit keeps the one it has if none is sent.
    assert set(finding_entry({"description": "Chi sai"})[1]) == {"subject_id"}
    change, unread = finding_change({"version": "1", "description": "Chi sai"})
    assert change.subject_id is UNSET and unread == {}


def test_a_stored_measure_as_its_form_shows_it() -> None:
    measure = measure_as_shown(
        type="discipline",
        description="Kiểm điểm",
        excess_reason="Cộng tiền lãi chậm nộp",
        collectives=1,
        persons=2,
        responsible="UBND huyện",
        responsible_agency_id=5,
        due_on=date(2026, 9, 30),
        unit="count",
        version=3,
    )

    assert measure_values(measure) == {
        "type": "discipline",
        "finding_id": "",
        "description": "Kiểm điểm",
        "amount_vnd": "",
        "excess_reason": "Cộng tiền lãi chậm nộp",
        "land_m2": "",
        "collectives": "1",
        "individuals": "",
        "cases": "",
        "persons": "2",
        "decision_no": "",
        "decision_date": "",
        "responsible": "UBND huyện",
        "responsible_agency_id": "5",
        "due_on": "30/09/2026",
        "version": "3",
    }


def test_measure_status_form_and_new_measure_and_attachment_target() -> None:
    assert new_measure_values("7") == {"type": "recover_money", "finding_id": "7"}
    assert new_measure_values("x") == {"type": "recover_money", "finding_id": ""}
    # The status form changes the status only, with the version it read.
    change, unread = status_change({"status": "written_off", "version": "2", "note": "x"})
    assert (change, unread) == (MeasureUpdate(version=2, status="written_off"), {})
    with pytest.raises(InvalidInput) as unversioned:
        status_change({"status": "written_off"})
    assert unversioned.value.errors == {"version": "This field is required."}
    assert attachment_target({"entity_type": "measure", "entity_id": "4", "file": None}) == {
        "entity_type": "measure",
        "entity_id": "4",
    }


def test_plan_filters_values_and_a_new_plan() -> None:
    assert plan_filters("3", " 2026 ") == (
        {"agency_id": "3", "year": "2026"},
        {"agency_id": 3, "year": 2026},
        {},
    )
    _, _, errors = plan_filters("ba", "")
    assert errors == {"agency_id": "Choose an agency from the list."}
    plan = Plan(
        id=9,
        agency_id=3,
        year=2026,
        title="Kế hoạch 2026",
        decision_no=None,
        decision_date=date(2025, 12, 15),
        status="approved",
        note="",
        version=2,
    )
    assert plan_values(plan) == {
        "agency_id": "3",
        "year": "2026",
        "title": "Kế hoạch 2026",
        "decision_no": "",
        "decision_date": "15/12/2025",
        "status": "approved",
        "note": "",
        "version": "2",
    }
    assert new_plan_values(3, 2026) == {"agency_id": "3", "year": "2027", "status": "draft"}


def test_subject_search_and_values() -> None:
    assert subject_filters("  hà nam ", None) == {"q": "hà nam", "kind": ""}
    subject = Subject(
        id=1,
        kind="enterprise",
        name="Công ty A",
        tax_code=None,
        address="",
        sector="",
        created_by_agency_id=None,
        version=1,
    )
    assert subject_values(subject) == {
        "kind": "enterprise",
        "name": "Công ty A",
        "tax_code": "",
        "address": "",
        "sector": "",
        "version": "1",
    }


def test_the_plan_form_is_read_with_what_it_cannot_read() -> None:
    entry, unread = create_request(
        {"agency_id": "3", "year": "2027", "decision_date": "15/11/2026", "status": "approved"}
    )
    assert (entry.agency_id, entry.year, entry.decision_date, entry.status) == (
        3,
        2027,
        date(2026, 11, 15),
        "approved",
    )
    assert unread == {}
    _, unread = create_request({"agency_id": "ba", "year": "năm sau", "decision_date": "31/02"})
    assert set(unread) == {"agency_id", "year", "decision_date"}
    # An edit never moves the plan to another agency.
    change, unread = update_request(4, {"agency_id": "7", "title": "Kế hoạch"})
    assert (change.version, change.title, unread) == (4, "Kế hoạch", {})
    assert not hasattr(change, "agency_id")


def test_report_request_form() -> None:
    assert optional_int("12") == 12
    assert optional_int("12a") is None
    assert optional_int("") is None
    # Ids past 2^31 name nothing (and would fail in PostgreSQL); other digits are no number.
    assert optional_int("2147483647") == 2_147_483_647
    assert optional_int("2147483648") is None and optional_int("²") is None
    assert report_request({"agency_id": "2", "period": " 2026-Q1 "}) == (
        2,
        "2026-Q1",
        "live",
        {"agency_id": "2", "period": "2026-Q1", "source": "live"},
    )
    chosen = report_request({"agency_id": "2", "period": "2026-Y", "source": "submitted"})
    assert chosen[2] == "submitted"
    assert request_errors({"period": "Unknown reporting period: write it like 2026-Q1."}) == {
        "period": "Choose a reporting period from the list."
    }
    assert request_errors({"agency_id": "Choose an agency."}) == {"agency_id": "Choose an agency."}


def test_period_options_show_each_period_with_its_dates() -> None:
    groups = period_options(date(2026, 3, 20), "vi", years=2)
    assert [year for year, _ in groups] == ["Năm báo cáo 2026", "Năm báo cáo 2025"]
    options = dict(groups[0][1])
    assert options["2026-Q1"] == "Quý I năm 2026 (15/12/2025 – 14/03/2026)"
    assert options["2026-Q2"] == "Quý II năm 2026 (15/03/2026 – 14/06/2026) – đang diễn ra"
    assert options["2026-6M"].startswith("6 tháng đầu năm 2026 (15/12/2025 – 14/06/2026)")
    assert "2026-Q3" not in options
    english = dict(period_options(date(2026, 3, 20), "en", years=1)[0][1])
    assert english["2026-Y"] == "Year 2026 (15/12/2025 – 14/12/2026) – under way"


def test_figure_choices_name_every_counter_and_offer_an_older_period_when_chosen() -> None:
    from inspect_app.forms.figures import counter_options, figure_period_options
    from inspect_app.services.counter_records import COUNTERS

    groups = counter_options(parse_period("2026-Q1"), "vi")
    offered = dict(option for _, options in groups for option in options)
    assert sorted(offered) == sorted(COUNTERS)
    assert (
        offered["inspections.recover_vnd"]
        == "Kiến nghị thu hồi về ngân sách nhà nước › Tiền (Tr.đ)"
    )
    today = date(2026, 3, 20)
    assert figure_period_options(today, "vi", "2026-Q1") == period_options(today, "vi")
    older = figure_period_options(today, "vi", "2019-6M")
    assert older[0] == (
        "Năm báo cáo 2019",
        [("2019-6M", "6 tháng đầu năm 2019 (15/12/2018 – 14/06/2019)")],
    )
    assert figure_period_options(today, "vi", "2019-Q7") == period_options(today, "vi")


def test_signer_form_collapses_spaces() -> None:
    assert signer_form({"signer_name": " Phạm  Văn Sơn ", "signing_form": "kt"}) == {
        "signer_name": "Phạm Văn Sơn",
        "signer_title": "",
        "signing_form": "kt",
    }
