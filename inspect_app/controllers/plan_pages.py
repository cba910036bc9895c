"""Annual inspection plan pages: plans per agency and year, progress, the ad-hoc cases beside."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from litestar import Controller, Request, get, post
from litestar.response import Redirect, Template

from inspect_app import clock
from inspect_app.controllers.case_page_forms import (
    PLAN_STATUS_LABELS,
    agency_choices,
    date_text,
    int_or_none,
    read_form,
    stale_context,
)
from inspect_app.controllers.inspection_pages import form_version
from inspect_app.exceptions import Conflict, InvalidInput, NotFound, request_language
from inspect_app.i18n import translate
from inspect_app.pages import flash, render
from inspect_app.principal import Principal
from inspect_app.services import agencies, inspections, plans

PLAN_FIELDS = (
    ("year", "Year"),
    ("title", "Plan title"),
    ("decision_no", "Decision number"),
    ("decision_date", "Decision date"),
    ("status", "Status"),
    ("note", "Note"),
)
PAGE_SIZE = 25


def plan_values(row: dict[str, Any]) -> dict[str, Any]:
    """A stored plan as its form shows it."""
    return {
        "agency_id": str(row["agency_id"]),
        "year": str(row["year"]),
        "title": row["title"],
        "decision_no": row["decision_no"] or "",
        "decision_date": date_text(row["decision_date"]),
        "status": row["status"],
        "note": row["note"],
        "version": str(row["version"]),
    }


async def _form(
    request: Request[Any, Any, Any],
    principal: Principal,
    values: dict[str, Any],
    errors: dict[str, str],
    plan: dict[str, Any] | None = None,
    status_code: int = 200,
) -> Template:
    lang = request_language(request)
    return await render(
        request,
        "plans/form.html",
        status_code=status_code,
        plan=plan,
        values=values,
        errors=errors,
        agency_choices=await agency_choices(principal),
        status_choices=[(k, translate(v, lang)) for k, v in PLAN_STATUS_LABELS.items()],
    )


class PlanPageController(Controller):
    """``/plans``: annual plans in scope, one plan's cases and progress, create and edit."""

    include_in_schema = False

    @get("/plans", opt={"permission": "read"})
    async def index(
        self,
        request: Request[Any, Any, Any],
        principal: Principal,
        agency_id: str | None = None,
        year: str | None = None,
        cursor: str | None = None,
    ) -> Template:
        """Plans of the agencies in scope, newest first, by agency and year."""
        lang = request_language(request)
        values = {"agency_id": agency_id or "", "year": (year or "").strip()}
        errors: dict[str, str] = {}
        if values["agency_id"] and int_or_none(values["agency_id"]) is None:
            errors["agency_id"] = "Choose an agency from the list."
        if values["year"] and int_or_none(values["year"]) is None:
            errors["year"] = "Enter a year between 1990 and 2100."
        page: dict[str, Any] = {"items": [], "next_cursor": None}
        if not errors:
            try:
                page = await plans.list_plans(
                    principal,
                    agency_id=int_or_none(values["agency_id"]),
                    year=int_or_none(values["year"]),
                    cursor=cursor or None,
                    limit=PAGE_SIZE,
                )
            except InvalidInput as exc:
                errors.update(exc.errors)
            except NotFound:
                errors["agency_id"] = "Choose an agency from the list."
        choices = await agency_choices(principal)
        query = {k: v for k, v in values.items() if v}
        return await render(
            request,
            "plans/index.html",
            status_code=422 if errors else 200,
            items=page["items"],
            values=values,
            errors=errors,
            agency_choices=[("", translate("My whole scope", lang)), *choices],
            agency_names={int(k): v.lstrip("— ") for k, v in choices},
            status_labels=PLAN_STATUS_LABELS,
            next_url=f"/plans?{urlencode({**query, 'cursor': page['next_cursor']})}"
            if page["next_cursor"]
            else None,
            first_url=f"/plans?{urlencode(query)}" if cursor else None,
            can_manage=principal.can("plan.manage"),
        )

    @get("/plans/new", opt={"permission": "plan.manage"})
    async def new(self, request: Request[Any, Any, Any], principal: Principal) -> Template:
        """The form of a new annual plan (next year by default)."""
        values = {
            "agency_id": str(principal.agency_id),
            "year": str(clock.today().year + 1),
            "status": "draft",
        }
        return await _form(request, principal, values, {})

    @post("/plans", opt={"permission": "plan.manage"}, status_code=200)
    async def create(
        self, request: Request[Any, Any, Any], principal: Principal, ip: str
    ) -> Template | Redirect:
        """Create a plan; one per agency and year, mistakes beside their fields."""
        data = await read_form(request)
        try:
            created = await plans.create_plan(principal, data, ip)
        except InvalidInput as exc:
            return await _form(request, principal, data, exc.errors, None, 422)
        except NotFound:
            return await _form(
                request,
                principal,
                data,
                {"agency_id": "Choose an agency from the list."},
                None,
                422,
            )
        flash(request, translate("The plan was created.", request_language(request)))
        return Redirect(path=f"/plans/{created['id']}", status_code=303)

    @get("/plans/{plan_id:int}", opt={"permission": "read"})
    async def detail(
        self, request: Request[Any, Any, Any], principal: Principal, plan_id: int
    ) -> Template:
        """A plan: its cases, how many started and finished, and the year's ad-hoc cases."""
        plan = await plans.get_plan(principal, plan_id)
        agency = await agencies.get_visible(principal, plan["agency_id"])
        ad_hoc = await inspections.list_inspections(
            principal,
            agency_id=plan["agency_id"],
            include_sub=False,
            year=plan["year"],
            origin="ad_hoc",
            limit=200,
        )
        return await render(
            request,
            "plans/detail.html",
            plan=plan,
            agency=agency,
            planned=await inspections.list_plan_inspections(principal, plan_id),
            progress=await inspections.plan_progress(principal, plan_id),
            ad_hoc=ad_hoc["items"],
            ad_hoc_more=ad_hoc["next_cursor"] is not None,
            status_labels=PLAN_STATUS_LABELS,
            can_manage=principal.can("plan.manage"),
            can_create=principal.can("inspection.create"),
        )

    @get("/plans/{plan_id:int}/edit", opt={"permission": "plan.manage"})
    async def edit(
        self, request: Request[Any, Any, Any], principal: Principal, plan_id: int
    ) -> Template:
        """The edit form of a plan."""
        plan = await plans.get_plan(principal, plan_id)
        return await _form(request, principal, plan_values(plan), {}, plan)

    @post("/plans/{plan_id:int}/edit", opt={"permission": "plan.manage"}, status_code=200)
    async def update(
        self, request: Request[Any, Any, Any], principal: Principal, plan_id: int, ip: str
    ) -> Template | Redirect:
        """Save a plan; a stale version gets the page of what changed meanwhile."""
        plan = await plans.get_plan(principal, plan_id)
        data = await read_form(request)
        data.pop("agency_id", None)  # a plan stays with its agency
        try:
            await plans.update_plan(principal, plan_id, form_version(data), data, ip)
        except InvalidInput as exc:
            return await _form(request, principal, data, exc.errors, plan, 422)
        except Conflict as exc:
            if exc.code != "stale_version":
                raise
            current = await plans.get_plan(principal, plan_id)
            stored = plan_values(current)
            context = await stale_context(
                principal,
                entity_type="plan",
                entity_id=plan_id,
                read_version=int(data["version"]),
                current_version=current["version"],
                submitted=data,
                differences=[
                    {"label": label, "current": stored[key] or "—", "mine": data[key] or "—"}
                    for key, label in PLAN_FIELDS
                    if key in data and str(stored[key]).strip() != str(data[key]).strip()
                ],
                action=f"/plans/{plan_id}/edit",
                reload_url=f"/plans/{plan_id}/edit",
                title=f"{current['year']} · {current['title']}",
            )
            return await render(request, "plans/stale.html", status_code=409, **context)
        flash(request, translate("The changes were saved.", request_language(request)))
        return Redirect(path=f"/plans/{plan_id}", status_code=303)
