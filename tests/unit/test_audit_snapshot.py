"""What an audit row keeps of a record: the record as the API writes it."""

from __future__ import annotations

from datetime import date

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
