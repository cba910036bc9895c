"""Matrix cases of notifications, the follow-up board, reminder letters and the
reminder-ladder admin page.

A notification "outside" is another user's notice: marking it read answers 404. The ladder
form's path parameter is a deadline type, not a record id: ``{deadline_type:str}`` takes
"measure" (the route is not scoped to an agency).
"""

from __future__ import annotations

from typing import Any

from tests.authz.spec import RouteCase, form_post
from tests.authz.world import World

LADDER_TYPE = "measure"


def _ladder_form(world: World, side: str) -> dict[str, Any]:
    return {
        "remind_days": "5, 1",
        "overdue_after_days": "1",
        "escalate_after_days": "7",
        "active": "true",
        "version": "1",
    }


def _letter_form(world: World, side: str) -> dict[str, Any]:
    # No date: the form comes back with the problem (nothing issued by the matrix).
    return {"measure_id": str(world.id_of("measure", side)), "issued_on": "", "report_by": ""}


CASES: list[RouteCase] = [
    RouteCase("GET", "/api/notifications", "self", scoped=False, expect_ok=(200,)),
    RouteCase(
        "POST",
        "/api/notifications/{notification_id:int}/read",
        "self",
        target="notification",
        expect_ok=(200,),
    ),
    RouteCase("POST", "/api/notifications/read-all", "self", scoped=False, expect_ok=(200,)),
    RouteCase("GET", "/notifications", "self", scoped=False, expect_ok=(200,)),
    form_post(
        "/notifications/{notification_id:int}/read",
        "self",
        target="notification",
        expect_ok=(302, 303),
    ),
    RouteCase(
        "POST", "/notifications/read-all", "self", form=True, scoped=False, expect_ok=(302, 303)
    ),
    RouteCase("GET", "/api/follow-ups", "followup.board", scoped=False, expect_ok=(200,)),
    RouteCase("GET", "/follow-ups", "followup.board", scoped=False, expect_ok=(200,)),
    RouteCase("GET", "/follow-ups/export.csv", "followup.board", scoped=False, expect_ok=(200,)),
    RouteCase("GET", "/follow-ups/export.xlsx", "followup.board", scoped=False, expect_ok=(200,)),
    # Without a chosen row the draft comes back with the problem.
    RouteCase(
        "GET", "/follow-ups/reminders/new", "followup.remind", scoped=False, expect_ok=(422,)
    ),
    RouteCase(
        "POST",
        "/follow-ups/reminders",
        "followup.remind",
        body=_letter_form,
        form=True,
        scoped=False,
        expect_ok=(422,),
    ),
    RouteCase("GET", "/reminders", "read", scoped=False, expect_ok=(200,)),
    RouteCase("GET", "/reminders/{letter_id:int}", "read", "reminder_letter", expect_ok=(200,)),
    RouteCase(
        "GET", "/reminders/{letter_id:int}/letter.pdf", "read", "reminder_letter", expect_ok=(200,)
    ),
    RouteCase(
        "GET", "/reminders/{letter_id:int}/letter.docx", "read", "reminder_letter", expect_ok=(200,)
    ),
    RouteCase("GET", "/admin/ladders", "ladder.manage", scoped=False, expect_ok=(200,)),
    form_post(
        "/admin/ladders/{deadline_type:str}",
        "ladder.manage",
        body=_ladder_form,
        scoped=False,
        expect_ok=(200, 302, 303, 422),
    ),
]
