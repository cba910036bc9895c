"""Two provinces merge into a third on 1/7/2025, as Hà Nam and Nam Định became Ninh Bình.

The predecessors move below the successor, whose reports therefore hold them for every
period: its Q1 2026 report shows last year's Q1 as the sum of theirs. A predecessor's open
case moves to the successor with its recommendation, which appears on the successor's
board with the predecessor's name; its closed case stays with it, and its own report of a
period after the merger says that it was succeeded.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import msgspec
import pytest

from inspect_app.domain.periods import parse_period
from inspect_app.errors import Conflict, Forbidden, InvalidInput
from inspect_app.principal import Principal
from inspect_app.services import agency_mergers, follow_ups, report_runner
from inspect_app.services.changes import DIRTY_PREFIX
from inspect_app.services.report_figures import counters_of
from inspect_app.services.report_render import succeeded_note, table_views
from inspect_app.services.totals import add_counters, empty_counters
from models.tables import Agency, AppUser, Attachment, Inspection, JobState
from tests.integration.report_dataset import add_agency, add_case, add_execution, add_measure

# On both engines: the merger's statements (the tree, the cases, their files) are plain SQL.
pytestmark = [pytest.mark.usefixtures("db"), pytest.mark.storage]

D = date
MERGED_ON = D(2025, 7, 1)


def _principal(agency: dict[str, Any], role: str = "admin") -> Principal:
    return Principal(1, f"{role}-{agency['id']}", "Quản trị", role, agency["id"], agency["path"])


async def _agency(agency_id: int) -> dict[str, Any]:
    row = await Agency.select().where(Agency.id == agency_id).first()
    assert row is not None
    return row


@pytest.fixture
async def country(redis_url: str) -> dict[str, Any]:
    from inspect_app.services.catalogues import ensure_catalogues

    await ensure_catalogues()
    root = await add_agency("TTCP", "Thanh tra Chính phủ", None, "/")
    ha_nam = await add_agency("HNA", "Thanh tra tỉnh Hà Nam", root, f"/{root}/")
    nam_dinh = await add_agency("NDI", "Thanh tra tỉnh Nam Định", root, f"/{root}/")
    ninh_binh = await add_agency("NBI", "Thanh tra tỉnh Ninh Bình", root, f"/{root}/")
    ha_nam_unit = await add_agency("HNA-XD", "Sở Xây dựng Hà Nam", ha_nam, f"/{root}/{ha_nam}/")
    # Hà Nam: a case concluded in Q1 2025 and closed; another concluded in Q1 2025 whose
    # recommendation is still open; its department's case, open.
    closed = await add_case(
        "HNA-01",
        ha_nam,
        announced_on=D(2025, 1, 6),
        onsite_ended_on=D(2025, 2, 1),
        concluded_on=D(2025, 3, 1),
        closed_on=D(2025, 5, 1),
        status="closed",
    )
    done = await add_measure(
        closed, "recover_money", amount_vnd=50_000_000, status="done", completed_on=D(2025, 4, 1)
    )
    await add_execution(done, D(2025, 4, 1), amount_vnd=50_000_000)
    open_case = await add_case(
        "HNA-02",
        ha_nam,
        announced_on=D(2025, 1, 10),
        onsite_ended_on=D(2025, 2, 10),
        concluded_on=D(2025, 3, 10),
        status="concluded",
    )
    owed = await add_measure(
        open_case, "recover_money", amount_vnd=300_000_000, due_on=D(2026, 2, 28)
    )
    await add_execution(owed, D(2025, 3, 12), amount_vnd=20_000_000)
    await add_case("HNA-XD-01", ha_nam_unit, announced_on=D(2025, 2, 1), status="onsite")
    # Nam Định: a case started in Q1 2025, concluded in Q3.
    nd_case = await add_case(
        "NDI-01",
        nam_dinh,
        announced_on=D(2025, 3, 1),
        onsite_ended_on=D(2025, 5, 1),
        concluded_on=D(2025, 8, 1),
        status="concluded",
    )
    await add_measure(nd_case, "recover_money", amount_vnd=70_000_000, due_on=D(2026, 6, 30))
    return {
        "root": await _agency(root),
        "ha_nam": await _agency(ha_nam),
        "nam_dinh": await _agency(nam_dinh),
        "ninh_binh": await _agency(ninh_binh),
        "ha_nam_unit": ha_nam_unit,
        "closed": closed,
        "open": open_case,
        "owed": owed,
    }


async def test_the_successor_reports_last_year_as_the_sum_of_its_predecessors(
    country: dict[str, Any],
) -> None:
    q1_2025 = parse_period("2025-Q1")
    before = {
        name: await report_runner.compute_figures(country[name]["id"], q1_2025)
        for name in ("ha_nam", "nam_dinh")
    }
    expected = empty_counters()
    for figures in before.values():
        expected = add_counters(expected, counters_of(figures))
    assert expected["inspections"]["total"] == 4  # a sum worth comparing

    admin = _principal(country["root"])
    uploader = AppUser(
        username="tai-len", full_name="Tải lên", role="inspector", agency=country["ha_nam"]["id"]
    )
    await uploader.save()
    files = {}
    for case in ("open", "closed"):
        files[case] = await Attachment.insert(
            Attachment(
                entity_type="inspection",
                entity_id=country[case],
                filename=f"quyet-dinh-{case}.pdf",
                content_type="application/pdf",
                size=10,
                sha256="0" * 64,
                storage_name=f"x-{case}",
                uploaded_by=uploader.id,
                agency=country["ha_nam"]["id"],
            )
        ).returning(Attachment.id)
    for name in ("ha_nam", "nam_dinh"):
        merged = await agency_mergers.merge(
            admin, country[name]["id"], country["ninh_binh"]["id"], MERGED_ON
        )
        assert (merged.succeeded_by_id, merged.active) == (country["ninh_binh"]["id"], False)

    report = await report_runner.compute_figures(
        country["ninh_binh"]["id"], parse_period("2026-Q1")
    )
    assert counters_of(report.previous) == expected
    labels = [row.label for row in table_views(report)[0].unit_rows]
    assert "Thanh tra tỉnh Hà Nam (hợp nhất từ 01/07/2025)" in labels
    assert "Thanh tra tỉnh Nam Định (hợp nhất từ 01/07/2025)" in labels
    # The Q1 2025 report of the successor is the same consolidation.
    then = await report_runner.compute_figures(country["ninh_binh"]["id"], q1_2025)
    assert counters_of(then) == expected

    # The open cases moved, with the predecessor's name; the closed one stayed.
    rows = await Inspection.select(Inspection.code, Inspection.agency, Inspection.moved_from)
    where = {row["code"]: (row["agency"], row["moved_from"]) for row in rows}
    assert where["HNA-02"] == (country["ninh_binh"]["id"], country["ha_nam"]["id"])
    assert where["NDI-01"] == (country["ninh_binh"]["id"], country["nam_dinh"]["id"])
    assert where["HNA-01"] == (country["ha_nam"]["id"], None)
    # The moved case's file went with it (scoped by its agency); the closed one's stayed.
    agency_of = {
        row["id"]: row["agency"]
        for row in await Attachment.select(Attachment.id, Attachment.agency)
    }
    assert agency_of[files["open"][0]["id"]] == country["ninh_binh"]["id"]
    assert agency_of[files["closed"][0]["id"]] == country["ha_nam"]["id"]
    # Hà Nam, inactive, is now below Ninh Bình with its department: its history is in
    # the scope of Ninh Bình's people and in its reports.
    ha_nam = await _agency(country["ha_nam"]["id"])
    assert ha_nam["parent"] == country["ninh_binh"]["id"] and not ha_nam["active"]
    assert ha_nam["path"] == f"{country['ninh_binh']['path']}{ha_nam['id']}/"
    unit = await _agency(country["ha_nam_unit"])
    assert unit["parent"] == ha_nam["id"] and unit["path"] == f"{ha_nam['path']}{unit['id']}/"

    # The recommendation still owed is on the successor's board, with Hà Nam's name.
    head = _principal(country["ninh_binh"], "head")
    page = await follow_ups.board_page(
        head, follow_ups.check_filter(None, True, None, None), D(2026, 3, 1), None, 50
    )
    owed = [row for row in page.items if row.entity_id == country["owed"]]
    assert len(owed) == 1 and owed[0].former_agency_name == "Thanh tra tỉnh Hà Nam"

    # Hà Nam's own report: its Q1 2025 says nothing of the merger, its 2025 year report does.
    own_q1 = await report_runner.compute_figures(country["ha_nam"]["id"], q1_2025)
    assert own_q1.succeeded_by is None
    own_year = await report_runner.compute_figures(country["ha_nam"]["id"], parse_period("2025-Y"))
    assert own_year.succeeded_by is not None
    assert own_year.succeeded_by.name == "Thanh tra tỉnh Ninh Bình"
    assert "01/07/2025" in succeeded_note(own_year) and "Ninh Bình" in succeeded_note(own_year)
    # The totals of every stored period are computed again.
    assert await JobState.exists().where(JobState.name.like(DIRTY_PREFIX + "%"))


async def test_a_merger_that_cannot_be_is_refused_and_changes_nothing(
    country: dict[str, Any],
) -> None:
    admin = _principal(country["root"])
    ha_nam, ninh_binh = country["ha_nam"]["id"], country["ninh_binh"]["id"]
    cases = [
        (ha_nam, ha_nam, MERGED_ON, "successor_id"),
        (ha_nam, country["ha_nam_unit"], MERGED_ON, "successor_id"),
        (ha_nam, None, MERGED_ON, "successor_id"),
        (ha_nam, ninh_binh, None, "succeeded_on"),
        (ha_nam, ninh_binh, D(1999, 7, 1), "succeeded_on"),
        (ha_nam, 2**31, MERGED_ON, "successor_id"),
    ]
    for predecessor, successor, on, field in cases:
        with pytest.raises(InvalidInput) as refused:
            await agency_mergers.merge(admin, predecessor, successor, on)
        assert set(refused.value.errors) == {field}, (successor, on)
    with pytest.raises(Forbidden):
        await agency_mergers.merge(
            _principal(country["root"], "head"), ha_nam, ninh_binh, MERGED_ON
        )
    with pytest.raises(Conflict):
        await agency_mergers.merge(admin, ha_nam, ninh_binh, MERGED_ON, version=99)
    assert (await _agency(ha_nam))["succeeded_by"] is None
    assert await Inspection.count().where(Inspection.moved_from.is_not_null()) == 0
    await agency_mergers.merge(admin, ha_nam, ninh_binh, MERGED_ON)
    with pytest.raises(Conflict):
        await agency_mergers.merge(admin, ha_nam, ninh_binh, MERGED_ON)
    # A successor that has itself merged is refused.
    with pytest.raises(InvalidInput):
        await agency_mergers.merge(admin, country["nam_dinh"]["id"], ha_nam, MERGED_ON)
    # A merged agency stays below its successor, inactive.
    from inspect_app.schemas.admin import AgencyUpdate
    from inspect_app.services import agencies

    merged = await agencies.get_visible(admin, ha_nam)
    for change in (
        AgencyUpdate(version=merged.version, active=True),
        AgencyUpdate(version=merged.version, parent_id=country["root"]["id"]),
    ):
        with pytest.raises(Conflict):
            await agencies.update(admin, ha_nam, change)
    # Into the agency above it (a district into its province) is a merger too.
    nam_dinh = await agency_mergers.merge(
        admin, country["nam_dinh"]["id"], country["root"]["id"], MERGED_ON
    )
    assert nam_dinh.parent_id == country["root"]["id"] and not nam_dinh.active


async def test_the_admin_page_merges_and_keeps_a_mistake_beside_its_field(
    country: dict[str, Any], client: Any
) -> None:
    from inspect_app.security import hash_password
    from models.tables import AppUser

    await AppUser(
        username="quan-tri",
        full_name="Quản trị",
        role="admin",
        agency=country["root"]["id"],
        password_hash=hash_password("Mat-khau-quan-tri-1"),
    ).save()
    await client.get("/login")
    token = client.cookies.get("csrftoken") or ""
    await client.post(
        "/login",
        data={"username": "quan-tri", "password": "Mat-khau-quan-tri-1", "_csrf_token": token},
    )
    csrf = client.cookies.get("csrftoken") or token
    ha_nam, ninh_binh = country["ha_nam"]["id"], country["ninh_binh"]["id"]
    form = (await client.get(f"/admin/agencies/{ha_nam}")).text
    assert 'data-testid="agency-merge"' in form
    bad = await client.post(
        f"/admin/agencies/{ha_nam}/merge",
        data={"_csrf_token": csrf, "successor_id": str(ninh_binh), "succeeded_on": "31/02/2025"},
    )
    assert bad.status_code == 422
    assert 'id="e-succeeded_on"' in bad.text and 'value="31/02/2025"' in bad.text
    assert (await _agency(ha_nam))["succeeded_by"] is None
    done = await client.post(
        f"/admin/agencies/{ha_nam}/merge",
        data={"_csrf_token": csrf, "successor_id": str(ninh_binh), "succeeded_on": "01/07/2025"},
        follow_redirects=True,
    )
    assert done.status_code == 200 and 'data-testid="agency-merged"' in done.text
    assert "01/07/2025" in done.text
    assert (await _agency(ha_nam))["succeeded_by"] == ninh_binh
    # The case that moved says where it came from.
    case = (await client.get(f"/inspections/{country['open']}")).text
    assert "trước đây thuộc Thanh tra tỉnh Hà Nam" in case


async def test_the_demo_province_compares_with_last_year_across_its_merger(redis_url: str) -> None:
    from inspect_app.seed.demo import load_demo

    await load_demo(today=D(2026, 3, 20))
    top = await Agency.select().where(Agency.code == "TTT").first()
    assert top is not None and top["name"] == "Thanh tra tỉnh Ninh Bình"
    report = msgspec.to_builtins(
        await report_runner.compute_figures(top["id"], parse_period("2026-Q1"))
    )
    merged = {row["name"]: row for row in report["rows"] if row.get("merged_on")}
    assert set(merged) == {"Thanh tra tỉnh Hà Nam", "Thanh tra tỉnh Nam Định"}
    # Last year's Q1 holds their cases; this year's none of their own (they moved or closed).
    assert sum(row["previous"]["inspections"]["total"] for row in merged.values()) > 0
    assert all(row["inspections"]["started"] == 0 for row in merged.values())
    head = _principal(top, "head")
    page = await follow_ups.board_page(
        head, follow_ups.check_filter(None, True, None, None), D(2026, 3, 20), None, 200
    )
    former = {row.former_agency_name for row in page.items} - {""}
    assert former and former <= set(merged)
