"""The approvals page: changes waiting for a second person, approved, rejected or withdrawn.

``services.approvals`` decides who may approve (domain.approvals); the page shows the
approve and reject buttons only to them, and the withdraw button only to the requester.
"""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.response import Redirect, Template

from inspect_app.controllers.page_support import done, local_path, message_text, read_form
from inspect_app.domain.approvals import STATUS_LABELS, STATUSES
from inspect_app.domain.messages import N_
from inspect_app.errors import Conflict, Forbidden, InvalidInput
from inspect_app.pages import flash, render
from inspect_app.principal import Principal
from inspect_app.services import approvals

SENT_FOR_APPROVAL = N_("The request was sent; it takes effect when a second person approves it.")
DECIDED = {
    "approve": N_("Approved: the change was made."),
    "reject": N_("The request was rejected; nothing changed."),
    "withdraw": N_("The request was withdrawn."),
}


def saved_message(result: Any, default: str = "The changes were saved.") -> str:
    """What a form's save says: the change made, or the request sent for approval."""
    pending = (
        result.get("pending_approval")
        if isinstance(result, dict)
        else getattr(result, "pending_approval", None)
    )
    return SENT_FOR_APPROVAL if pending else default


class ApprovalPageController(Controller):
    """``/approvals``: the list, and the decision on one request."""

    include_in_schema = False

    @get("/approvals", opt={"permission": "approval.read"})
    async def index(
        self,
        request: Request[Any, Any, Any],
        principal: Principal,
        status: str = "pending",
        cursor: str | None = None,
    ) -> Template:
        """Requests in scope with the given status, the one waiting longest first."""
        shown = status if status in STATUSES else "pending"
        page = await approvals.list_approvals(principal, status=shown, cursor=cursor)
        return await render(
            request,
            "approvals/index.html",
            approvals=page.items,
            next_cursor=page.next_cursor,
            status=shown,
            statuses=[(code, STATUS_LABELS[code]) for code in STATUSES],
        )

    @post("/approvals/{approval_id:int}/decision", opt={"permission": "approval.read"})
    async def decide(
        self, request: Request[Any, Any, Any], principal: Principal, approval_id: int, ip: str
    ) -> Redirect:
        """Approve, reject or withdraw; a refusal comes back as a message on the list."""
        data = await read_form(request)
        decision = str(data.get("decision") or "")
        back = local_path(data.get("next"), "/approvals")
        try:
            asked, unread = approvals.decision_request(data)
            await approvals.decide(principal, approval_id, asked, ip, unread=unread)
        except (Conflict, Forbidden) as exc:
            flash(request, message_text(request, exc.message, **exc.values), "error")
            return Redirect(path=back, status_code=303)
        except InvalidInput as exc:
            problem = next(iter(exc.errors.values()), exc.message)
            flash(request, message_text(request, problem), "error")
            return Redirect(path=back, status_code=303)
        return done(request, DECIDED.get(decision, DECIDED["approve"]), back)
