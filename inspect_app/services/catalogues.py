"""Reference catalogues that must exist in every database: case kinds and reminder ladders."""

from __future__ import annotations

from datetime import date

from inspect_app.services import reference_cache
from models.tables import CaseKind, DeadlineLadder

LAW_2025_IN_FORCE = date(2025, 7, 1)

# (code, Vietnamese, English, report table, valid from, valid to)
CASE_KINDS: list[tuple[str, str, str, int, date | None, date | None]] = [
    ("inspection", "Thanh tra", "Inspection", 1, LAW_2025_IN_FORCE, None),
    ("check", "Kiểm tra chuyên ngành", "Specialised check", 2, None, None),
    (
        "admin_inspection",
        "Thanh tra hành chính",
        "Administrative inspection",
        1,
        None,
        date(2025, 6, 30),
    ),
    (
        "specialised_inspection",
        "Thanh tra chuyên ngành",
        "Specialised inspection",
        2,
        None,
        date(2025, 6, 30),
    ),
]

# Deadline types watched by the reminder job, with the default ladder of PRODUCT.md (and
# the handling of tips, docs/tips.md, and units' reports due to the agency above,
# docs/reports.md, on the same ladder).
DEADLINE_TYPES = ("onsite", "conclusion", "publication", "directive", "measure", "tip", "report")


async def ensure_catalogues() -> None:
    """Insert missing catalogue rows; never overwrite what an admin changed."""
    existing = {row["code"] for row in await CaseKind.select(CaseKind.code)}
    new_kinds = [
        CaseKind(
            code=code, name_vi=vi, name_en=en, report_table=table, valid_from=start, valid_to=end
        )
        for code, vi, en, table, start, end in CASE_KINDS
        if code not in existing
    ]
    if new_kinds:
        await CaseKind.insert(*new_kinds)
    ladders = {
        row["deadline_type"] for row in await DeadlineLadder.select(DeadlineLadder.deadline_type)
    }
    new_ladders = [
        DeadlineLadder(
            deadline_type=kind, remind_days=[5, 1], overdue_after_days=1, escalate_after_days=7
        )
        for kind in DEADLINE_TYPES
        if kind not in ladders
    ]
    if "digest" not in ladders:
        # The daily digest: rungs of lateness, then a repeat (domain.digests.DigestLadder).
        new_ladders.append(
            DeadlineLadder(
                deadline_type="digest",
                remind_days=[90, 60, 30],
                overdue_after_days=1,
                escalate_after_days=30,
            )
        )
    if new_ladders:
        await DeadlineLadder.insert(*new_ladders)


async def case_kinds(active_only: bool = True) -> list[dict[str, object]]:
    """The case kinds, for forms and validation (cached per process while unchanged)."""

    async def load() -> list[dict[str, object]]:
        query = CaseKind.select().order_by(CaseKind.id)
        if active_only:
            query = query.where(CaseKind.active == True)  # noqa: E712
        return await query

    return await reference_cache.cached("case_kinds", ("all", active_only), load)
