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

from inspect_app.domain.messages import N_, N_plural, in_english, lazy, pN_
from inspect_app.i18n import translate

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

# Names of the statuses and events, as message ids (translated by the pages and the history).
STATUS_LABELS: dict[str, str] = {
    "draft": N_("Draft"),
    "onsite": N_("On-site inspection"),
    "suspended": N_("Suspended"),
    "onsite_ended": N_("On-site work ended"),
    "reported": N_("Results reported"),
    "concluded": N_("Concluded"),
    "closed": N_("Closed"),
    "cancelled": N_("Cancelled"),
}
# Events are named in the context "case event": "Cancel" is also a form's button ("Hủy bỏ").
EVENT_LABELS: dict[str, str] = {
    "announce": pN_("case event", "Announce the decision"),
    "extend": pN_("case event", "Extend"),
    "suspend": pN_("case event", "Suspend"),
    "resume": pN_("case event", "Resume"),
    "end_onsite": pN_("case event", "End on-site inspection"),
    "report": pN_("case event", "Report the results"),
    "conclude": pN_("case event", "Issue the conclusion"),
    "publish": pN_("case event", "Publish the conclusion"),
    "direct": pN_("case event", "Direct implementation"),
    "close": pN_("case event", "Close the case"),
    "cancel": pN_("case event", "Cancel"),
}
# The event inside a sentence ("Cannot {action} while ..."): its own message id, since not
# every language writes it as the button's label with a small first letter.
EVENT_ACTIONS: dict[str, str] = {
    "announce": N_("announce the decision"),
    "extend": N_("extend"),
    "suspend": N_("suspend"),
    "resume": N_("resume"),
    "end_onsite": N_("end on-site inspection"),
    "report": N_("report the results"),
    "conclude": N_("issue the conclusion"),
    "publish": N_("publish the conclusion"),
    "direct": N_("direct implementation"),
    "close": N_("close the case"),
    "cancel": N_("cancel"),
}


class IllegalTransition(Exception):
    """An event that may not happen now: ``code`` for machines, a message id for people.

    ``message`` and ``values`` are what :func:`inspect_app.i18n.translate` takes; ``reason``
    is the message in English (the language of the ids), which is also ``str(exc)``.
    """

    def __init__(self, code: str, message: str, **values: object) -> None:
        self.code = code
        self.message = message
        self.values = values
        self.reason = in_english(message, values)
        super().__init__(self.reason)


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


def role_on_case(role: str, user_id: int, lead_user_id: int | None) -> str:
    """The role a user acts in on one case.

    The team lead (trưởng đoàn) named on a case takes every step reserved to leads on that
    case, whatever their account's role: an inspector leading a case is its lead. Any other
    role is kept (a head stays a head; a viewer or an administrator still changes no case).
    """
    if role == "inspector" and lead_user_id is not None and user_id == lead_user_id:
        return "lead"
    return role


def status_label(status: str, lang: str = "vi") -> str:
    """The status as shown in the interface."""
    return translate(STATUS_LABELS[status], lang)


def event_label(event: str, lang: str = "vi") -> str:
    """The event as shown on its button."""
    return translate(EVENT_LABELS[event], lang)


def _refusal(status: str, event: str, ctx: TransitionContext) -> IllegalTransition | None:
    if status not in STATUS_LABELS:
        return IllegalTransition("unknown_status", N_("Unknown status {status!r}."), status=status)
    if event not in EVENT_LABELS:
        return IllegalTransition("unknown_event", N_("Unknown event {event!r}."), event=event)
    if status not in TRANSITIONS[event]:
        return IllegalTransition(
            "not_allowed_in_status",
            N_("Cannot {action} while the inspection is in status “{status}” ({status_code})."),
            action=lazy(EVENT_ACTIONS[event]),
            status=lazy(STATUS_LABELS[status]),
            status_code=status,
        )
    if event == "publish" and ctx.published:
        return IllegalTransition(
            "already_published", N_("The conclusion has already been published.")
        )
    if event == "direct" and ctx.directed:
        return IllegalTransition(
            "already_directed",
            N_("The directive to implement the conclusion has already been issued."),
        )
    if event == "close" and ctx.measures_open > 0:
        return IllegalTransition(
            "measures_open",
            N_plural(
                "Cannot close the case: {count} measure is neither done nor written off.",
                "Cannot close the case: {count} measures are neither done nor written off.",
            ),
            count=ctx.measures_open,
        )
    return None


def case_code(report_table: int, year: int, inspection_id: int) -> str:
    """The code of a case, the same for cases typed in, imported or seeded: "TT-2026-000123"
    (an inspection, table 01 of the report) or "KT-2026-000123" (a check, table 02)."""
    return f"{'KT' if report_table == 2 else 'TT'}-{year}-{inspection_id:06d}"
