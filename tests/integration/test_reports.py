"""Reports: request, generation, the frozen figures, sign-off and the API of API.md."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from functools import cache
from typing import Any

import msgspec
import pytest

from inspect_app.errors import Conflict, Forbidden, InvalidInput, NotFound
from inspect_app.job_queue import close_pools
from inspect_app.principal import Principal
from inspect_app.security import hash_password
from inspect_app.services import report_runner, reports
from models.tables import AppUser, Execution, Report
from tests.integration.report_dataset import build_world

PASSWORD = "Bao-cao-quy-1"


@cache
def _password_hash() -> str:
    return hash_password(PASSWORD)  # argon2 is slow on purpose: hash once for every user


async def _principal(world: dict[str, int], role: str, agency: str = "province") -> Principal:
    agency_id = world[agency]
    user = AppUser(
        username=f"{role}-{agency}",
        full_name=f"Cán bộ {role}",
        role=role,
        agency=agency_id,
        password_hash=_password_hash(),
    )
    await user.save()
    path = (
        f"/{world['province']}/" if agency == "province" else f"/{world['province']}/{agency_id}/"
    )
    return Principal(int(user.id), user.username, user.full_name, role, agency_id, path)


@pytest.fixture
async def world(db: str, redis_url: str) -> AsyncIterator[dict[str, Any]]:
    ids: dict[str, Any] = await build_world()
    ids["head"] = await _principal(ids, "head")
    ids["lead"] = await _principal(ids, "lead")
    ids["inspector"] = await _principal(ids, "inspector")
    ids["finance_head"] = await _principal(ids, "head", "finance")
    yield ids
    await close_pools()


async def _generated(world: dict[str, Any], period: str = "2026-Q1") -> dict[str, Any]:
    report = await reports.request_report(world["head"], world["province"], period)
    await report_runner.generate_report(report.id)
    return await reports.get_report(world["head"], report.id)


async def test_request_queues_a_new_revision_each_time(world: dict[str, Any]) -> None:
    first = await reports.request_report(world["lead"], world["province"], "2026-q1")
    assert (first.status, first.progress, first.revision) == ("queued", 0, 1)
    assert first.period == "2026-Q1"
    second = await reports.request_report(world["head"], world["province"], "2026-Q1")
    assert second.revision == 2
    other = await reports.request_report(world["head"], world["construction"], "2026-Q1")
    assert other.revision == 1


async def test_bad_requests_change_nothing(world: dict[str, Any]) -> None:
    with pytest.raises(InvalidInput) as bad:
        await reports.request_report(world["head"], world["province"], "2026-Q5")
    assert list(bad.value.errors) == ["period"]
    with pytest.raises(Forbidden):
        await reports.request_report(world["inspector"], world["province"], "2026-Q1")
    with pytest.raises(NotFound):  # the province is above the finance department's head
        await reports.request_report(world["finance_head"], world["province"], "2026-Q1")
    assert await Report.count() == 0


async def test_generation_freezes_rows_total_comparison_and_trend(world: dict[str, Any]) -> None:
    seen: list[int] = []
    report = await reports.request_report(world["head"], world["province"], "2026-Q1")
    await report_runner.generate_report(report.id, progress_cb=seen.append)
    report = await reports.get_report(world["head"], report.id)

    assert (report.status, report.progress, report.error) == ("done", 100, "")
    assert seen == [5, 50, 70, 80, 100]
    totals = msgspec.to_builtins(report.totals)
    assert (totals["period_from"], totals["period_to"]) == ("2025-12-15", "2026-03-14")
    assert totals["layout"] == "TT01-2024"
    # One row for the province's own records, then each child's subtree, by name.
    assert [(r["name"], r["own"], r["inspections"]["total"]) for r in totals["rows"]] == [
        ("Thanh tra tỉnh", True, 1),
        ("Sở Tài chính", False, 0),
        ("Sở Xây dựng", False, 3),
    ]
    assert totals["inspections"]["total"] == 4
    assert totals["checks"]["sanctions"] == 1
    assert totals["implementation"]["recovered_total_vnd"] == 700_000_000
    assert totals["previous"]["period"] == "2025-Q1"
    assert totals["previous"]["inspections"]["total"] == 1
    assert totals["previous"]["implementation"]["recovered_vnd"] == 100_000_000
    assert [(p["period"], p["recommended_vnd"], p["recovered_vnd"]) for p in totals["trend"]] == [
        ("2024-Q2", 0, 0),
        ("2024-Q3", 0, 0),
        ("2024-Q4", 0, 0),
        ("2025-Q1", 100_000_000, 100_000_000),
        ("2025-Q2", 0, 0),
        ("2025-Q3", 0, 0),
        ("2025-Q4", 500_000_000, 100_000_000),
        ("2026-Q1", 1_000_000_000, 600_000_000),
    ]
    assert report.narrative.startswith(
        "Thực hiện Thông tư số 01/2024/TT-TTCP của Thanh tra Chính phủ, Thanh tra tỉnh báo cáo "
        "kết quả công tác thanh tra quý I năm 2026 (từ ngày 15/12/2025 đến ngày 14/03/2026) "
        "như sau:"
    )
    assert (
        "Trong kỳ đã triển khai 4 cuộc thanh tra (1 cuộc kỳ trước chuyển sang, 3 cuộc triển "
        "khai trong kỳ), trong đó 2 cuộc theo kế hoạch, 2 cuộc đột xuất;" in report.narrative
    )
    assert "kiến nghị thu hồi về ngân sách nhà nước 1.000,000 triệu đồng và 50,50 m² đất" in (
        report.narrative
    )
    assert "lũy kế 700,000 triệu đồng (đạt 46,7%)" in report.narrative
    assert report.files == {
        "html": f"/api/reports/{report.id}/file.html",
        "xlsx": f"/api/reports/{report.id}/file.xlsx",
        "pdf": f"/api/reports/{report.id}/file.pdf",
        "json": f"/api/reports/{report.id}/file.json",
        "inspections.csv": f"/api/reports/{report.id}/tables/inspections.csv",
        "checks.csv": f"/api/reports/{report.id}/tables/checks.csv",
        "implementation.csv": f"/api/reports/{report.id}/tables/implementation.csv",
    }
    assert set(report.sha256) == set(report.files)


async def test_sign_off_freezes_figures_and_files(world: dict[str, Any]) -> None:
    report = await _generated(world)
    with pytest.raises(Forbidden):
        await reports.sign_off(world["lead"], report.id)
    signed = await reports.sign_off(world["head"], report.id, report.version)
    assert signed.signed is True
    assert signed.signed_off_by_id == world["head"].id
    pdf = report_runner.report_folder(report.id) / "report.pdf"
    pdf_bytes = pdf.read_bytes()

    # Later data: 150 million more recovered on I1's measure within Q1.
    await Execution(
        measure=world["m1"], executed_on=date(2026, 3, 5), amount_vnd=150_000_000
    ).save()
    await report_runner.generate_report(report.id)  # a late retry of the job changes nothing
    again = await reports.get_report(world["head"], report.id)
    assert again.totals == signed.totals
    assert again.totals.implementation["recovered_vnd"] == 600_000_000
    assert pdf.read_bytes() == pdf_bytes
    with pytest.raises(Conflict) as twice:
        await reports.sign_off(world["head"], report.id)
    assert twice.value.code == "signed_off"
    with pytest.raises(Conflict):
        await reports.update_narrative(world["head"], report.id, "Sửa", again.version)

    newer = await _generated(world)
    assert newer.revision == 2
    assert newer.totals.implementation["recovered_vnd"] == 750_000_000


async def test_narrative_edit_before_sign_off_rerenders(world: dict[str, Any]) -> None:
    report = await _generated(world)
    with pytest.raises(InvalidInput) as empty:
        await reports.update_narrative(world["head"], report.id, "  ", report.version)
    assert list(empty.value.errors) == ["narrative"]
    with pytest.raises(Conflict) as stale:
        await reports.update_narrative(world["head"], report.id, "Mới", report.version - 1)
    assert stale.value.code == "stale_version"
    edited = await reports.update_narrative(
        world["lead"], report.id, "Đánh giá: hoàn thành kế hoạch quý.", report.version
    )
    assert edited.narrative == "Đánh giá: hoàn thành kế hoạch quý."
    html = (report_runner.report_folder(report.id) / "report.html").read_text()
    assert "Đánh giá: hoàn thành kế hoạch quý." in html
    assert edited.totals == report.totals


async def test_archive_is_scoped_and_paged(world: dict[str, Any]) -> None:
    for _ in range(3):
        await reports.request_report(world["head"], world["province"], "2026-Q1")
    await reports.request_report(world["finance_head"], world["finance"], "2026-Q1")
    page, cursor = await reports.list_reports(world["head"], limit=2)
    assert [r.revision for r in page] == [1, 3]  # newest first: finance's, then province's
    rest, end = await reports.list_reports(world["head"], cursor=cursor, limit=2)
    assert [r.revision for r in rest] == [2, 1] and end is None
    finance_only, _ = await reports.list_reports(world["finance_head"])
    assert [r.agency_id for r in finance_only] == [world["finance"]]
    with pytest.raises(NotFound):
        await reports.get_report(world["finance_head"], page[1].id)


# --------------------------------------------------------------------------- API


async def _login(client: Any, username: str) -> None:
    response = await client.post(
        "/api/auth/login", json={"username": username, "password": PASSWORD}
    )
    assert response.status_code == 200, response.text
    await client.get("/reports")  # a page sets the CSRF cookie that unsafe calls echo
    client.headers["x-csrftoken"] = client.cookies.get("csrftoken", "")


async def test_api_request_progress_files_and_sign_off(world: dict[str, Any], client: Any) -> None:
    await _login(client, "head-province")
    bad = await client.post("/api/reports", json={"agency_id": world["province"], "period": "Q1"})
    assert bad.status_code == 422
    assert [e["field"] for e in bad.json()["errors"]] == ["period"]

    queued = await client.post(
        "/api/reports", json={"agency_id": world["province"], "period": "2026-Q1"}
    )
    assert queued.status_code == 202, queued.text
    body = queued.json()
    assert body["status"] == "queued"
    report_id = body["id"]
    waiting = (await client.get(f"/api/reports/{report_id}")).json()
    assert (waiting["status"], waiting["progress"], waiting["totals"]) == ("queued", 0, None)
    assert waiting["files"] == {"html": None, "xlsx": None, "pdf": None, "json": None, "csv": {}}
    assert (await client.get(f"/api/reports/{report_id}/file.pdf")).status_code == 404

    await report_runner.generate_report(report_id)
    done = (await client.get(f"/api/reports/{report_id}")).json()
    assert (done["status"], done["progress"], done["signed_off_at"]) == ("done", 100, None)
    assert done["totals"]["inspections"]["total"] == 4
    pdf = await client.get(done["files"]["pdf"])
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert pdf.headers["content-type"] == "application/pdf"
    xlsx = await client.get(done["files"]["xlsx"])
    assert xlsx.content.startswith(b"PK")

    signed = await client.post(f"/api/reports/{report_id}/sign-off", json={})
    assert signed.status_code == 200, signed.text
    assert signed.json()["signed_off_at"] is not None
    again = await client.post(f"/api/reports/{report_id}/sign-off", json={})
    assert again.status_code == 409 and again.json()["code"] == "signed_off"


async def test_api_totals_live_then_stored(world: dict[str, Any], client: Any) -> None:
    await _login(client, "head-province")
    response = await client.get(
        "/api/totals", params={"agency_id": world["construction"], "period": "2026-Q1"}
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["period_from"], body["period_to"], body["source"]) == (
        "2025-12-15",
        "2026-03-14",
        "live",
    )
    assert body["inspections"]["total"] == 3
    assert body["inspections"]["violation_m2"] == "100.25"
    own = await client.get(
        "/api/totals",
        params={"agency_id": world["construction"], "period": "2026-Q1", "include_sub": "false"},
    )
    assert own.json()["inspections"]["total"] == 2
    bad = await client.get("/api/totals", params={"period": "2026-Q9"})
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "period"


async def test_api_totals_out_of_scope_is_404(world: dict[str, Any], client: Any) -> None:
    await _login(client, "head-finance")
    response = await client.get(
        "/api/totals", params={"agency_id": world["construction"], "period": "2026-Q1"}
    )
    assert response.status_code == 404


async def test_a_signed_report_whose_files_were_not_written_is_finished_by_the_job(
    world: dict[str, Any],
) -> None:
    report = await _generated(world)
    signed = await reports.sign_off(world["head"], report.id, report.version)
    assert (
        signed.files["pdf"] is not None
        and signed.document is not None
        and signed.document.number == 1
    )
    folder = report_runner.report_folder(report.id)
    # As if writing the signed files had failed after the sign-off committed.
    await Report.update({Report.file_sha256: {}}).where(Report.id == report.id)
    (folder / "report.pdf").unlink()
    pending = await reports.get_report(world["head"], report.id)
    assert pending.files_pending and pending.files["pdf"] is None
    with pytest.raises(NotFound):
        await reports.report_file(world["head"], report.id, "pdf")

    await report_runner.generate_report(report.id)  # the job's next run
    done = await reports.get_report(world["head"], report.id)
    assert not done.files_pending and done.sha256 == signed.sha256
    assert report_runner.file_sha256(folder / "report.pdf") == signed.sha256["pdf"]
    assert done.totals == signed.totals and done.document == signed.document


async def test_report_pages_choose_the_period_from_the_list_and_name_signer_errors(
    world: dict[str, Any], client: Any
) -> None:
    await _login(client, "head-province")
    page = await client.get("/reports")
    assert '<select id="f-period" name="period" required' in page.text
    assert "Quý I năm 2026 (15/12/2025 – 14/03/2026)" in page.text
    token = client.cookies.get("csrftoken", "")
    refused = await client.post(
        "/reports",
        data={"agency_id": str(world["province"]), "period": "2026-Q9", "_csrf_token": token},
    )
    assert refused.status_code == 422
    assert 'id="e-period">Chọn kỳ báo cáo trong danh sách.</p>' in refused.text
    assert await Report.count() == 0

    report = await _generated(world)
    refused = await client.post(
        f"/reports/{report.id}/sign-off",
        data={
            "version": str(report.version),
            "signing_form": "kt",
            "signer_title": "",
            "signer_name": "Phạm Văn Sơn",
            "_csrf_token": token,
        },
    )
    assert refused.status_code == 422
    assert 'id="e-signer_title">Ký KT. hoặc TL. cần ghi chức vụ của người ký.</p>' in refused.text
    assert 'value="Phạm Văn Sơn"' in refused.text
    assert not (await reports.get_report(world["head"], report.id)).signed

    signed = await client.post(
        f"/reports/{report.id}/sign-off",
        data={
            "version": str(report.version),
            "signing_form": "kt",
            "signer_title": "Phó Chánh Thanh tra",
            "signer_name": "Phạm Văn Sơn",
            "_csrf_token": token,
        },
    )
    assert signed.status_code in (200, 302, 303), signed.text[:300]  # redirected to the report
    stored = await reports.get_report(world["head"], report.id)
    assert stored.document is not None
    assert stored.document.signer_lines == ["KT. GIÁM ĐỐC", "PHÓ CHÁNH THANH TRA"]
    assert stored.document.signer_name == "Phạm Văn Sơn"


async def test_a_report_signed_before_document_frames_keeps_its_files(
    world: dict[str, Any],
) -> None:
    report = await _generated(world)
    folder = report_runner.report_folder(report.id)
    pdf_before = (folder / "report.pdf").read_bytes()
    # Signed by an earlier version: no frame, no file hashes.
    await Report.update(
        {
            Report.signed_off_by: world["head"].id,
            Report.signed_off_at: datetime.now(UTC),
            Report.file_sha256: {},
        }
    ).where(Report.id == report.id)
    legacy = await reports.get_report(world["head"], report.id)
    assert legacy.signed and not legacy.files_pending
    assert legacy.files["pdf"] == f"/api/reports/{report.id}/file.pdf"
    await report_runner.generate_report(report.id)
    assert (folder / "report.pdf").read_bytes() == pdf_before
    path, _, _ = await reports.report_file(world["head"], report.id, "pdf")
    assert path.read_bytes() == pdf_before


async def test_a_narrative_edit_of_figures_frozen_without_codes_writes_them_in_the_json(
    world: dict[str, Any],
) -> None:
    report = await _generated(world)
    older = msgspec.to_builtins(report.totals)
    older.pop("agency_code")
    older["rows"] = [{k: v for k, v in row.items() if k != "agency_code"} for row in older["rows"]]
    await Report.update({Report.totals: older}).where(Report.id == report.id)
    await reports.update_narrative(world["head"], report.id, "Thuyết minh mới.", report.version)
    copy = json.loads((report_runner.report_folder(report.id) / "report.json").read_text())
    assert copy["agency"]["code"] == "TTT"
    assert [row["agency_code"] for row in copy["rows"]] == ["TTT", "STC", "SXD"]
