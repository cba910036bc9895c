"""Annual inspection plan pages: plans per agency and year, progress, the ad-hoc cases beside."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.response import Redirect, Template

from inspect_app import clock
from inspect_app.controllers.page_support import (
    agency_choices,
    read_form,
    save,
    stale_edit,
    translated_choices,
)
from inspect_app.domain.labels import PLAN_STATUS_LABELS
from inspect_app.errors import InvalidInput, NotFound
from inspect_app.exceptions import request_language
from inspect_app.forms.common import CHOOSE_AGENCY, form_version, page_links
from inspect_app.forms.plans import PLAN_FIELDS, new_plan_values, plan_filters, plan_values
from inspect_app.i18n import translate
from inspect_app.pages import render
from inspect_app.principal import Principal
from inspect_app.schemas.cases import Plan, PlanList
from inspect_app.services import agencies, inspections, plans

PAGE_SIZE = 25


async def _form(
    request: Request[Any, Any, Any],
    principal: Principal,
    values: dict[str, Any],
    errors: dict[str, str],
    plan: Plan | None = None,
    status_code: int = 200,
) -> Template:
    return await render(
        request,
        "plans/form.html",
        status_code=status_code,
        plan=plan,
        values=values,
        errors=errors,
        agency_choices=await agency_choices(principal),
        status_choices=translated_choices(request, PLAN_STATUS_LABELS),
    )


async def _create(principal: Principal, data: dict[str, Any], ip: str) -> Plan:
    """Create the plan; an agency out of scope is a mistake of the agency field here."""
    entry, unread = plans.create_request(data)
    try:
        return await plans.create_plan(principal, entry, ip, unread=unread)
    except NotFound:
        raise InvalidInput({"agency_id": CHOOSE_AGENCY}) from None


async def _update(principal: Principal, plan_id: int, data: dict[str, Any], ip: str) -> Plan:
    change, unread = plans.update_request(form_version(data), data)
    return await plans.update_plan(principal, plan_id, change, ip, unread=unread)


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
        values, numbers, errors = plan_filters(agency_id, year)
        page = PlanList(items=[], next_cursor=None)
        if not errors:
            try:
                page = await plans.list_plans(
                    principal,
                    agency_id=numbers["agency_id"],
                    year=numbers["year"],
                    cursor=cursor or None,
                    limit=PAGE_SIZE,
                )
            except InvalidInput as exc:
                errors.update(exc.errors)
            except NotFound:
                errors["agency_id"] = CHOOSE_AGENCY
        choices = await agency_choices(principal)
        return await render(
            request,
            "plans/index.html",
            status_code=422 if errors else 200,
            items=page.items,
            values=values,
            errors=errors,
            agency_choices=[("", translate("My whole scope", request_language(request))), *choices],
            agency_names={int(k): v.lstrip("— ") for k, v in choices},
            status_labels=PLAN_STATUS_LABELS,
            can_manage=principal.can("plan.manage"),
            **page_links("/plans", values, page.next_cursor, cursor),
        )

    @get("/plans/new", opt={"permission": "plan.manage"})
    async def new(self, request: Request[Any, Any, Any], principal: Principal) -> Template:
        """The form of a new annual plan (next year by default)."""
        values = new_plan_values(principal.agency_id, clock.today().year)
        return await _form(request, principal, values, {})

    @post("/plans", opt={"permission": "plan.manage"}, status_code=200)
    async def create(
        self, request: Request[Any, Any, Any], principal: Principal, ip: str
    ) -> Template | Redirect:
        """Create a plan; one per agency and year, mistakes beside their fields."""
        data = await read_form(request)
        return await save(
            request,
            lambda: _create(principal, data, ip),
            errors=lambda errors: _form(request, principal, data, errors, None, 422),
            message="The plan was created.",
            then=lambda created: f"/plans/{created.id}",
        )

    @get("/plans/{plan_id:int}", opt={"permission": "read"})
    async def detail(
        self, request: Request[Any, Any, Any], principal: Principal, plan_id: int
    ) -> Template:
        """A plan: its cases, how many started and finished, and the year's ad-hoc cases."""
        plan = await plans.get_plan(principal, plan_id)
        ad_hoc = await inspections.list_inspections(
            principal,
            agency_id=plan.agency_id,
            include_sub=False,
            year=plan.year,
            origin="ad_hoc",
            limit=200,
        )
        return await render(
            request,
            "plans/detail.html",
            plan=plan,
            agency=await agencies.get_visible(principal, plan.agency_id),
            planned=await inspections.list_plan_inspections(principal, plan_id),
            progress=await inspections.plan_progress(principal, plan_id),
            ad_hoc=ad_hoc.items,
            ad_hoc_more=ad_hoc.next_cursor is not None,
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
        stale = stale_edit(
            request,
            principal,
            "plans/stale.html",
            entity_type="plan",
            entity_id=plan_id,
            current=lambda: plans.get_plan(principal, plan_id),
            fields=PLAN_FIELDS,
            values=plan_values,
            submitted=data,
            edit_url=f"/plans/{plan_id}/edit",
            title=lambda current: f"{current.year} · {current.title}",
        )
        return await save(
            request,
            lambda: _update(principal, plan_id, data, ip),
            errors=lambda errors: _form(request, principal, data, errors, plan, 422),
            stale=stale,
            message="The changes were saved.",
            then=f"/plans/{plan_id}",
        )
