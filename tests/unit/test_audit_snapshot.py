"""What an audit row keeps of a record: the record as the API writes it."""

from __future__ import annotations

import json
from datetime import date

import msgspec

from inspect_app.services import audit
from tests.factories import measure_as_shown


def test_a_snapshot_keeps_every_field_but_those_left_out() -> None:
    measure = measure_as_shown(amount_vnd=5_000_000, due_on=date(2026, 6, 30))
    kept = audit.snapshot(measure, leave_out=("pending_approval",))
    assert "pending_approval" not in kept
    assert (kept["amount_vnd"], kept["due_on"], kept["land_m2"]) == (
        5_000_000,
        date(2026, 6, 30),  # dates stay dates: the row's JSON writes them as before
        "0.00",
    )
    assert set(audit.snapshot(measure)) == set(kept) | {"pending_approval"}


def test_records_nested_in_a_snapshot_are_written_as_objects() -> None:
    # A case carries its deadlines and warnings as records: the audit row's JSON must hold
    # their fields, not the text of a Python repr.
    from inspect_app.schemas.cases import CaseWarning, Deadlines

    class Shown(msgspec.Struct):
        deadlines: Deadlines
        warnings: list[CaseWarning]

    record = Shown(
        deadlines=Deadlines(
            onsite_due=date(2026, 2, 3),
            conclusion_due=None,
            publication_due=None,
            directive_due=None,
        ),
        warnings=[CaseWarning(code="subject_already_inspected", message="Đã thanh tra")],
    )
    written = json.loads(audit.canonical_json(audit.snapshot(record)))
    assert written["deadlines"]["onsite_due"] == "2026-02-03"
    assert written["warnings"][0]["code"] == "subject_already_inspected"
