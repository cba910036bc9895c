"""Generated data obeys the rules the app applies: logins, statuses, deadlines, progress."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest

from inspect_app import clock
from inspect_app.db import engine, is_postgres
from inspect_app.domain.clock import ClockInput, Suspension, compute_deadlines
from inspect_app.domain.lifecycle import STATUSES
from inspect_app.domain.measures import MEASURE_TYPES, measure_status, measure_unit, target_of
from inspect_app.domain.permissions import ROLES
from inspect_app.domain.text import fold_vietnamese, searchable_number
from inspect_app.security import verify_password
from inspect_app.seed import bulk
from inspect_app.seed.demo import DEMO_PASSWORD, DemoDataRefused, demo_logins, load_demo
from models.tables import (
    ALL_TABLES,
    Agency,
    AppUser,
    Execution,
    Inspection,
    InspectionEvent,
    InspectionExtension,
    InspectionSubject,
    InspectionSuspension,
    Measure,
    Plan,
    Subject,
)
from tests.integration.statistics_support import forget_sqlite_statistics, statistics_runs

# The order of dates in a case's life; each may be missing, none may come before an earlier one.
DATE_CHAIN = ("announced_on", "onsite_ended_on", "report_on", "concluded_on")
AFTER_CONCLUSION = ("published_on", "directive_on", "closed_on")
# The timeline event recorded for each stored date.
EVENT_OF_DATE = {
    "announced_on": "announce",
    "onsite_ended_on": "end_onsite",
    "report_on": "report",
    "concluded_on": "conclude",
    "published_on": "publish",
    "directive_on": "direct",
    "closed_on": "close",
    "cancelled_on": "cancel",
}


async def _empty_tables() -> None:
    """Empty every table between two generations, as the ``db`` fixture does before a test."""
    names = [table._meta.tablename for table in ALL_TABLES]
    if is_postgres():
        quoted = ", ".join(f'"{name}"' for name in names)
        await engine().run_ddl(f"TRUNCATE {quoted} RESTART IDENTITY CASCADE")
        # The TRUNCATE fires the reference-version triggers, which write their rows again:
        # empty it after, as the db fixture does (tests/conftest.py).
        await engine().run_ddl('DELETE FROM "reference_version"')
        return
    import aiosqlite

    # ON DELETE RESTRICT is checked row by row in SQLite, even within one statement.
    async with aiosqlite.connect(engine().path, timeout=30) as connection:
        await connection.execute("PRAGMA foreign_keys = OFF")
        for name in names:
            await connection.execute(f'DELETE FROM "{name}"')
        await connection.commit()


async def _assert_agency_tree() -> None:
    agencies = {row["id"]: row for row in await Agency.select()}
    for agency in agencies.values():
        parent = agencies.get(agency["parent"])
        expected = f"{parent['path'] if parent else '/'}{agency['id']}/"
        assert agency["path"] == expected, agency
        assert agency["depth"] == (parent["depth"] + 1 if parent else 0), agency


async def _assert_cases(today: date) -> None:
    inspections = await Inspection.select()
    extensions: dict[int, list[int]] = defaultdict(list)
    for row in await InspectionExtension.select():
        extensions[row["inspection"]].append(row["days"])
    suspensions: dict[int, list[Suspension]] = defaultdict(list)
    for row in await InspectionSuspension.select().order_by(InspectionSuspension.id):
        suspensions[row["inspection"]].append(Suspension(row["start_on"], row["end_on"]))
    events: dict[int, set[tuple[str, date]]] = defaultdict(set)
    for row in await InspectionEvent.select(
        InspectionEvent.inspection, InspectionEvent.type, InspectionEvent.date
    ):
        events[row["inspection"]].add((row["type"], row["date"]))
    subject_names = {
        row["id"]: row["name"] for row in await Subject.select(Subject.id, Subject.name)
    }
    covered: dict[int, list[str]] = defaultdict(list)
    for row in await InspectionSubject.select().order_by(InspectionSubject.id):
        covered[row["inspection"]].append(subject_names[row["subject"]])

    plan_years = {row["id"]: row["year"] for row in await Plan.select(Plan.id, Plan.year)}

    for case in inspections:
        if case["origin"] == "scheduled":
            assert case["origin_source"] is None, case["code"]
            if case["decision_date"] is not None:
                assert plan_years[case["plan"]] == case["decision_date"].year, case["code"]
        else:
            assert case["origin_source"] and case["plan"] is None, case["code"]
        known = [case[name] for name in DATE_CHAIN if case[name] is not None]
        assert known == sorted(known), case["code"]
        concluded = case["concluded_on"]
        for name in AFTER_CONCLUSION:
            if case[name] is not None:
                assert concluded is not None and case[name] >= concluded, (case["code"], name)
        if case["closed_on"] is not None:
            assert all(
                case[name] is None or case[name] <= case["closed_on"]
                for name in ("published_on", "directive_on")
            ), case["code"]
        for name, event in EVENT_OF_DATE.items():
            if case[name] is not None:
                assert case[name] <= today, (case["code"], name)
                assert (event, case[name]) in events[case["id"]], (case["code"], event)
        status = case["status"]
        if status == "draft":
            assert case["announced_on"] is None, case["code"]
        if case["announced_on"] is None:
            assert status in ("draft", "cancelled"), case["code"]
        assert (concluded is not None) == (status in ("concluded", "closed")), case["code"]
        assert (case["closed_on"] is not None) == (status == "closed"), case["code"]
        assert (case["cancelled_on"] is not None) == (status == "cancelled"), case["code"]
        if status == "suspended":
            assert suspensions[case["id"]][-1].end is None, case["code"]

        deadlines = compute_deadlines(
            ClockInput(
                announced_on=case["announced_on"],
                duration_days=case["duration_days"],
                working_days=case["working_days"],
                extension_days=tuple(extensions[case["id"]]),
                suspensions=tuple(suspensions[case["id"]]),
                onsite_ended_on=case["onsite_ended_on"],
                concluded_on=concluded,
                published_on=case["published_on"],
                directive_on=case["directive_on"],
            )
        )
        for name in (
            "onsite_due",
            "report_due",
            "conclusion_due",
            "publication_due",
            "directive_due",
        ):
            assert case[name] == getattr(deadlines, name), (case["code"], name)
        # Searchable as the services make it: code, title, subjects, and every number.
        for piece in [case["code"], case["title"], *covered[case["id"]]]:
            assert fold_vietnamese(piece) in case["search_text"], (case["code"], piece)
        for number in (case["decision_no"], case["conclusion_no"]):
            if number:
                folded = fold_vietnamese(searchable_number(number))
                assert folded in case["search_text"], (case["code"], number)


async def _assert_measures(today: date) -> None:
    measures = await Measure.select()
    done: dict[int, list[Any]] = defaultdict(lambda: [0, Decimal("0.00"), 0])
    for row in await Execution.select():
        assert row["executed_on"] <= today
        totals = done[row["measure"]]
        totals[0] += row["amount_vnd"]
        totals[1] += Decimal(str(row["land_m2"]))
        totals[2] += row["quantity"]
    status_of_case = {
        row["id"]: row["status"]
        for row in await Inspection.select(Inspection.id, Inspection.status)
    }
    for measure in measures:
        done_vnd, done_m2, done_count = done[measure["id"]]
        land = Decimal(str(measure["land_m2"]))
        assert measure["done_vnd"] == done_vnd, measure["id"]
        assert Decimal(str(measure["done_m2"])) == done_m2, measure["id"]
        assert measure["done_count"] == done_count, measure["id"]
        assert measure["done_vnd"] <= measure["amount_vnd"], measure["id"]
        assert done_m2 <= land, measure["id"]
        target = target_of(
            measure["type"],
            measure["amount_vnd"],
            land,
            measure["collectives"],
            measure["individuals"],
            measure["cases"],
            measure["persons"],
        )
        unit = measure_unit(measure["type"])
        progress = {"vnd": done_vnd, "m2": done_m2, "count": done_count, "none": 0}[unit]
        assert progress <= target, measure["id"]
        assert measure["status"] == measure_status(
            target,
            progress,
            measure["status"] == "written_off",
            completed=measure["status"] == "done",
        ), measure["id"]
        if status_of_case[measure["inspection"]] == "closed":
            assert measure["status"] in ("done", "written_off"), measure["id"]


async def _assert_consistent(today: date) -> None:
    await _assert_agency_tree()
    await _assert_cases(today)
    await _assert_measures(today)


@pytest.mark.storage
async def test_demo_data_holds_what_users_rely_on(db: str) -> None:
    await load_demo(seed=2026)
    today = clock.today()

    logins = await demo_logins()
    assert {role for _, role, _ in logins} == set(ROLES)
    hashes = {row["username"]: row["password_hash"] for row in await AppUser.select()}
    for role in ROLES:
        username = next(name for name, login_role, _ in logins if login_role == role)
        assert verify_password(hashes[username], DEMO_PASSWORD), username

    inspections = await Inspection.select()
    assert 90 <= len(inspections) <= 110
    assert {row["status"] for row in inspections} == set(STATUSES)
    assert {row["origin"] for row in inspections} == {"scheduled", "ad_hoc"}
    assert all(row["plan"] is not None for row in inspections if row["origin"] == "scheduled")
    assert all(row["origin_source"] for row in inspections if row["origin"] == "ad_hoc")
    assert 55 <= await Subject.count() <= 65
    assert await InspectionExtension.count() > 0
    assert await InspectionSuspension.count() > 0

    measures = await Measure.select()
    assert {row["type"] for row in measures} == set(MEASURE_TYPES)
    overdue = [m for m in measures if m["status"] in ("open", "partial") and m["due_on"] < today]
    assert overdue
    assert any(m["status"] == "partial" for m in measures)

    # A couple of enterprises were inspected twice in one year, a head having overridden.
    tax_codes = {row["id"]: row["tax_code"] for row in await Subject.select()}
    years: dict[tuple[str, int], int] = defaultdict(int)
    for link in await InspectionSubject.select(
        InspectionSubject.subject, InspectionSubject.inspection.decision_date.as_alias("on")
    ):
        code = tax_codes[link["subject"]]
        if code and link["on"]:
            years[(code, link["on"].year)] += 1
    assert sum(1 for n in years.values() if n > 1) >= 2
    assert sum(1 for row in inspections if row["overlap_override_reason"]) >= 2

    # Two changes wait for the chief inspector, who can make them as they were asked.
    await _assert_demo_approvals()
    await _assert_consistent(today)


async def _assert_demo_approvals() -> None:
    from inspect_app.principal import Principal
    from inspect_app.services import approvals

    head = await AppUser.select().where(AppUser.username == "chanhthanhtra").first()
    agency = await Agency.select(Agency.path).where(Agency.id == head["agency"]).first()
    principal = Principal(
        id=head["id"],
        username=head["username"],
        full_name=head["full_name"],
        role=head["role"],
        agency_id=head["agency"],
        agency_path=agency["path"],
    )
    from inspect_app.schemas.approvals import ApprovalDecision

    waiting = (await approvals.list_approvals(principal)).items
    assert sorted(a.kind for a in waiting) == ["measure_update", "measure_write_off"]
    assert all(a.can_decide and a.reason for a in waiting)
    for request in waiting:
        decided = await approvals.decide(
            principal, request.id, ApprovalDecision(decision="approve", version=request.version)
        )
        assert decided.status == "approved"
    statuses = {
        row["id"]: row["status"]
        for row in await Measure.select(Measure.id, Measure.status).where(
            Measure.id.is_in([a.target_id for a in waiting])
        )
    }
    write_off = next(a for a in waiting if a.kind == "measure_write_off")
    assert statuses[write_off.target_id] == "written_off"


async def test_demo_refuses_a_database_that_has_agencies(db: str) -> None:
    await Agency.insert(Agency(code="X", name="Sở Thử nghiệm", path="/"))
    with pytest.raises(DemoDataRefused):
        await load_demo()


async def _fingerprint() -> dict[str, Any]:
    """Row counts of every table and digests of a few columns of the generated ones."""
    counts = {table._meta.tablename: await table.count() for table in ALL_TABLES}
    digests = {}
    for table, columns in (
        (Subject, (Subject.id, Subject.name, Subject.tax_code)),
        (
            Inspection,
            (
                Inspection.id,
                Inspection.code,
                Inspection.status,
                Inspection.onsite_due,
                Inspection.title,
                Inspection.closed_on,
            ),
        ),
        (
            Measure,
            (
                Measure.id,
                Measure.type,
                Measure.amount_vnd,
                Measure.done_vnd,
                Measure.done_m2,
                Measure.status,
                Measure.due_on,
            ),
        ),
        (
            Execution,
            (
                Execution.id,
                Execution.measure,
                Execution.executed_on,
                Execution.amount_vnd,
                Execution.quantity,
            ),
        ),
    ):
        rows = await table.select(*columns).order_by(table.id).output(as_list=False)
        text = "\n".join(repr(tuple(str(value) for value in row.values())) for row in rows)
        digests[table._meta.tablename] = hashlib.sha256(text.encode()).hexdigest()
    return {"counts": counts, "digests": digests}


@pytest.mark.storage
async def test_bulk_generation_is_deterministic_and_consistent(db: str) -> None:
    await forget_sqlite_statistics()
    analysed = await statistics_runs(bulk.COLUMNS)
    await bulk.generate("tiny", seed=7, echo=lambda line: None)
    # Every loaded table leaves the load with fresh statistics (VACUUM (ANALYZE) on
    # PostgreSQL: one vacuum and one analysis each).
    after = await statistics_runs(bulk.COLUMNS)
    expected = 2 if is_postgres() else 1
    assert {t: after[t] - analysed[t] for t in bulk.COLUMNS} == dict.fromkeys(
        bulk.COLUMNS, expected
    )
    first = await _fingerprint()
    await _assert_consistent(bulk.ANCHOR)
    counts = first["counts"]
    assert counts["inspection"] == bulk.SCALES["tiny"].inspections
    assert counts["measure"] > counts["inspection"]
    assert counts["execution"] > 0
    statuses = {row["status"] for row in await Inspection.select(Inspection.status)}
    # Ten years of cases: most are finished, the last few weeks' are still open.
    assert {"closed", "concluded"} <= statuses
    assert statuses & {"draft", "onsite", "suspended", "onsite_ended", "reported"}

    await _empty_tables()
    await bulk.generate("tiny", seed=7, echo=lambda line: None)
    assert await _fingerprint() == first

    with pytest.raises(bulk.BulkRefused):
        await bulk.generate("tiny", seed=7, echo=lambda line: None)
    if not is_postgres():
        await _empty_tables()
        with pytest.raises(bulk.BulkRefused):
            await bulk.generate("national", seed=7, echo=lambda line: None)


async def _constraints() -> list[dict[str, Any]]:
    return await Inspection.raw(  # type: ignore[no-any-return]
        "SELECT t.relname, k.conname, pg_get_constraintdef(k.oid) AS definition"
        " FROM pg_constraint k JOIN pg_class t ON t.oid = k.conrelid"
        " WHERE t.relname = ANY({}::text[]) ORDER BY t.relname, k.conname",
        list(bulk.COLUMNS),
    )


async def test_a_bulk_load_restores_every_foreign_key_and_fails_on_a_row_without_its_parent(
    db: str,
) -> None:
    """The foreign keys are dropped for the COPY and added again before the commit: they
    come back exactly as the migrations made them, and adding them checks every row."""
    if not is_postgres():
        pytest.skip("SQLite keeps its foreign keys during the load")
    before = await _constraints()
    assert any(row["definition"].startswith("FOREIGN KEY") for row in before)
    await bulk.generate("tiny", seed=3, echo=lambda line: None)
    assert await _constraints() == before

    await _empty_tables()
    loader = await bulk._PostgresLoader.open(engine().config["dsn"])
    try:
        assert len(loader.foreign_keys) == sum(
            row["definition"].startswith("FOREIGN KEY") for row in before
        )
        # A subject of an agency that does not exist: COPY takes it, the key refuses it.
        now = datetime.now(UTC)
        row: dict[str, Any] = {
            "id": 1,
            "kind": "enterprise",
            "name": "Công ty TNHH Không Cha",
            "tax_code": None,
            "address": "",
            "sector": "",
            "search_text": "cong ty tnhh khong cha",
            "created_by_agency": 999_999,
            "created_at": now,
            "updated_at": now,
        }
        assert tuple(row) == bulk.COLUMNS["subject"]
        await loader.load("subject", [tuple(row.values())])  # no key checks it now
        with pytest.raises(Exception, match="foreign key"):
            await loader.restore_foreign_keys()
    finally:
        await loader.rollback()
    assert await _constraints() == before  # rolled back: the keys are there
    assert await Inspection.raw("SELECT COUNT(*) AS n FROM subject") == [{"n": 0}]
