"""From checked rows to the records an import writes: keys, status, digests, rows left out."""

from __future__ import annotations

import datetime as dt

from inspect_app.domain.clock import ClockInput, Deadlines, compute_deadlines
from inspect_app.importing.plan import (
    blocking_problems,
    build_plan,
    case_key,
    case_status,
    subject_key,
)
from inspect_app.importing.reader import Sheet
from inspect_app.importing.validate import dry_run

TODAY = dt.date(2026, 12, 5)
D = dt.date


def _deadlines(inp: ClockInput) -> Deadlines:
    return compute_deadlines(inp)


def _sheets(executions: list[list[object]] | None = None) -> list[Sheet]:
    return [
        Sheet(
            "Cuộc thanh tra",
            [
                [
                    "Số QĐ",
                    "Ngày QĐ",
                    "Tên cuộc thanh tra",
                    "Hình thức",
                    "Ngày công bố",
                    "Ngày kết thúc trực tiếp",
                    "Ngày KL",
                ],
                [
                    "5/QĐ-TTr",
                    D(2024, 1, 2),
                    "Ngân sách",
                    "Theo kế hoạch",
                    D(2024, 1, 8),
                    D(2024, 2, 20),
                    D(2024, 3, 30),
                ],
                ["9/QĐ-TTr", D(2024, 5, 2), "Đất đai", "Đột xuất", None, None, None],
            ],
        ),
        Sheet(
            "Đối tượng",
            [
                ["Số QĐ", "Tên đối tượng", "MST"],
                ["5/QĐ-TTr", "Công ty A", "0101"],
                ["9/QĐ-TTr", "Ủy ban xã B", None],
            ],
        ),
        Sheet(
            "Kiến nghị",
            [
                [
                    "Số QĐ",
                    "Mã kiến nghị",
                    "Loại kiến nghị",
                    "Nội dung kiến nghị",
                    "Số tiền",
                    "Thời hạn",
                ],
                ["5/QĐ-TTr", "KN1", "Thu hồi về NSNN", "Thu hồi", 1_000_000, D(2024, 6, 30)],
            ],
        ),
        Sheet(
            "Thực hiện",
            [
                ["Số QĐ", "Mã kiến nghị", "Ngày thực hiện", "Đã thu hồi", "Số chứng từ"],
                *(
                    executions
                    or [
                        ["5/QĐ-TTr", "KN1", D(2024, 4, 1), 400_000, "GNT 1"],
                        ["5/QĐ-TTr", "KN1", D(2024, 4, 1), 100_000, "GNT 1"],
                    ]
                ),
            ],
        ),
    ]


def test_keys() -> None:
    assert case_key("5/QĐ-TTr", 2024) == "5/QĐ-TTr|2024"
    assert subject_key("Công ty A", "0101") == "tax:0101"
    assert subject_key("Ủy ban xã  Bình", None) == "name:uy ban xa binh"


def test_status_from_the_dates_a_case_has() -> None:
    assert case_status({}) == "draft"
    assert case_status({"announced_on": D(2024, 1, 8)}) == "onsite"
    assert case_status({"announced_on": D(2024, 1, 8), "onsite_ended_on": D(2024, 2, 1)}) == (
        "onsite_ended"
    )
    assert case_status({"onsite_ended_on": D(2024, 2, 1), "concluded_on": D(2024, 3, 1)}) == (
        "concluded"
    )


def test_plan_of_a_clean_workbook() -> None:
    result = dry_run(_sheets(), TODAY)
    assert result.clean, result.problems
    plan = build_plan(result, _deadlines)
    cases = plan.items["cases"]
    assert [c.key for c in cases] == ["5/QĐ-TTr|2024", "9/QĐ-TTr|2024"]
    assert [c.values["status"] for c in cases] == ["concluded", "draft"]
    assert cases[0].values["publication_due"] is not None
    assert cases[1].values["onsite_due"] is None  # not announced: no clock yet
    assert "cong ty a" in cases[0].values["search_text"]
    assert "5 qd ttr" in cases[0].values["search_text"]
    assert [s.key for s in plan.items["subjects"]] == ["tax:0101", "name:uy ban xa b"]
    assert plan.items["links"][0].refs == {
        "inspection": "5/QĐ-TTr|2024",
        "subject": "tax:0101",
    }
    # Two payments alike in recommendation, date and document: told apart by their place.
    keys = [e.key for e in plan.items["executions"]]
    assert keys == ["5/QĐ-TTr|2024|KN1|2024-04-01|GNT 1|1", "5/QĐ-TTr|2024|KN1|2024-04-01|GNT 1|2"]
    assert len(plan) == 2 + 2 + 2 + 1 + 2
    assert D(2024, 4, 1) in plan.dates()


def test_digest_follows_the_values() -> None:
    first = build_plan(dry_run(_sheets(), TODAY), _deadlines)
    again = build_plan(dry_run(_sheets(), TODAY), _deadlines)
    assert [i.digest for i in first.items["executions"]] == [
        i.digest for i in again.items["executions"]
    ]
    changed = _sheets(
        [
            ["5/QĐ-TTr", "KN1", D(2024, 4, 1), 400_001, "GNT 1"],
            ["5/QĐ-TTr", "KN1", D(2024, 4, 1), 100_000, "GNT 1"],
        ]
    )
    other = build_plan(dry_run(changed, TODAY), _deadlines)
    digests = [i.digest for i in other.items["executions"]]
    assert digests[0] != first.items["executions"][0].digest
    assert digests[1] == first.items["executions"][1].digest


def test_rows_left_out_take_their_dependants_with_them() -> None:
    result = dry_run(_sheets(), TODAY)
    # Leave out the first case (row 2 of the cases' sheet).
    plan = build_plan(result, _deadlines, {("Cuộc thanh tra", 2)})
    assert [c.key for c in plan.items["cases"]] == ["9/QĐ-TTr|2024"]
    assert plan.items["measures"] == [] and plan.items["executions"] == []
    # The case row itself, its subject, its recommendation and its two executions.
    assert plan.skipped_rows == 5


def test_a_missing_sheet_blocks_but_a_bad_row_does_not() -> None:
    bad_row = _sheets([["5/QĐ-TTr", "KN1", "32/04/2024", 1, ""]])
    result = dry_run(bad_row, TODAY)
    assert result.problems and blocking_problems(result) == []
    no_cases = dry_run(_sheets()[1:], TODAY)
    assert blocking_problems(no_cases) != []
