"""Import of the sample workbooks (tests/import_samples): dry run, commit, re-import,
correction, rollback, on the real database.

The samples are generated afresh into a temporary folder by the script kept beside them.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from inspect_app.db import is_postgres
from inspect_app.errors import Conflict, InvalidInput
from inspect_app.importing.store import WRITTEN_TABLES
from inspect_app.services import imports
from models.tables import (
    Execution,
    Finding,
    ImportedRecord,
    ImportRun,
    Inspection,
    InspectionSubject,
    Measure,
    Subject,
)
from tests.import_samples.make_samples import write_samples
from tests.integration.statistics_support import forget_sqlite_statistics, statistics_runs

pytestmark = [pytest.mark.usefixtures("db"), pytest.mark.storage]

TODAY = dt.date(2026, 12, 5)
TABLES = (Inspection, Subject, InspectionSubject, Finding, Measure, Execution)


@pytest.fixture
def samples(tmp_path: Path) -> dict[str, Path]:
    return write_samples(tmp_path / "samples")


@pytest.fixture(autouse=True)
def _today(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from inspect_app import clock

    monkeypatch.setattr(clock, "today", lambda: TODAY)
    monkeypatch.setattr(imports, "import_dir", lambda: _dir(tmp_path / "imports"))


def _dir(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    return path


async def _counts() -> dict[str, int]:
    return {table._meta.tablename: await table.count() for table in TABLES}


async def _upload(actor: Any, path: Path, agency_id: int) -> imports.ImportRunRecord:
    content = path.read_bytes()  # noqa: ASYNC240 - a small local file
    run = await imports.start_import(actor.principal, agency_id, path.name, content)
    assert run.status == "queued"
    assert await imports.work_run(run.id) == "checked"
    return await imports.get_run(actor.principal, run.id)


async def _import(
    actor: Any, path: Path, agency_id: int, skip: bool = False
) -> imports.ImportRunRecord:
    run = await _upload(actor, path, agency_id)
    await imports.request_commit(actor.principal, run.id, skip, run.version)
    assert await imports.work_run(run.id) == "committed"
    return await imports.get_run(actor.principal, run.id)


async def test_problems_are_listed_at_their_cells(people: dict[str, Any], samples: Any) -> None:
    lead, agency = people["lead"], people["tree"]["A"]
    run = await _upload(lead, samples["problems.xlsx"], agency["id"])
    found = [(p.sheet, p.cell, p.text("vi")) for p in imports.stored_problems(run)]
    assert found == [
        ("Cuộc thanh tra", "A4", "Mã này đã có ở dòng 2."),
        ("Phát hiện", "B5", "Mã này đã có ở dòng 3."),
        (
            "Kiến nghị",
            "C5",
            "Không có phát hiện nào mang mã này của cuộc thanh tra này trong trang tính phát hiện.",
        ),
        ("Thực hiện", "C3", "Ngày này không tồn tại."),
        ("Thực hiện", "C6", "Ngày không được sau ngày hôm nay."),
    ]
    assert run.problem_count == 5
    # Not committed without leaving the bad rows out; nothing written.
    with pytest.raises(InvalidInput) as refused:
        await imports.request_commit(lead.principal, run.id, False, run.version)
    assert "skip_bad_rows" in refused.value.errors
    assert await Inspection.count() == 0
    name, content = await imports.annotated_copy(lead.principal, run.id)
    assert name == "problems-kiem-tra.xlsx" and content[:2] == b"PK"


async def test_clean_commit_creates_exactly_the_records(
    people: dict[str, Any], samples: Any
) -> None:
    lead, agency = people["lead"], people["tree"]["A"]
    run = await _import(lead, samples["clean.xlsx"], agency["id"])
    assert run.status == "committed" and run.percent == 100
    assert await _counts() == {
        "inspection": 2,
        "subject": 2,  # the enterprise appears on both cases: one subject, two links
        "inspection_subject": 3,
        "finding": 2,
        "measure": 3,
        "execution": 4,
    }
    concluded = await Inspection.select().where(Inspection.decision_no == "12/QĐ-TTr").first()
    assert concluded["status"] == "concluded"
    assert concluded["code"] == f"TT-2024-{concluded['id']:06d}"
    assert concluded["agency"] == agency["id"]
    assert concluded["publication_due"] is not None
    onsite = await Inspection.select().where(Inspection.decision_no == "47/QĐ-TTr").first()
    assert onsite["status"] == "onsite" and onsite["onsite_due"] is not None
    kn1 = (
        await Measure.select().where(Measure.description == "Thu hồi tiền thanh toán khống").first()
    )
    assert (kn1["done_vnd"], kn1["status"], kn1["completed_on"]) == (500_000_000, "partial", None)
    kn2 = await Measure.select().where(Measure.amount_vnd == 40_000_000).first()
    assert (kn2["status"], kn2["completed_on"]) == ("done", dt.date(2024, 3, 15))
    kn3 = await Measure.select().where(Measure.type == "discipline").first()
    assert (kn3["individuals"], kn3["done_count"], kn3["status"]) == (2, 2, "done")
    assert run.summary["cases"] == {"created": 2}
    # Each record knows its source.
    sources = {(r["kind"], r["sheet"], r["row_number"]) for r in await ImportedRecord.select()}
    assert ("cases", "Cuộc thanh tra", 2) in sources and ("executions", "Thực hiện", 5) in sources


async def test_second_import_changes_nothing(people: dict[str, Any], samples: Any) -> None:
    lead, agency = people["lead"], people["tree"]["A"]
    await _import(lead, samples["clean.xlsx"], agency["id"])
    before = await _counts()
    versions = await Measure.select(Measure.id, Measure.version, Measure.done_vnd)
    again = await _import(lead, samples["clean.xlsx"], agency["id"])
    assert await _counts() == before
    assert await Measure.select(Measure.id, Measure.version, Measure.done_vnd) == versions
    assert again.summary["cases"] == {"unchanged": 2}
    assert again.summary["executions"] == {"unchanged": 4}
    # The legacy .xls holds the same records (triệu đồng, serial dates, merged headers).
    legacy = await _import(lead, samples["legacy.xls"], agency["id"])
    assert await _counts() == before
    assert set(legacy.summary["measures"]) == {"unchanged"}


async def test_corrected_file_updates_only_the_corrected_rows(
    people: dict[str, Any], samples: Any
) -> None:
    lead, agency = people["lead"], people["tree"]["A"]
    await _import(lead, samples["clean.xlsx"], agency["id"])
    before = await _counts()
    kn1_before = await Measure.select().where(Measure.amount_vnd == 1_000_000_000).first()
    run = await _import(lead, samples["corrected.xlsx"], agency["id"])
    assert run.summary["measures"] == {"unchanged": 2, "updated": 1}
    assert run.summary["executions"] == {"unchanged": 4, "created": 1}
    assert await _counts() == {**before, "execution": before["execution"] + 1}
    kn2 = (
        await Measure.select().where(Measure.description == "Thu hồi công tác phí chi sai").first()
    )
    # 45 triệu now, 40 paid: partial again, no completion date.
    assert (kn2["amount_vnd"], kn2["status"], kn2["completed_on"]) == (45_000_000, "partial", None)
    kn1 = await Measure.select().where(Measure.amount_vnd == 1_000_000_000).first()
    assert kn1["done_vnd"] == 750_000_000
    assert kn1["version"] == kn1_before["version"]  # only its figures moved


async def test_rollback_restores_the_counts(people: dict[str, Any], samples: Any) -> None:
    lead, agency = people["lead"], people["tree"]["A"]
    first = await _import(lead, samples["clean.xlsx"], agency["id"])
    after_first = await _counts()
    kn2_before = await Measure.select().where(Measure.amount_vnd == 40_000_000).first()
    second = await _import(lead, samples["corrected.xlsx"], agency["id"])
    # The first run cannot go while the second one changed its records.
    with pytest.raises(Conflict):
        await imports.rollback(lead.principal, first.id)
    rolled = await imports.rollback(lead.principal, second.id)
    assert rolled.status == "rolled_back"
    assert await _counts() == after_first
    kn2 = await Measure.select().where(Measure.id == kn2_before["id"]).first()
    assert (kn2["amount_vnd"], kn2["status"], kn2["done_vnd"]) == (40_000_000, "done", 40_000_000)
    await imports.rollback(lead.principal, first.id)
    assert set((await _counts()).values()) == {0}
    assert await ImportedRecord.count() == 0
    with pytest.raises(Conflict):  # only once
        await imports.rollback(lead.principal, first.id)


async def test_rollback_refused_once_a_user_worked_on_a_record(
    people: dict[str, Any], samples: Any
) -> None:
    lead, agency = people["lead"], people["tree"]["A"]
    run = await _import(lead, samples["clean.xlsx"], agency["id"])
    case = await Inspection.select(Inspection.id).where(Inspection.decision_no == "47/QĐ-TTr")
    await Finding(inspection=case[0]["id"], description="Thêm bằng tay").save()
    with pytest.raises(Conflict) as refused:
        await imports.rollback(lead.principal, run.id)
    assert refused.value.code == "import_touched"
    assert (await Inspection.count()) == 2


async def test_skipping_bad_rows_writes_the_rest(people: dict[str, Any], samples: Any) -> None:
    lead, agency = people["lead"], people["tree"]["A"]
    run = await _import(lead, samples["problems.xlsx"], agency["id"], skip=True)
    counts = await _counts()
    # The repeated case row, the repeated finding, the recommendation without its finding
    # and the two bad executions are left out; the rest is written.
    assert counts["inspection"] == 2
    assert counts["finding"] == 3
    assert counts["measure"] == 3
    assert counts["execution"] == 3
    assert run.skipped_rows == 5


async def test_a_case_entered_in_the_application_is_not_imported_again(
    people: dict[str, Any], samples: Any
) -> None:
    lead, agency = people["lead"], people["tree"]["A"]
    await Inspection(
        code="TT-2024-000777",
        agency=agency["id"],
        title="Nhập tay",
        decision_no="12/QĐ-TTr",
        decision_date=dt.date(2024, 2, 1),
    ).save()
    run = await _upload(lead, samples["clean.xlsx"], agency["id"])
    messages = [(p.sheet, p.cell, p.text("vi")) for p in imports.stored_problems(run)]
    assert messages == [
        (
            "Cuộc thanh tra",
            "A2",
            "Một cuộc thanh tra mang số quyết định và năm này đã có trong ứng dụng"
            " (TT-2024-000777), được nhập trực tiếp, không qua nhập liệu: không nhập lại.",
        )
    ]


async def test_outside_scope_and_roles(people: dict[str, Any], samples: Any) -> None:
    from inspect_app.errors import Forbidden, NotFound

    path = samples["clean.xlsx"]
    with pytest.raises(Forbidden):
        await imports.start_import(
            people["inspector"].principal, people["tree"]["A"]["id"], path.name, path.read_bytes()
        )
    with pytest.raises(NotFound):
        await imports.start_import(
            people["outsider"].principal, people["tree"]["A"]["id"], path.name, path.read_bytes()
        )
    run = await _upload(people["lead"], path, people["tree"]["A"]["id"])
    with pytest.raises(NotFound):
        await imports.get_run(people["outsider"].principal, run.id)
    with pytest.raises(InvalidInput) as refused:
        await imports.start_import(
            people["lead"].principal, people["tree"]["A"]["id"], "notes.txt", b"hello"
        )
    assert refused.value.errors == {"file": imports.MSG_BAD_SUFFIX}
    assert await ImportRun.count() == 1


async def test_the_commit_marks_the_totals_of_the_periods_it_touches(
    people: dict[str, Any], samples: Any
) -> None:
    from models.tables import JobState

    lead, agency = people["lead"], people["tree"]["A"]
    await JobState.delete(force=True)
    await _import(lead, samples["clean.xlsx"], agency["id"])
    marked = {row["name"] for row in await JobState.select(JobState.name)}
    # The cases of 2024 (and their payments) touch the report year 2024's periods.
    from inspect_app.services.changes import marker_name

    assert marker_name("2024-Q2", agency["id"]) in marked
    assert marker_name("2024-Y", agency["id"]) in marked


async def test_a_commit_and_a_rollback_end_with_fresh_statistics(
    people: dict[str, Any], samples: Any
) -> None:
    # Left to autovacuum, the planner would go on planning for the tables as they were
    # before a bulk write (docs/performance.md): each commit and each rollback ends by
    # analysing every table it wrote (a commit on PostgreSQL with VACUUM too, for
    # index-only scans).
    lead, agency = people["lead"], people["tree"]["A"]
    await forget_sqlite_statistics()
    before = await statistics_runs(WRITTEN_TABLES)
    if not is_postgres():
        assert before == dict.fromkeys(WRITTEN_TABLES, 0)
    run = await _import(lead, samples["clean.xlsx"], agency["id"])
    committed = await statistics_runs(WRITTEN_TABLES)
    if is_postgres():
        assert {t: committed[t] - before[t] for t in WRITTEN_TABLES} == dict.fromkeys(
            WRITTEN_TABLES, 2
        )
        await imports.rollback(lead.principal, run.id)
        rolled_back = await statistics_runs(WRITTEN_TABLES)
        # After deletions an analysis only: their cleaning is autovacuum's.
        assert {t: rolled_back[t] - committed[t] for t in WRITTEN_TABLES} == dict.fromkeys(
            WRITTEN_TABLES, 1
        )
    else:
        assert committed == dict.fromkeys(WRITTEN_TABLES, 1)


async def test_the_command_checks_the_agency_then_commits(
    people: dict[str, Any], samples: Any
) -> None:
    import asyncio
    import os
    import subprocess
    import sys

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "inspect_app.cli", "import", *args],
            capture_output=True,
            text=True,
            env=os.environ.copy(),
            check=False,
        )

    path = str(samples["legacy.xls"])
    unknown = await asyncio.to_thread(run, path, "--agency", "KHONG-CO")
    assert unknown.returncode == 1
    assert "Không có cơ quan nào mang mã “KHONG-CO”." in unknown.stdout
    assert await Inspection.count() == 0
    done = await asyncio.to_thread(run, path, "--agency", "A")  # tests.factories.make_tree
    assert done.returncode == 0, done.stdout + done.stderr
    assert "cases: 2 created" in done.stdout and "import-rollback" in done.stdout
    assert await Inspection.count() == 2
