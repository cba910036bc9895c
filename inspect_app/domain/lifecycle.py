"""The stages of an inspection and the events that move it from one to the next.

    draft --announce--> onsite <--suspend/resume--> suspended
    onsite --end_onsite--> onsite_ended --report--> reported
    onsite_ended | reported --conclude--> concluded --close--> closed
    draft | onsite | suspended | onsite_ended | reported --cancel--> cancelled

``extend`` keeps the status (onsite or suspended); ``publish`` and ``direct`` keep it
(concluded) and may happen once each; ``close`` needs every measure done or written off.
"""

from __future__ import annotations

from dataclasses import dataclass

STATUSES = (
    "draft",  # created, the decision may be issued, not yet announced
    "onsite",
    "suspended",
    "onsite_ended",
    "reported",
    "concluded",
    "closed",
    "cancelled",
)
OPEN_STATUSES = STATUSES[:6]  # not closed and not cancelled
EVENTS = (
    "announce",
    "extend",
    "suspend",
    "resume",
    "end_onsite",
    "report",
    "conclude",
    "publish",
    "direct",
    "close",
    "cancel",
)

# event -> {status it may happen in: status it leads to}
TRANSITIONS: dict[str, dict[str, str]] = {
    "announce": {"draft": "onsite"},
    "extend": {"onsite": "onsite", "suspended": "suspended"},
    "suspend": {"onsite": "suspended"},
    "resume": {"suspended": "onsite"},
    "end_onsite": {"onsite": "onsite_ended"},
    "report": {"onsite_ended": "reported"},
    "conclude": {"onsite_ended": "concluded", "reported": "concluded"},
    "publish": {"concluded": "concluded"},
    "direct": {"concluded": "concluded"},
    "close": {"concluded": "closed"},
    "cancel": {
        status: "cancelled"
        for status in ("draft", "onsite", "suspended", "onsite_ended", "reported")
    },
}

_LEADERS = frozenset({"lead", "head"})
_TEAM = frozenset({"inspector", "lead", "head"})
# Inspectors record the announcement and the result report; every other step is a decision
# of the team lead or the head. Viewers and administrators change no case.
EVENT_ROLES: dict[str, frozenset[str]] = {
    "announce": _TEAM,
    "extend": _LEADERS,
    "suspend": _LEADERS,
    "resume": _LEADERS,
    "end_onsite": _LEADERS,
    "report": _TEAM,
    "conclude": _LEADERS,
    "publish": _LEADERS,
    "direct": _LEADERS,
    "close": _LEADERS,
    "cancel": _LEADERS,
}

STATUS_LABELS: dict[str, dict[str, str]] = {
    "draft": {"vi": "Dự thảo", "en": "Draft"},
    "onsite": {"vi": "Đang thanh tra trực tiếp", "en": "On-site inspection"},
    "suspended": {"vi": "Tạm dừng", "en": "Suspended"},
    "onsite_ended": {"vi": "Kết thúc trực tiếp", "en": "On-site work ended"},
    "reported": {"vi": "Đã báo cáo kết quả", "en": "Results reported"},
    "concluded": {"vi": "Đã kết luận", "en": "Concluded"},
    "closed": {"vi": "Đã đóng", "en": "Closed"},
    "cancelled": {"vi": "Đã hủy", "en": "Cancelled"},
}
EVENT_LABELS: dict[str, dict[str, str]] = {
    "announce": {"vi": "Công bố quyết định", "en": "Announce the decision"},
    "extend": {"vi": "Gia hạn", "en": "Extend"},
    "suspend": {"vi": "Tạm dừng", "en": "Suspend"},
    "resume": {"vi": "Tiếp tục", "en": "Resume"},
    "end_onsite": {"vi": "Kết thúc thanh tra trực tiếp", "en": "End on-site inspection"},
    "report": {"vi": "Báo cáo kết quả", "en": "Report the results"},
    "conclude": {"vi": "Ban hành kết luận", "en": "Issue the conclusion"},
    "publish": {"vi": "Công khai kết luận", "en": "Publish the conclusion"},
    "direct": {"vi": "Chỉ đạo thực hiện", "en": "Direct implementation"},
    "close": {"vi": "Đóng hồ sơ", "en": "Close the case"},
    "cancel": {"vi": "Hủy", "en": "Cancel"},
}


class IllegalTransition(Exception):
    """An event that may not happen now; ``code`` for machines, reasons for people."""

    def __init__(self, code: str, reason: str, reason_vi: str) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason
        self.reason_vi = reason_vi


@dataclass(frozen=True)
class TransitionContext:
    """Facts about the case, beyond its status, that some events depend on."""

    published: bool = False
    directed: bool = False
    measures_open: int = 0  # measures neither done nor written off


def next_status(status: str, event: str, ctx: TransitionContext = TransitionContext()) -> str:
    """The status after ``event``; raises IllegalTransition saying why it may not happen."""
    refusal = _refusal(status, event, ctx)
    if refusal is not None:
        raise refusal
    return TRANSITIONS[event][status]


def allowed_events(
    status: str, ctx: TransitionContext = TransitionContext(), role: str | None = None
) -> list[str]:
    """The events possible now, in the order of EVENTS, for ``role`` when given."""
    return [
        event
        for event in EVENTS
        if _refusal(status, event, ctx) is None and (role is None or can_perform(role, event))
    ]


def can_perform(role: str, event: str) -> bool:
    """True when ``role`` may record ``event``; unknown roles and events are refused."""
    return role in EVENT_ROLES.get(event, frozenset())


def status_label(status: str, lang: str = "vi") -> str:
    """The status as shown in the interface."""
    return STATUS_LABELS[status][lang]


def event_label(event: str, lang: str = "vi") -> str:
    """The event as shown on its button."""
    return EVENT_LABELS[event][lang]


def _refusal(status: str, event: str, ctx: TransitionContext) -> IllegalTransition | None:
    if status not in STATUS_LABELS:
        return IllegalTransition(
            "unknown_status",
            f"Unknown status {status!r}.",
            f"Trạng thái không hợp lệ: {status!r}.",
        )
    if event not in EVENT_LABELS:
        return IllegalTransition(
            "unknown_event",
            f"Unknown event {event!r}.",
            f"Thao tác không hợp lệ: {event!r}.",
        )
    if status not in TRANSITIONS[event]:
        action_en = _lower_first(EVENT_LABELS[event]["en"])
        action_vi = _lower_first(EVENT_LABELS[event]["vi"])
        return IllegalTransition(
            "not_allowed_in_status",
            f"Cannot {action_en} while the inspection is in status "
            f"“{STATUS_LABELS[status]['en']}” ({status}).",
            f"Không thể {action_vi} khi cuộc thanh tra đang ở trạng thái "
            f"“{STATUS_LABELS[status]['vi']}”.",
        )
    if event == "publish" and ctx.published:
        return IllegalTransition(
            "already_published",
            "The conclusion has already been published.",
            "Kết luận đã được công khai.",
        )
    if event == "direct" and ctx.directed:
        return IllegalTransition(
            "already_directed",
            "The directive to implement the conclusion has already been issued.",
            "Đã có văn bản chỉ đạo thực hiện kết luận.",
        )
    if event == "close" and ctx.measures_open > 0:
        return IllegalTransition(
            "measures_open",
            f"Cannot close the case: {ctx.measures_open} measure(s) are neither done nor "
            "written off.",
            f"Không thể đóng hồ sơ: còn {ctx.measures_open} kiến nghị chưa thực hiện xong.",
        )
    return None


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]
