"""The record history in words: actions, field labels, dates, đồng, deadlines, hidden fields."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from inspect_app.audit_labels import (
    ACTION_LABELS,
    DEADLINE_LABELS,
    ENTITY_LABELS,
    EVENT_FIELD_LABELS,
    FIELD_LABELS,
    format_value,
    readable_entry,
)
from inspect_app.i18n import message_ids
from inspect_app.schemas.admin import AuditChange, AuditEntry


def _change(field: str, before: object, after: object) -> AuditChange:
    return AuditChange(field=field, before=before, after=after)


def _row(**fields: Any) -> AuditEntry:
    """A history row with what the labels read (action, kind, before, changes)."""
    values: dict[str, Any] = {
        "id": 1,
        "at": datetime(2026, 3, 9, 8, 0, tzinfo=UTC),
        "user_id": 1,
        "username": "lead",
        "action": "update",
        "entity_type": "",
        "entity_id": 1,
        "agency_id": 1,
        "before": None,
        "after": None,
        "changes": [],
        "ip": "",
    }
    return AuditEntry(**{**values, **fields})


def test_an_edit_of_a_case_reads_in_vietnamese() -> None:
    row = _row(
        action="update",
        entity_type="inspection",
        before={"version": 1},
        changes=[
            _change("decision_date", "2026-03-02", "2026-03-09"),
            _change(
                "deadlines",
                {"onsite_due": "2026-04-16", "report_due": None},
                {"onsite_due": "2026-04-23", "report_due": None},
            ),
            _change("search_text", "thanh tra", "thanh tra dat"),
            _change("updated_at", "2026-03-01T08:00:00+00:00", "2026-03-09T08:00:00+00:00"),
            _change("working_days", False, True),
            _change("origin_source", None, "hotline"),
            _change("title", "Thanh tra đất", "Thanh tra đất đai"),
        ],
    )

    entry = readable_entry(row, "vi")

    assert entry["action"] == "Sửa"
    assert entry["entity"] == "Cuộc thanh tra"
    assert entry["show_before"] is True
    assert entry["changes"] == [
        {"label": "Ngày quyết định", "before": "02/03/2026", "after": "09/03/2026"},
        {"label": "Kết thúc thanh tra trực tiếp", "before": "16/04/2026", "after": "23/04/2026"},
        {"label": "Tính theo ngày làm việc", "before": "Không", "after": "Có"},
        {"label": "Nguồn", "before": "—", "after": "Đường dây nóng"},
        {"label": "Tên cuộc thanh tra", "before": "Thanh tra đất", "after": "Thanh tra đất đai"},
    ]


def test_a_lifecycle_event_is_named_by_its_label_with_its_details() -> None:
    row = _row(
        action="event.conclude",
        entity_type="inspection",
        before={"status": "concluded"},
        changes=[
            _change("status", "reported", "concluded"),
            _change("concluded_on", None, "2026-05-04"),
            _change(
                "event",
                None,
                {"type": "conclude", "date": "2026-05-04", "conclusion_no": "25/KL-TTr"},
            ),
        ],
    )

    vi = readable_entry(row, "vi")
    en = readable_entry(row, "en")

    assert vi["action"] == "Ban hành kết luận"
    assert en["action"] == "Issue the conclusion"
    assert en["changes"] == [
        {"label": "Status", "before": "Results reported", "after": "Concluded"},
        {"label": "Concluded on", "before": "—", "after": "04/05/2026"},
        {"label": "Date", "before": "—", "after": "04/05/2026"},
        {"label": "Conclusion number", "before": "—", "after": "25/KL-TTr"},
    ]


def test_money_land_people_and_new_records() -> None:
    row = _row(
        action="create",
        entity_type="measure",
        before=None,
        changes=[
            _change("id", None, 12),
            _change("inspection_id", None, 3),
            _change("amount_vnd", None, 1_250_000),
            _change("land_m2", None, "1250.50"),
            _change("type", None, "recover_money"),
            _change("status", None, "written_off"),
        ],
    )

    entry = readable_entry(row, "vi")

    assert entry["action"] == "Thêm mới"
    assert entry["show_before"] is False
    assert [(c["label"], c["after"]) for c in entry["changes"]] == [
        ("Số tiền (đồng)", "1.250.000 ₫"),
        ("Diện tích đất (m²)", "1.250,50 m²"),
        ("Loại kiến nghị", "Thu hồi về ngân sách nhà nước"),
        ("Trạng thái", "Dừng theo dõi"),
    ]


def test_values_of_other_records() -> None:
    assert format_value("user", "role", "lead", "vi") == "Trưởng đoàn / Trưởng phòng"
    assert format_value("agency", "kind", "district", "en") == "District"
    assert format_value("inspection", "member_user_ids", [4, 5], "en") == "#4, #5"
    assert format_value("plan", "status", "approved", "vi") == "Đã phê duyệt"
    assert format_value("subject", "tax_code", "", "vi") == "—"


def test_deletion_and_unknown_actions() -> None:
    assert readable_entry(_row(action="delete", entity_type="finding"), "vi")["action"] == "Xóa"
    assert readable_entry(_row(action="something_new"), "en")["action"] == ("something_new")


def test_every_history_label_has_a_vietnamese_translation() -> None:
    labels = {*ACTION_LABELS.values(), *ENTITY_LABELS.values(), *DEADLINE_LABELS.values()}
    labels |= set(EVENT_FIELD_LABELS.values())
    for table in FIELD_LABELS.values():
        labels |= set(table.values())

    assert sorted(labels - message_ids("vi")) == []
