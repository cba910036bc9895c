"""The report files read back: the PDF (pdftotext with word positions), the XLSX (openpyxl,
with its formulas evaluated), the HTML, the JSON copy against its published schema, and the
frozen files of a signed revision."""

from __future__ import annotations

import asyncio
import csv
import hashlib
import io
import json
import subprocess
from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import jsonschema
import msgspec
import pytest
from openpyxl import load_workbook

from inspect_app import clock
from inspect_app.domain.documents import date_line
from inspect_app.domain.periods import parse_period
from inspect_app.domain.report_layout import column_value, get_layout
from inspect_app.job_queue import close_pools
from inspect_app.principal import Principal
from inspect_app.security import hash_password
from inspect_app.services import report_runner, reports
from inspect_app.services.report_exports import ReportMeta
from inspect_app.services.report_render import unit_label
from models.tables import Agency, AppUser
from tests.integration.report_dataset import build_world
from tests.integration.report_files_support import (
    MM,
    Page,
    libreoffice,
    lines_of,
    pdf_pages,
    sheet_evaluator,
)

PASSWORD = "Chanh-thanh-tra-1"
SETTINGS = {
    Agency.doc_symbol: "TTr",
    Agency.parent_body: "UBND tỉnh Quảng Ninh",
    Agency.place_name: "Hạ Long",
    Agency.head_title: "Chánh Thanh tra",
    Agency.signer_name: "Phạm Văn Sơn",
    Agency.signer_title: "Phó Chánh Thanh tra",
    Agency.signing_form: "kt",
    Agency.recipients: "Thanh tra Chính phủ\nỦy ban nhân dân tỉnh Quảng Ninh",
    Agency.distribution: "Như trên\nLãnh đạo Thanh tra tỉnh\nLưu: VT, NV1",
}


async def _head(agency_id: int, username: str, full_name: str) -> Principal:
    user = AppUser(
        username=username,
        full_name=full_name,
        role="head",
        agency=agency_id,
        password_hash=hash_password(PASSWORD),
    )
    await user.save()
    return Principal(int(user.id), username, full_name, "head", agency_id, f"/{agency_id}/")


@pytest.fixture
async def world(db: str, redis_url: str) -> AsyncIterator[dict[str, Any]]:
    """The hand-built province with its document settings, and its head."""
    ids: dict[str, Any] = await build_world()
    await Agency.update(SETTINGS).where(Agency.id == ids["province"])
    ids["head"] = await _head(ids["province"], "chanh-thanh-tra", "Trần Thị Bình")
    yield ids
    await close_pools()


@pytest.fixture
async def q1_report(world: dict[str, Any]) -> reports.Report:
    """The province's Q1 2026 report, generated, not signed."""
    report = await reports.request_report(world["head"], world["province"], "2026-Q1")
    await report_runner.generate_report(report.id)
    done = await reports.get_report(world["head"], report.id)
    assert done.status == "done", done.error
    return done


def _folder(report: reports.Report) -> Path:
    return report_runner.report_folder(report.id)


async def _output(command: list[str]) -> str:
    result = await asyncio.to_thread(
        subprocess.run, command, check=True, capture_output=True, text=True
    )
    return str(result.stdout)


async def _pages(report: reports.Report) -> list[Page]:
    return await asyncio.to_thread(pdf_pages, _folder(report) / "report.pdf")


# --------------------------------------------------------------------------- PDF


async def test_pdf_carries_the_document_frame_and_names_the_signer_after_sign_off(
    world: dict[str, Any], q1_report: reports.Report
) -> None:
    pages = await _pages(q1_report)
    first = pages[0].text
    for phrase in (
        "UBND TỈNH QUẢNG NINH",
        "THANH TRA TỈNH",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "Hạ Long, ngày tháng năm 2026",  # a draft leaves the day and month to be written
        "BÁO CÁO Kết quả công tác thanh tra quý I năm 2026",
        "Kính gửi: - Thanh tra Chính phủ; - Ủy ban nhân dân tỉnh Quảng Ninh.",
        "DỰ THẢO",
    ):
        assert phrase in first, phrase
    assert "Số: /BC-TTr" in first
    document = " ".join(page.text for page in pages)
    assert "Nơi nhận: - Như trên; - Lãnh đạo Thanh tra tỉnh; - Lưu: VT, NV1." in document
    assert "KT. CHÁNH THANH TRA PHÓ CHÁNH THANH TRA" in document
    assert "Phạm Văn Sơn" not in document  # nobody has signed yet
    assert "NGƯỜI LẬP BIỂU" in document and "Trần Thị Bình" in document  # the preparer

    signed = await reports.sign_off(world["head"], q1_report.id, q1_report.version)
    assert signed.document is not None and signed.document.number == 1
    pages = await _pages(signed)
    document = " ".join(page.text for page in pages)
    assert "Số: 01/BC-TTr" in pages[0].text
    assert date_line("Hạ Long", clock.today()) in pages[0].text
    assert "DỰ THẢO" not in document
    assert "KT. CHÁNH THANH TRA PHÓ CHÁNH THANH TRA Phạm Văn Sơn" in document
    # The annexes name the report they belong to, and each table its signer.
    assert document.count("(Kèm theo Báo cáo số 01/BC-TTr)") == 3
    assert document.count("Phạm Văn Sơn") == 4


async def test_pdf_is_a4_with_the_decree_margins_and_the_serif_embedded(
    q1_report: reports.Report,
) -> None:
    pages = await _pages(q1_report)
    portrait, landscape = (595.28, 841.89), (841.89, 595.28)
    assert (round(pages[0].width, 2), round(pages[0].height, 2)) == portrait
    assert all((round(p.width, 2), round(p.height, 2)) in (portrait, landscape) for p in pages)
    assert any((round(p.width, 2), round(p.height, 2)) == landscape for p in pages)
    for number, page in enumerate(pages, start=1):
        in_top_margin = [w for w in page.words if w.y1 < 20 * MM]
        # Only the page number lives in the top margin, centred, from page 2 on.
        assert [w.text for w in in_top_margin] == ([] if number == 1 else [str(number)])
        body = [w for w in page.words if w not in in_top_margin]
        assert min(w.x0 for w in body) >= 30 * MM - 0.5, number  # left margin >= 30 mm
        # Right margin >= 15 mm (a justified line's last glyph box may reach 1.5 pt past it).
        assert max(w.x1 for w in body) <= page.width - 15 * MM + 1.5, number
        assert max(w.y1 for w in body) <= page.height - 20 * MM + 0.5, number  # bottom >= 20
    body = pages[0].words
    # ... and no wider than the decree allows: left <= 35 mm, right <= 20 mm, top <= 25 mm.
    assert min(w.x0 for w in body) <= 35 * MM
    assert max(w.x1 for w in body) >= pages[0].width - 20 * MM
    assert min(w.y0 for w in body) <= 25 * MM

    fonts = await _output(["pdffonts", str(_folder(q1_report) / "report.pdf")])
    font_lines = [line for line in fonts.splitlines()[2:] if line.strip()]
    assert font_lines
    names = [line.split()[0].replace("-", "") for line in font_lines]
    assert all("LiberationSerif" in name or "TimesNewRoman" in name for name in names), names
    assert all(" yes " in line for line in font_lines)  # embedded


async def test_pdf_tables_read_back_with_the_total_first(q1_report: reports.Report) -> None:
    pages = await _pages(q1_report)
    annex = next(p for p in pages if "Biểu số 01/TTr" in p.text)
    text = annex.text
    assert "TỔNG HỢP KẾT QUẢ THANH TRA" in text
    # Total, last year, change, then the units: the province's own records and each child.
    order = [
        text.index(label)
        for label in ("Tổng cộng", "Cùng kỳ năm 2025", "Tăng, giảm so với cùng kỳ (%)",
                      "Thanh tra tỉnh (trực tiếp", "Sở Tài chính", "Sở Xây dựng")
    ]  # fmt: skip
    assert order == sorted(order)
    assert "1.300,000" in text and "9.059,614" not in text
    later = " ".join(p.text for p in pages)
    for phrase in (
        "TỔNG HỢP KẾT QUẢ KIỂM TRA CHUYÊN NGÀNH VÀ XỬ PHẠT VI PHẠM HÀNH CHÍNH",
        "TỔNG HỢP KẾT QUẢ THỰC HIỆN KẾT LUẬN THANH TRA",
        "Trong kỳ đã triển khai 4 cuộc thanh tra",
        "Quý I/2026",  # the trend chart's axis
        "triệu đồng",
    ):
        assert phrase in later, phrase


# --------------------------------------------------------------------------- XLSX


def _row_of(sheet: Any, label: str) -> int:
    return next(r for r in range(1, sheet.max_row + 1) if sheet.cell(r, 2).value == label)


async def test_xlsx_frame_print_setup_and_narrative_sheet(q1_report: reports.Report) -> None:
    book = load_workbook(_folder(q1_report) / "report.xlsx")
    assert book.sheetnames == [
        "Thuyết minh",
        "01 Thanh tra",
        "02 Kiểm tra chuyên ngành",
        "03 Thực hiện kết luận",
    ]
    for sheet in book.worksheets:
        right = next(c for c in range(2, sheet.max_column + 1) if sheet.cell(1, c).value)
        assert sheet["A1"].value == "UBND TỈNH QUẢNG NINH"
        assert sheet["A2"].value == "THANH TRA TỈNH" and sheet["A2"].font.b
        assert str(sheet["A3"].value).startswith("Số:") and sheet["A3"].value.endswith("/BC-TTr")
        assert sheet.cell(1, right).value == "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
        assert sheet.cell(2, right).value == "Độc lập - Tự do - Hạnh phúc"
        assert sheet.cell(2, right).font.u == "single"
        assert str(sheet.cell(3, right).value).startswith("Hạ Long, ngày")
        assert sheet.cell(3, right).font.i
        assert int(sheet.page_setup.paperSize) == int(sheet.PAPERSIZE_A4)
        assert round(sheet.page_margins.left * 25.4) == 30
        assert round(sheet.page_margins.right * 25.4) == 15
        assert round(sheet.page_margins.top * 25.4) == round(sheet.page_margins.bottom * 25.4)
        assert sheet.page_setup.fitToWidth == 1 and sheet.sheet_properties.pageSetUpPr.fitToPage

    narrative = book["Thuyết minh"]
    texts = [str(c.value) for row in narrative.iter_rows() for c in row if c.value]
    assert "BÁO CÁO" in texts and "Kết quả công tác thanh tra quý I năm 2026" in texts
    assert "Kính gửi: - Thanh tra Chính phủ;" in texts
    assert any(t.startswith("1. Thanh tra. Trong kỳ đã triển khai 4 cuộc") for t in texts)
    assert "Nơi nhận:" in texts and "KT. CHÁNH THANH TRA" in texts

    sheet = book["01 Thanh tra"]
    header = next(r for r in range(1, 20) if sheet.cell(r, 1).value == "STT")
    numbering = header + 3
    assert sheet.print_title_rows.replace("$", "") == f"{header}:{numbering}"
    assert sheet.freeze_panes == f"C{numbering + 1}"
    assert sheet.page_setup.orientation == "landscape"
    assert sheet.cell(numbering, 1).value == "(1)" and sheet.cell(numbering, 21).value == "(21)"
    merged = {str(r) for r in sheet.merged_cells.ranges}
    top = header
    assert {f"A{top}:A{top + 2}", f"C{top}:J{top}", f"F{top + 1}:G{top + 1}"} <= merged
    assert sheet.cell(header, 3).value == "Số cuộc thanh tra"
    assert [sheet.cell(numbering + i, 2).value for i in range(1, 7)] == [
        "Tổng cộng",
        "Cùng kỳ năm 2025",
        "Tăng, giảm so với cùng kỳ (%)",
        "Thanh tra tỉnh (trực tiếp thực hiện)",
        "Sở Tài chính",
        "Sở Xây dựng",
    ]
    construction = _row_of(sheet, "Sở Xây dựng")
    assert [sheet.cell(construction, c).value for c in range(3, 22)] == [
        3, 1, 2, 1, 2, 1, 1, 1, 2, 1, 1300.000123, 100.25, 1000, 50.5, 200, 1, 3, 1, 2,
    ]  # fmt: skip
    assert sheet.cell(construction, 13).number_format == "#,##0.000"
    assert sheet.cell(construction, 14).number_format == "#,##0.00"
    assert sheet.cell(construction, 3).number_format == "#,##0"
    assert "NGƯỜI LẬP BIỂU" in [
        sheet.cell(r, 1).value for r in range(construction, sheet.max_row + 1)
    ]


async def test_xlsx_totals_are_formulas_with_cached_values_that_evaluate_to_the_figures(
    q1_report: reports.Report,
) -> None:
    path = _folder(q1_report) / "report.xlsx"
    formulas, cached = load_workbook(path), load_workbook(path, data_only=True)
    totals = msgspec.to_builtins(q1_report.totals)
    layout = get_layout(totals["layout"])
    for table in layout.tables:
        name = {"inspections": "01 Thanh tra", "checks": "02 Kiểm tra chuyên ngành",
                "implementation": "03 Thực hiện kết luận"}[table.counters]  # fmt: skip
        sheet, values = formulas[name], cached[name]
        evaluate = sheet_evaluator(sheet).evaluate
        total = _row_of(sheet, "Tổng cộng")
        first, last = total + 3, total + 2 + len(totals["rows"])
        for i, column in enumerate(table.columns()):
            cell = sheet.cell(total, 3 + i)
            letter = cell.column_letter
            expected = column_value(column, totals[table.counters])
            if column.ratio is None:
                assert cell.value == f"=SUM({letter}{first}:{letter}{last})", (name, letter)
            else:
                assert str(cell.value).startswith("=IF("), (name, letter)
            shown = values.cell(total, 3 + i).value  # the cached value, as a viewer reads it
            computed = evaluate(cell.value)
            if expected is None:
                assert shown in ("", None) and computed == ""
            else:
                assert shown == pytest.approx(float(expected), abs=1e-9), (name, letter)
                assert computed == pytest.approx(float(expected), abs=1e-9), (name, letter)
        # Every formula of the sheet has its cached value, and it is what the formula gives.
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and cell.value.startswith("="):
                    shown = values[cell.coordinate].value
                    computed = evaluate(cell.value)
                    if computed == "":
                        assert shown in ("", None), cell.coordinate
                    else:
                        assert shown == pytest.approx(computed, abs=1e-9), cell.coordinate

    # A clerk corrects a unit's figure: the total follows.
    sheet = formulas["01 Thanh tra"]
    total, construction = _row_of(sheet, "Tổng cộng"), _row_of(sheet, "Sở Xây dựng")
    sheet.cell(construction, 3).value = 13
    assert sheet_evaluator(sheet).evaluate(sheet.cell(total, 3).value) == 14
    assert libreoffice() is None or _recalculated_by_libreoffice(path, totals)


def _recalculated_by_libreoffice(path: Path, totals: dict[str, Any]) -> bool:
    """Recalculate the workbook headless and compare the total of table 1 (when installed)."""
    out = path.parent / "recalculated"
    subprocess.run(
        [str(libreoffice()), "--headless", "--convert-to", "xlsx", "--outdir", str(out), str(path)],
        check=True,
        capture_output=True,
        timeout=120,
    )
    sheet = load_workbook(out / path.name, data_only=True)["01 Thanh tra"]
    return sheet.cell(_row_of(sheet, "Tổng cộng"), 3).value == totals["inspections"]["total"]


# --------------------------------------------------------------------------- HTML, JSON, CSV


async def test_html_is_printable_with_frame_annexes_and_charts(q1_report: reports.Report) -> None:
    html = (_folder(q1_report) / "report.html").read_text(encoding="utf-8")
    assert "size: A4 portrait;\n  margin: 20mm 15mm 20mm 30mm;" in html
    assert "@page annex-landscape { size: A4 landscape; margin: 20mm 15mm 20mm 30mm; }" in html
    assert "@top-center { content: counter(page)" in html and "@page :first" in html
    assert '"Times New Roman", "Liberation Serif", "DejaVu Serif", serif; font-size: 14pt' in html
    assert '<p class="nation">CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM</p>' in html
    assert '<p class="motto"><span>Độc lập - Tự do - Hạnh phúc</span></p>' in html
    # Table 01 (21 columns) and the charts need a landscape page; the narrower tables take
    # one only when their content does not fit the portrait width.
    assert html.count('<section class="annex annex--') == 4
    assert '<section class="annex annex--landscape" data-form="01/TTr">' in html
    assert '<th scope="col" colspan="8">Số cuộc thanh tra</th>' in html
    assert html.count("<colgroup>") == 3
    assert html.count("<svg") == 2
    assert "Quý II/2024" in html and "Q2/2024" not in html
    assert "(triệu đồng)" in html and ">1.000</text>" in html  # thousands with a dot
    assert "http://" not in html.replace('xmlns="http://www.w3.org/2000/svg"', "")


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    from inspect_app.asgi import create_app
    from tests.conftest import app_client

    async with app_client(create_app(), follow_redirects=False) as http:
        yield http


async def _signed_in(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/api/auth/login", json={"username": "chanh-thanh-tra", "password": PASSWORD}
    )
    assert response.status_code == 200, response.text
    await client.get("/reports")
    client.headers["x-csrftoken"] = client.cookies.get("csrftoken", "")


async def test_json_copy_validates_against_its_published_schema(
    world: dict[str, Any], q1_report: reports.Report, client: httpx.AsyncClient
) -> None:
    published = await client.get("/schema/reports/TT01-2024.json")  # public, no sign-in
    assert published.status_code == 200
    assert published.headers["content-type"].startswith("application/schema+json")
    schema = published.json()
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    assert (await client.get("/schema/reports/TT99-2030.json")).status_code == 404

    await _signed_in(client)
    copy = (await client.get(q1_report.files["json"])).json()
    validator.validate(copy)
    assert copy["$schema"] == "/schema/reports/TT01-2024.json"
    assert copy["layout_version"] == "TT01-2024"
    assert copy["agency"] == {"id": world["province"], "code": "TTT", "name": "Thanh tra tỉnh"}
    assert copy["period"] == {
        "code": "2026-Q1", "kind": "Q1", "year": 2026, "from": "2025-12-15", "to": "2026-03-14",
    }  # fmt: skip
    assert copy["previous_period"]["from"] == "2024-12-15"
    assert [row["agency_code"] for row in copy["rows"]] == ["TTT", "STC", "SXD"]
    assert copy["totals"]["implementation"]["recovered_total_vnd"] == 700_000_000
    assert copy["rows"][2]["inspections"]["violation_m2"] == "100.25"
    assert (copy["report"]["status"], copy["document"]["signer"]) == ("draft", None)

    # Every counter is there: a copy that lost one is refused by the schema.
    broken = json.loads(json.dumps(copy))
    del broken["rows"][1]["checks"]["fines_vnd"]
    assert list(validator.iter_errors(broken))

    signed = await client.post(f"/api/reports/{q1_report.id}/sign-off", json={})
    assert signed.status_code == 200, signed.text
    body = signed.json()
    assert body["document"]["reference"] == "01/BC-TTr"
    copy = (await client.get(body["files"]["json"])).json()
    validator.validate(copy)
    assert copy["report"]["status"] == "signed"
    assert copy["document"]["reference"] == "01/BC-TTr"
    assert copy["document"]["signer"]["name"] == "Phạm Văn Sơn"
    assert copy["document"]["signer"]["title_lines"] == [
        "KT. CHÁNH THANH TRA",
        "PHÓ CHÁNH THANH TRA",
    ]

    table = await client.get(body["files"]["csv"]["inspections"])
    assert table.status_code == 200 and table.headers["content-type"].startswith("text/csv")
    lines = list(csv.DictReader(io.StringIO(table.text)))
    assert [line["row"] for line in lines] == ["total", "previous", "own", "unit", "unit"]
    assert int(lines[0]["total"]) == copy["totals"]["inspections"]["total"]
    assert lines[4]["agency_code"] == "SXD" and lines[4]["violation_vnd"] == "1300000123"


# --------------------------------------------------------------------------- frozen files


async def test_files_are_deterministic_and_signed_ones_frozen_with_their_sha256(
    world: dict[str, Any], q1_report: reports.Report, client: httpx.AsyncClient, tmp_path: Path
) -> None:
    # The same report drawn twice gives the same bytes, file by file (no dates inside).
    frame = await report_runner.draft_frame(
        world["province"], parse_period("2026-Q1"), world["head"].id
    )
    meta = ReportMeta(report_id=q1_report.id, revision=1)
    first = await report_runner.write_files(
        tmp_path / "a", q1_report.totals, q1_report.narrative, frame, meta
    )
    second = await report_runner.write_files(
        tmp_path / "b", q1_report.totals, q1_report.narrative, frame, meta
    )
    assert first == second == q1_report.sha256

    await _signed_in(client)
    response = await client.post(
        f"/api/reports/{q1_report.id}/sign-off",
        json={"version": q1_report.version, "signer_name": "Trần Thị Bình",
              "signing_form": "direct"},
    )  # fmt: skip
    assert response.status_code == 200, response.text
    signed = response.json()
    assert signed["document"]["signer"]["name"] == "Trần Thị Bình"
    assert signed["document"]["signer"]["title_lines"] == ["CHÁNH THANH TRA"]
    assert set(signed["sha256"]) == {"html", "xlsx", "pdf", "json", "inspections.csv",
                                     "checks.csv", "implementation.csv"}  # fmt: skip
    assert signed["sha256"]["pdf"] != q1_report.sha256["pdf"]  # the signer is printed

    downloads = {}
    for key, url in [(k, signed["files"][k]) for k in ("html", "xlsx", "pdf", "json")] + [
        (f"{k}.csv", u) for k, u in signed["files"]["csv"].items()
    ]:
        once, again = await client.get(url), await client.get(url)
        assert once.status_code == 200
        assert once.content == again.content, key
        assert hashlib.sha256(once.content).hexdigest() == signed["sha256"][key], key
        assert once.headers["x-content-sha256"] == signed["sha256"][key]
        downloads[key] = once.content

    # A late run of the job, a narrative edit: nothing changes the signed files.
    await report_runner.generate_report(q1_report.id)
    late = await client.get(signed["files"]["pdf"])
    assert late.content == downloads["pdf"]
    refused = await client.patch(
        f"/api/reports/{q1_report.id}", json={"narrative": "Sửa", "version": signed["version"]}
    )
    assert refused.status_code == 409
    # The files drawn again from the frozen figures and frame are the same bytes.
    stored = await reports.get_report(world["head"], q1_report.id)
    again = await report_runner.write_files(
        tmp_path / "c", stored.totals, stored.narrative, stored.document,
        ReportMeta(report_id=q1_report.id, revision=1),
    )  # fmt: skip
    assert again == signed["sha256"]

    page = await client.get(f"/reports/{q1_report.id}")
    assert signed["sha256"]["pdf"] in page.text and "01/BC-TTr" in page.text


async def test_sign_off_refuses_a_deputy_form_without_the_deputy_title(
    world: dict[str, Any], q1_report: reports.Report, client: httpx.AsyncClient
) -> None:
    await Agency.update({Agency.signer_title: "", Agency.signing_form: "direct"}).where(
        Agency.id == world["province"]
    )
    await _signed_in(client)
    response = await client.post(
        f"/api/reports/{q1_report.id}/sign-off",
        json={"signing_form": "tl", "signer_title": " "},
        headers={"accept-language": "vi"},
    )
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["signer_title"]
    report = await reports.get_report(world["head"], q1_report.id)
    assert not report.signed and report.document is None


# --------------------------------------------------------------------------- demo province


async def test_demo_province_unit_names_take_at_most_two_lines_in_table_01(
    db: str, redis_url: str
) -> None:
    from inspect_app.seed.demo import load_demo

    await load_demo(today=date(2026, 3, 20))
    user = await AppUser.select().where(AppUser.username == "chanhthanhtra").first()
    agency = await Agency.select().where(Agency.id == user["agency"]).first()
    head = Principal(user["id"], user["username"], user["full_name"], "head", agency["id"],
                     agency["path"])  # fmt: skip
    report = await reports.request_report(head, agency["id"], "2026-Q1")
    await report_runner.generate_report(report.id)
    report = await reports.get_report(head, report.id)
    assert report.status == "done", report.error
    await close_pools()

    pages = await _pages(report)
    start = next(i for i, p in enumerate(pages) if "Biểu số 01/TTr" in p.text)
    end = next(i for i, p in enumerate(pages) if "Biểu số 02/TTr" in p.text)
    table_pages = pages[start:end]
    labels = [unit_label(row) for row in report.totals.rows]
    assert len(labels) >= 15 and any(len(label) > 60 for label in labels)
    for label in labels:
        found = [n for page in table_pages if (n := lines_of(page, label)) is not None]
        assert found, label
        assert max(found) <= 2, (label, found)
    # The total row shares its page with the first unit.
    first_page = next(p for p in table_pages if "Tổng cộng" in p.text)
    assert lines_of(first_page, labels[0]) is not None
