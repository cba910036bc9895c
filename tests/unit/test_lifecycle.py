from __future__ import annotations

import pytest

from inspect_app.domain.lifecycle import (
    EVENT_LABELS,
    EVENT_ROLES,
    EVENTS,
    OPEN_STATUSES,
    STATUS_LABELS,
    STATUSES,
    TRANSITIONS,
    IllegalTransition,
    TransitionContext,
    allowed_events,
    can_perform,
    event_label,
    next_status,
    role_on_case,
    status_label,
)
from inspect_app.i18n import translate

LEGAL = [
    ("draft", "announce", "onsite"),
    ("onsite", "extend", "onsite"),
    ("suspended", "extend", "suspended"),
    ("onsite", "suspend", "suspended"),
    ("suspended", "resume", "onsite"),
    ("onsite", "end_onsite", "onsite_ended"),
    ("onsite_ended", "report", "reported"),
    ("onsite_ended", "conclude", "concluded"),
    ("reported", "conclude", "concluded"),
    ("concluded", "publish", "concluded"),
    ("concluded", "direct", "concluded"),
    ("concluded", "close", "closed"),
    ("draft", "cancel", "cancelled"),
    ("onsite", "cancel", "cancelled"),
    ("suspended", "cancel", "cancelled"),
    ("onsite_ended", "cancel", "cancelled"),
    ("reported", "cancel", "cancelled"),
]


@pytest.mark.parametrize(("status", "event", "after"), LEGAL)
def test_every_legal_transition(status: str, event: str, after: str) -> None:
    assert next_status(status, event) == after


def test_the_table_holds_exactly_the_legal_transitions() -> None:
    table = {(s, e, after) for e, moves in TRANSITIONS.items() for s, after in moves.items()}
    assert table == set(LEGAL)


@pytest.mark.parametrize(
    ("status", "event", "reason", "reason_vi"),
    [
        (
            "draft",
            "end_onsite",
            "Cannot end on-site inspection while the inspection is in status “Draft” (draft).",
            "Không thể kết thúc thanh tra trực tiếp khi cuộc thanh tra đang ở trạng thái "
            "“Dự thảo”.",
        ),
        (
            "onsite",
            "conclude",
            "Cannot issue the conclusion while the inspection is in status "
            "“On-site inspection” (onsite).",
            "Không thể ban hành kết luận khi cuộc thanh tra đang ở trạng thái "
            "“Đang thanh tra trực tiếp”.",
        ),
        (
            "suspended",
            "end_onsite",
            "Cannot end on-site inspection while the inspection is in status "
            "“Suspended” (suspended).",
            "Không thể kết thúc thanh tra trực tiếp khi cuộc thanh tra đang ở trạng thái "
            "“Tạm dừng”.",
        ),
        (
            "concluded",
            "cancel",
            "Cannot cancel while the inspection is in status “Concluded” (concluded).",
            "Không thể hủy khi cuộc thanh tra đang ở trạng thái “Đã kết luận”.",
        ),
        (
            "closed",
            "announce",
            "Cannot announce the decision while the inspection is in status “Closed” (closed).",
            "Không thể công bố quyết định khi cuộc thanh tra đang ở trạng thái “Đã đóng”.",
        ),
    ],
)
def test_illegal_transitions_name_the_current_status(
    status: str, event: str, reason: str, reason_vi: str
) -> None:
    with pytest.raises(IllegalTransition) as caught:
        next_status(status, event)
    assert caught.value.code == "not_allowed_in_status"
    assert caught.value.reason == reason
    assert translate(caught.value.message, "vi", **caught.value.values) == reason_vi
    assert str(caught.value) == reason


@pytest.mark.parametrize("event", EVENTS)
def test_nothing_happens_after_cancellation(event: str) -> None:
    with pytest.raises(IllegalTransition, match="“Cancelled” \\(cancelled\\)"):
        next_status("cancelled", event)


def test_publish_and_direct_happen_once() -> None:
    with pytest.raises(IllegalTransition) as caught:
        next_status("concluded", "publish", TransitionContext(published=True))
    assert caught.value.code == "already_published"
    assert translate(caught.value.message, "vi") == "Kết luận đã được công khai."
    with pytest.raises(IllegalTransition) as caught:
        next_status("concluded", "direct", TransitionContext(directed=True))
    assert caught.value.code == "already_directed"
    assert next_status("concluded", "direct", TransitionContext(published=True)) == "concluded"


def test_close_needs_every_measure_done_or_written_off() -> None:
    with pytest.raises(IllegalTransition) as caught:
        next_status("concluded", "close", TransitionContext(measures_open=2))
    assert caught.value.code == "measures_open"
    assert caught.value.reason == (
        "Cannot close the case: 2 measures are neither done nor written off."
    )
    assert translate(caught.value.message, "vi", **caught.value.values) == (
        "Không thể đóng hồ sơ: còn 2 kiến nghị chưa thực hiện xong."
    )
    with pytest.raises(IllegalTransition) as caught:
        next_status("concluded", "close", TransitionContext(measures_open=1))
    assert caught.value.reason == (
        "Cannot close the case: 1 measure is neither done nor written off."
    )
    assert translate(caught.value.message, "en", **caught.value.values) == caught.value.reason
    assert next_status("concluded", "close", TransitionContext(measures_open=0)) == "closed"


def test_unknown_status_and_event() -> None:
    with pytest.raises(IllegalTransition) as caught:
        next_status("archived", "close")
    assert caught.value.code == "unknown_status"
    with pytest.raises(IllegalTransition) as caught:
        next_status("draft", "approve")
    assert caught.value.code == "unknown_event"
    assert allowed_events("archived") == []


@pytest.mark.parametrize(
    ("status", "events"),
    [
        ("draft", ["announce", "cancel"]),
        ("onsite", ["extend", "suspend", "end_onsite", "cancel"]),
        ("suspended", ["extend", "resume", "cancel"]),
        ("onsite_ended", ["report", "conclude", "cancel"]),
        ("reported", ["conclude", "cancel"]),
        ("concluded", ["publish", "direct", "close"]),
        ("closed", []),
        ("cancelled", []),
    ],
)
def test_allowed_events_in_order(status: str, events: list[str]) -> None:
    assert allowed_events(status) == events


def test_allowed_events_follow_the_context() -> None:
    done = TransitionContext(published=True, directed=True, measures_open=1)
    assert allowed_events("concluded", done) == []
    assert allowed_events("concluded", TransitionContext(published=True)) == ["direct", "close"]


def test_allowed_events_for_a_role() -> None:
    assert allowed_events("draft", role="inspector") == ["announce"]
    assert allowed_events("onsite", role="inspector") == []
    assert allowed_events("onsite_ended", role="inspector") == ["report"]
    assert allowed_events("onsite", role="lead") == ["extend", "suspend", "end_onsite", "cancel"]
    assert allowed_events("concluded", role="head") == ["publish", "direct", "close"]
    assert allowed_events("draft", role="viewer") == []
    assert allowed_events("draft", role="admin") == []


def test_role_table() -> None:
    assert set(EVENT_ROLES) == set(EVENTS)
    for role, expected in [
        ("inspector", {"announce", "report"}),
        ("lead", set(EVENTS)),
        ("head", set(EVENTS)),
        ("viewer", set()),
        ("admin", set()),
    ]:
        assert {e for e in EVENTS if can_perform(role, e)} == expected, role
    assert not can_perform("guest", "announce")
    assert not can_perform("head", "approve")


def test_open_statuses() -> None:
    assert OPEN_STATUSES == (
        "draft",
        "onsite",
        "suspended",
        "onsite_ended",
        "reported",
        "concluded",
    )


def test_labels() -> None:
    assert set(STATUS_LABELS) == set(STATUSES)
    assert set(EVENT_LABELS) == set(EVENTS)
    assert [translate(STATUS_LABELS[s], "vi") for s in STATUSES] == [
        "Dự thảo",
        "Đang thanh tra trực tiếp",
        "Tạm dừng",
        "Kết thúc trực tiếp",
        "Đã báo cáo kết quả",
        "Đã kết luận",
        "Đã đóng",
        "Đã hủy",
    ]
    assert [translate(EVENT_LABELS[e], "vi") for e in EVENTS] == [
        "Công bố quyết định",
        "Gia hạn",
        "Tạm dừng",
        "Tiếp tục",
        "Kết thúc thanh tra trực tiếp",
        "Báo cáo kết quả",
        "Ban hành kết luận",
        "Công khai kết luận",
        "Chỉ đạo thực hiện",
        "Đóng hồ sơ",
        "Hủy",
    ]
    assert all(
        translate(label, "en") for label in [*STATUS_LABELS.values(), *EVENT_LABELS.values()]
    )
    assert status_label("suspended", "en") == "Suspended"
    assert event_label("publish") == "Công khai kết luận"


@pytest.mark.parametrize(
    ("role", "user_id", "lead_user_id", "acting_as"),
    [
        ("inspector", 7, 7, "lead"),  # the trưởng đoàn leads the case
        ("inspector", 7, 8, "inspector"),  # another case's lead, or a member
        ("inspector", 7, None, "inspector"),  # no lead named yet
        ("head", 7, 7, "head"),  # a head leading a case stays a head
        ("lead", 7, 8, "lead"),
        ("viewer", 7, 7, "viewer"),  # being named does not make a viewer a case worker
        ("admin", 7, 7, "admin"),
    ],
)
def test_role_on_case(role: str, user_id: int, lead_user_id: int | None, acting_as: str) -> None:
    assert role_on_case(role, user_id, lead_user_id) == acting_as


def test_the_case_lead_may_take_every_step_the_account_role_may_not() -> None:
    acting = role_on_case("inspector", 1, 1)
    reserved = [e for e in EVENTS if not can_perform("inspector", e)]
    assert reserved and all(can_perform(acting, e) for e in reserved)
