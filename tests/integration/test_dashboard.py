"""The dashboard's figures agree with the pages they link to."""

from __future__ import annotations

from datetime import timedelta

from inspect_app import clock
from inspect_app.services import follow_up_figures, inspections
from tests.factories import event, make_inspection, make_subject, make_tree, make_user


async def test_overdue_card_counts_what_the_overdue_filter_lists(db: str) -> None:
    tree = await make_tree()
    lead = await make_user(tree["A"], role="lead")
    today = clock.today()

    # On-site work ended 20 days ago: the result report (15 days) is late, the conclusion
    # (35 days) is not yet. That is overdue.
    late_report = await make_inspection(lead, [await make_subject()], title="Báo cáo trễ hạn")
    await event(lead, late_report, "announce", today - timedelta(days=40))
    await event(lead, late_report, "end_onsite", today - timedelta(days=20))
    # Announced two days ago: every deadline is ahead.
    on_time = await make_inspection(lead, [await make_subject()], title="Đúng hạn")
    await event(lead, on_time, "announce", today - timedelta(days=2))

    listed = await inspections.list_inspections(lead.principal, overdue=True)
    assert [item.id for item in listed.items] == [late_report["id"]]
    figures, _, _ = await follow_up_figures.figures_for(lead.principal, today)
    assert figures["overdue_cases"] == 1
