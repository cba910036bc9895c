"""A small, hand-built world for the report counters; expected figures are in the tests.

Agencies (materialised paths):
    1 Thanh tra tỉnh            /1/        (owns I9)
    2 Sở Xây dựng               /1/2/      (owns I1, I2, I3, I4, I7 draft, I8 and I10 deleted)
    3 Sở Tài chính              /1/3/      (owns I5, checks C1, C2, C3 deleted)
    4 Phòng Quản lý nhà         /1/2/4/    (owns I6)

Report year 2026: Q1 = 15/12/2025–14/03/2026, 6M to 14/06/2026, Y to 14/12/2026.

Deleted records never count, so the world also holds, each of them on a day and of a kind
that would change the figures if it counted: deleted findings (on I1, and on C1 naming a
subject no other finding names), deleted measures with executions recorded on them (on I1,
I2, and a fine and a recovery on C1), and deleted cases with findings, measures and
executions of their own (I8 and I10 inspections, C3 a check). The expected figures of the
tests are those of the live records only.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from inspect_app.services.catalogues import ensure_catalogues
from models.tables import (
    Agency,
    Execution,
    Finding,
    Inspection,
    InspectionSubject,
    Measure,
    Subject,
)

D = date
DELETED = datetime(2026, 6, 20, 8, 30, tzinfo=UTC)


async def add_agency(code: str, name: str, parent: int | None, path_prefix: str) -> int:
    """An agency under ``parent`` whose path is ``path_prefix`` + its own id."""
    agency = Agency(code=code, name=name, parent=parent, path="/")
    await agency.save()
    await Agency.update({Agency.path: f"{path_prefix}{agency.id}/"}).where(Agency.id == agency.id)
    return int(agency.id)


async def add_subject(name: str, kind: str) -> int:
    """A subject (enterprise, organization, individual...)."""
    subject = Subject(name=name, kind=kind)
    await subject.save()
    return int(subject.id)


async def add_case(code: str, agency: int, subjects: tuple[int, ...] = (), **fields: Any) -> int:
    """A case written straight to the table (kind inspection, origin scheduled by default)."""
    fields.setdefault("kind", "inspection")
    fields.setdefault("origin", "scheduled")
    case = Inspection(code=code, agency=agency, title=f"Cuộc {code}", **fields)
    await case.save()
    for subject in subjects:
        await InspectionSubject(inspection=case.id, subject=subject).save()
    return int(case.id)


async def add_finding(
    case: int,
    subject: int | None,
    amount_vnd: int,
    land: str = "0",
    deleted_at: datetime | None = None,
) -> None:
    """A finding of ``case`` on ``subject`` (None: the inspected unit itself)."""
    await Finding(
        inspection=case,
        subject=subject,
        description="Vi phạm",
        amount_vnd=amount_vnd,
        land_m2=Decimal(land),
        deleted_at=deleted_at,
    ).save()


async def add_measure(case: int, type_: str, **fields: Any) -> int:
    """A measure of ``case``; ``fields`` are columns of Measure."""
    if "land_m2" in fields:
        fields["land_m2"] = Decimal(fields["land_m2"])
    measure = Measure(inspection=case, type=type_, **fields)
    await measure.save()
    return int(measure.id)


async def add_execution(
    measure: int, on: date, amount_vnd: int = 0, land: str = "0", n: int = 0
) -> None:
    """An execution of ``measure`` on ``on``, added to the measure's running totals."""
    await Execution(
        measure=measure, executed_on=on, amount_vnd=amount_vnd, land_m2=Decimal(land), quantity=n
    ).save()
    # Keep the measure's running totals as the services would (the CHECK needs them bounded).
    row = await Measure.select().where(Measure.id == measure).first()
    assert row is not None
    await Measure.update(
        {
            Measure.done_vnd: row["done_vnd"] + amount_vnd,
            Measure.done_m2: Decimal(row["done_m2"]) + Decimal(land),
            Measure.done_count: row["done_count"] + n,
        }
    ).where(Measure.id == measure)


async def build_world() -> dict[str, int]:
    """Insert the dataset; returns the ids of the agencies and a few records by name."""
    await ensure_catalogues()
    province = await add_agency("TTT", "Thanh tra tỉnh", None, "/")
    construction = await add_agency("SXD", "Sở Xây dựng", province, f"/{province}/")
    finance = await add_agency("STC", "Sở Tài chính", province, f"/{province}/")
    housing = await add_agency(
        "QLN", "Phòng Quản lý nhà", construction, f"/{province}/{construction}/"
    )

    s1 = await add_subject("Công ty TNHH Hà Nam", "enterprise")
    s2 = await add_subject("Công ty CP Bình Minh", "enterprise")
    s3 = await add_subject("Nguyễn Văn An", "individual")
    s4 = await add_subject("Trường THPT Lê Lợi", "organization")

    # I1: announced on 15/12/2025 (first day of Q1 2026), concluded on 14/03/2026 (Q1).
    i1 = await add_case(
        "I1",
        construction,
        (s1, s2),
        decision_date=D(2025, 12, 10),
        announced_on=D(2025, 12, 15),
        onsite_ended_on=D(2026, 2, 10),
        concluded_on=D(2026, 3, 14),
        status="concluded",
    )
    await add_finding(i1, s1, 1_250_500_000, "100.25")
    await add_finding(i1, s1, 49_500_123)
    m1 = await add_measure(i1, "recover_money", amount_vnd=1_000_000_000)
    m2 = await add_measure(i1, "recover_land", land_m2="50.50")
    await add_measure(i1, "other_financial", amount_vnd=200_000_000)
    m4 = await add_measure(i1, "discipline", collectives=1, individuals=3)
    m5 = await add_measure(
        i1, "criminal_referral", cases=1, persons=2, status="done", completed_on=D(2026, 7, 1)
    )
    await add_execution(m1, D(2026, 3, 1), amount_vnd=400_000_000)
    await add_execution(m1, D(2026, 4, 10), amount_vnd=100_000_000)
    await add_execution(m2, D(2026, 5, 20), land="20.25")
    await add_execution(m4, D(2026, 3, 10), n=2)
    await add_execution(m5, D(2026, 7, 1), n=2)
    # Deleted: a finding naming another subject, a recovery with money recovered on it.
    await add_finding(i1, s3, 777_000_000, "7.77", deleted_at=DELETED)
    gone = await add_measure(i1, "recover_money", amount_vnd=333_000_000, deleted_at=DELETED)
    await add_execution(gone, D(2026, 3, 1), amount_vnd=111_000_000)

    # I2: an old-law administrative inspection carried over into 2026, concluded on 15/03 (Q2).
    i2 = await add_case(
        "I2",
        construction,
        (s4,),
        kind="admin_inspection",
        origin="ad_hoc",
        decision_date=D(2025, 9, 1),
        announced_on=D(2025, 9, 10),
        onsite_ended_on=D(2025, 11, 1),
        concluded_on=D(2026, 3, 15),
        status="concluded",
    )
    await add_finding(i2, None, 80_000_000)
    m6 = await add_measure(
        i2, "recover_money", amount_vnd=80_000_000, status="done", completed_on=D(2026, 6, 14)
    )
    await add_execution(m6, D(2026, 6, 14), amount_vnd=80_000_000)
    # Deleted and still open: it neither adds to the recovery nor keeps I2 from completion.
    await add_measure(i2, "recover_money", amount_vnd=44_000_000, deleted_at=DELETED)

    # I3: announced on 15/03/2026 (Q2), on-site ended, not concluded.
    await add_case(
        "I3",
        construction,
        (s2,),
        announced_on=D(2026, 3, 15),
        onsite_ended_on=D(2026, 5, 1),
        status="onsite_ended",
    )

    # I4: concluded on 14/12/2025 (report year 2025); its recovery continues in 2026.
    i4 = await add_case(
        "I4",
        construction,
        (s1,),
        origin="ad_hoc",
        announced_on=D(2025, 10, 1),
        onsite_ended_on=D(2025, 11, 20),
        concluded_on=D(2025, 12, 14),
        status="concluded",
    )
    m7 = await add_measure(i4, "recover_money", amount_vnd=500_000_000)
    await add_execution(m7, D(2025, 12, 1), amount_vnd=100_000_000)
    await add_execution(m7, D(2026, 2, 1), amount_vnd=200_000_000)

    # I5: report year 2025 (the comparison), closed in June 2025.
    i5 = await add_case(
        "I5",
        finance,
        (s2,),
        announced_on=D(2025, 1, 10),
        onsite_ended_on=D(2025, 2, 1),
        concluded_on=D(2025, 3, 1),
        closed_on=D(2025, 6, 1),
        status="closed",
    )
    m8 = await add_measure(
        i5, "recover_money", amount_vnd=100_000_000, status="done", completed_on=D(2025, 3, 10)
    )
    await add_execution(m8, D(2025, 3, 10), amount_vnd=100_000_000)

    # I6: started by its decision (no announcement recorded), cancelled in February.
    await add_case(
        "I6",
        housing,
        origin="ad_hoc",
        decision_date=D(2026, 1, 5),
        cancelled_on=D(2026, 2, 1),
        status="cancelled",
    )
    # I7: a draft never counts; I8: a deleted case never counts.
    await add_case("I7", construction, status="draft")
    i8 = await add_case(
        "I8",
        construction,
        (s1,),
        announced_on=D(2026, 1, 1),
        status="onsite",
        deleted_at=datetime(2026, 1, 2, tzinfo=UTC),
    )
    await add_finding(i8, s1, 12_000_000)
    # I10: a deleted case concluded in Q1 2026, with its results and a recovery under way.
    i10 = await add_case(
        "I10",
        construction,
        (s2, s4),
        decision_date=D(2025, 10, 20),
        announced_on=D(2025, 11, 1),
        onsite_ended_on=D(2025, 12, 20),
        concluded_on=D(2026, 1, 20),
        status="concluded",
        deleted_at=DELETED,
    )
    await add_finding(i10, s2, 66_000_000, "6.60")
    m10 = await add_measure(i10, "recover_money", amount_vnd=66_000_000)
    await add_execution(m10, D(2026, 2, 2), amount_vnd=22_000_000)
    m11 = await add_measure(i10, "discipline", collectives=1, individuals=1)
    await add_execution(m11, D(2026, 3, 2), n=1)
    # I9: the province's own inspection, on-site ended on 14/03/2026.
    await add_case(
        "I9",
        province,
        (s3,),
        announced_on=D(2026, 2, 1),
        onsite_ended_on=D(2026, 3, 14),
        status="onsite_ended",
    )

    # C1: a specialised check concluded in Q1 2026 with sanctions on both sides of 15/03.
    c1 = await add_case(
        "C1",
        finance,
        (s1, s3),
        kind="check",
        announced_on=D(2026, 1, 15),
        concluded_on=D(2026, 2, 15),
        status="concluded",
    )
    await add_finding(c1, s1, 10_000_000)
    await add_finding(c1, s3, 5_000_000)
    m9 = await add_measure(
        c1,
        "admin_fine",
        amount_vnd=15_000_000,
        decision_no="12/QĐ-XPVPHC",
        decision_date=D(2026, 2, 20),
    )
    await add_measure(
        c1,
        "admin_fine",
        amount_vnd=7_500_000,
        decision_no="13/QĐ-XPVPHC",
        decision_date=D(2026, 3, 15),
    )
    await add_measure(c1, "confiscation", amount_vnd=3_000_000, decision_date=D(2026, 3, 14))
    m12 = await add_measure(c1, "recover_money", amount_vnd=2_000_000)
    await add_execution(m9, D(2026, 3, 1), amount_vnd=15_000_000)
    await add_execution(m12, D(2026, 3, 20), amount_vnd=2_000_000)
    # Deleted: a finding on another organisation, a fine paid and a recovery made.
    await add_finding(c1, s2, 1_000_000, deleted_at=DELETED)
    gone_fine = await add_measure(
        c1,
        "admin_fine",
        amount_vnd=9_000_000,
        decision_no="14/QĐ-XPVPHC",
        decision_date=D(2026, 2, 25),
        deleted_at=DELETED,
    )
    await add_execution(gone_fine, D(2026, 3, 2), amount_vnd=9_000_000)
    gone_recovery = await add_measure(c1, "recover_money", amount_vnd=4_000_000, deleted_at=DELETED)
    await add_execution(gone_recovery, D(2026, 3, 20), amount_vnd=4_000_000)

    # C2: an old-law specialised inspection carried over into 2026.
    await add_case(
        "C2",
        finance,
        (s2,),
        kind="specialised_inspection",
        origin="ad_hoc",
        announced_on=D(2025, 11, 1),
        status="onsite",
    )
    # C3: a deleted check concluded in Q1 2026, with a fine decided and paid.
    c3 = await add_case(
        "C3",
        finance,
        (s3,),
        kind="check",
        announced_on=D(2026, 1, 10),
        concluded_on=D(2026, 2, 10),
        status="concluded",
        deleted_at=DELETED,
    )
    await add_finding(c3, s3, 1_500_000)
    c3_fine = await add_measure(
        c3,
        "admin_fine",
        amount_vnd=1_500_000,
        decision_no="9/QĐ-XPVPHC",
        decision_date=D(2026, 2, 12),
    )
    await add_execution(c3_fine, D(2026, 2, 20), amount_vnd=1_500_000)
    return {
        "province": province,
        "construction": construction,
        "finance": finance,
        "housing": housing,
        "i1": i1,
        "m1": m1,
    }
