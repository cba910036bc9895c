"""Inspection pages: the filtered list, the case page, create and edit forms, lifecycle events.

Thin handlers over ``services.inspections``: the rules (who may record which event, the legal
clock, the once-a-year warning) live there and in ``domain``; ``forms.inspections`` reads the
forms; these pages show what the services answer and keep the user's input when a form
comes back.
"""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.response import Redirect, Template
from markupsafe import Markup

from inspect_app import page_cache
from inspect_app.clock import today
from inspect_app.controllers.approval_pages import SENT_FOR_APPROVAL
from inspect_app.controllers.case_views import case_page_context
from inspect_app.controllers.page_support import (
    agency_choices,
    done,
    message_text,
    posted_action,
    read_form,
    save,
    stale_page,
    translated_choices,
)
from inspect_app.domain import lifecycle
from inspect_app.domain.labels import ORIGIN_LABELS, ORIGIN_SOURCE_LABELS
from inspect_app.errors import Conflict, InvalidInput, NotFound
from inspect_app.exceptions import request_language
from inspect_app.forms import inspections as case_forms
from inspect_app.forms.common import CHOOSE_AGENCY, date_or_none, form_version, id_list, page_links
from inspect_app.forms.common import query_string as list_query
from inspect_app.forms.figures import figure_period_options
from inspect_app.i18n import translate
from inspect_app.pages import (
    flash,
    reader_part_key,
    render,
    render_part,
    render_reader_part,
    shared_part_key,
    with_csrf,
)
from inspect_app.principal import Principal
from inspect_app.schemas.cases import CaseWarning, InspectionList
from inspect_app.schemas.cases import Inspection as InspectionOut
from inspect_app.schemas.cases import Subject as SubjectOut
from inspect_app.services import catalogues, inspections, plans, subjects, users

PAGE_SIZE = 25


async def _form_context(
    request: Request[Any, Any, Any],
    principal: Principal,
    values: dict[str, Any],
    errors: dict[str, str],
    *,
    case: InspectionOut | None = None,
    warnings: list[CaseWarning] | None = None,
    found: list[SubjectOut] | None = None,
) -> dict[str, Any]:
    lang = request_language(request)
    kinds = await catalogues.case_kinds()
    plan_rows = (await plans.list_plans(principal, limit=200)).items
    chosen = id_list(values.get("subject_ids"))
    chosen_subjects = await subjects.subjects_by_ids(chosen)
    return {
        "case": case,
        "values": values,
        "errors": errors,
        "warnings": warnings or [],
        "found_subjects": [s for s in found or [] if s.id not in chosen_subjects],
        "chosen_subjects": [chosen_subjects[s] for s in chosen if s in chosen_subjects],
        "agency_choices": await agency_choices(principal),
        "kind_choices": [(k["code"], k[f"name_{lang}"]) for k in kinds],
        "plan_choices": [("", translate("None", lang))]
        + [(str(p.id), f"{p.year} · {p.title or p.decision_no or p.id}") for p in plan_rows],
        "origin_choices": translated_choices(request, ORIGIN_LABELS),
        "source_choices": [("", "—"), *translated_choices(request, ORIGIN_SOURCE_LABELS)],
        "team": await users.team_options(principal),
        "can_override": principal.can("inspection.override_overlap"),
    }


async def _render_form(
    request: Request[Any, Any, Any],
    principal: Principal,
    values: dict[str, Any],
    errors: dict[str, str],
    status_code: int = 200,
    **extra: Any,
) -> Template:
    context = await _form_context(request, principal, values, errors, **extra)
    return await render(request, "inspections/form.html", status_code=status_code, **context)


async def _found_subjects(principal: Principal, data: dict[str, Any]) -> list[SubjectOut]:
    query = str(data.get("subject_q") or "").strip()
    if not query:
        return []
    return (await subjects.list_subjects(principal, q=query, limit=20)).items


async def _stale_page(
    request: Request[Any, Any, Any],
    principal: Principal,
    inspection_id: int,
    submitted: dict[str, Any],
    action: str,
    *,
    compare: bool = True,
) -> Template:
    """The page answering a stale save: what changed since the form was read, and a re-apply."""
    current = await inspections.get_inspection(principal, inspection_id)
    differences = []
    if compare:
        names = await subjects.subjects_by_ids(
            current.subject_ids + id_list(submitted.get("subject_ids"))
        )
        team = {str(u.id): u.full_name for u in await users.team_options(principal)}
        lookups = {
            "subject_ids": {str(k): v.name for k, v in names.items()},
            "member_user_ids": team,
            "lead_user_id": team,
            "origin": dict(translated_choices(request, ORIGIN_LABELS)),
            "origin_source": dict(translated_choices(request, ORIGIN_SOURCE_LABELS)),
        }
        differences = case_forms.case_differences(
            case_forms.case_values(current), submitted, lookups, request_language(request)
        )
    return await stale_page(
        request,
        principal,
        "inspections/stale.html",
        entity_type="inspection",
        entity_id=inspection_id,
        current_version=current.version,
        submitted=submitted,
        differences=differences,
        action=action,
        reload_url=f"/inspections/{inspection_id}",
        title=f"{current.code} · {current.title}",
    )


async def _case_page(
    request: Request[Any, Any, Any],
    principal: Principal,
    inspection_id: int,
    status_code: int,
    **context: Any,
) -> Template:
    """The case page; as it is first shown (no message, no form sent back) it is kept for
    its reader until the next write (page_cache), with their CSRF token put in each time."""

    async def part() -> tuple[str, str]:
        page = await case_page_context(request, principal, inspection_id, **context)
        return page["case"].code, render_reader_part(request, "inspections/_case.html", **page)

    if context or status_code != 200:
        code, html = await part()
    else:
        key = reader_part_key(request, principal, "case", inspection_id)
        code, html = await page_cache.kept_parts(key, part)
    return await render(
        request,
        "inspections/detail.html",
        status_code=status_code,
        case_code=str(code),  # text, escaped by the template (kept parts come back as Markup)
        case_html=with_csrf(request, Markup(html)),
    )


async def _list_context(
    request: Request[Any, Any, Any],
    principal: Principal,
    values: dict[str, str],
    subject_id: int | None,
) -> dict[str, Any]:
    """The choices and names of the case list's filter form."""
    lang = request_language(request)
    everything = ("", translate("All", lang))
    agencies_in_scope = await agency_choices(principal)
    kinds = await catalogues.case_kinds(active_only=False)
    subject = (await subjects.subjects_by_ids([subject_id])).get(subject_id) if subject_id else None
    return {
        "values": values,
        "subject": subject,
        "agency_choices": [("", translate("My whole scope", lang)), *agencies_in_scope],
        "agency_names": {int(k): v.lstrip("— ") for k, v in agencies_in_scope},
        "kind_choices": [everything, *[(k["code"], k[f"name_{lang}"]) for k in kinds]],
        "kind_names": {k["code"]: k[f"name_{lang}"] for k in kinds},
        "status_choices": [
            everything,
            *[(s, translate(lifecycle.STATUS_LABELS[s], lang)) for s in lifecycle.STATUSES],
        ],
        "origin_choices": [everything, *translated_choices(request, ORIGIN_LABELS)],
        "overdue_choices": [
            everything,
            ("yes", translate("Overdue", lang)),
            ("no", translate("Not overdue", lang)),
        ],
        "status_urls": {
            s: f"/inspections?{list_query(values, status=s)}" for s in lifecycle.STATUSES
        },
        "all_url": f"/inspections?{list_query(values, status='')}",
        "can_create": principal.can("inspection.create"),
        "period_groups": figure_period_options(today(), lang, values.get("period")),
    }


class _RefusedFilter(Exception):
    """A filter the service refused: its page, with the errors, is shown and not kept."""

    def __init__(self, html: str) -> None:
        super().__init__("refused filter")
        self.html = html


async def _list_part(
    request: Request[Any, Any, Any],
    principal: Principal,
    values: dict[str, str],
    numbers: dict[str, int | None],
    errors: dict[str, str],
    cursor: str | None,
) -> str:
    """The case list below the menu, rendered (``errors`` gains what the service refuses)."""
    page = InspectionList(items=[], next_cursor=None, counts={})
    if not errors:
        try:
            page = await inspections.list_inspections(
                principal,
                **case_forms.list_arguments(values, numbers),
                cursor=cursor or None,
                limit=PAGE_SIZE,
            )
        except InvalidInput as exc:
            errors.update(exc.errors)
        except NotFound:
            errors["agency_id"] = CHOOSE_AGENCY
    return render_part(
        request,
        "inspections/_list.html",
        items=page.items,
        counts=page.counts,
        total=sum(page.counts.values()),
        errors=errors,
        **page_links("/inspections", values, page.next_cursor, cursor),
        **await _list_context(request, principal, values, numbers["subject_id"]),
    )


class InspectionPageController(Controller):
    """``/inspections``: list, case page, create, edit, delete a draft, lifecycle events."""

    include_in_schema = False

    @get("/inspections", opt={"permission": "read"})
    async def index(
        self,
        request: Request[Any, Any, Any],
        principal: Principal,
        agency_id: str | None = None,
        include_sub: str | None = None,
        year: str | None = None,
        period: str | None = None,
        origin: str | None = None,
        kind: str | None = None,
        status: str | None = None,
        overdue: str | None = None,
        subject_id: str | None = None,
        q: str | None = None,
        cursor: str | None = None,
        table: str | None = None,
        concluded_in: str | None = None,
    ) -> Template:
        """Cases in scope with filters, counts per status and a keyset "next page" link.

        The list below the menu is the same for every reader of the same scope on the same
        day: it is rendered once and reused until the next write (page_cache), counts per
        status included.
        """
        raw = {
            "agency_id": agency_id,
            "include_sub": include_sub,
            "year": year,
            "period": period,
            "origin": origin,
            "kind": kind,
            "status": status,
            "overdue": overdue,
            "subject_id": subject_id,
            "q": q,
            "table": table,
            "concluded_in": concluded_in,
        }
        values, numbers, errors = case_forms.case_filters(raw)
        if errors:
            html = await _list_part(request, principal, values, numbers, errors, cursor)
            return await render(request, "inspections/index.html", 422, list_html=html)
        key = shared_part_key(request, principal, "inspections", "inspection.create")
        failed: dict[str, str] = {}

        async def part() -> str:
            html = await _list_part(request, principal, values, numbers, failed, cursor)
            if failed:  # the service refused the filter: not kept, shown with its errors
                raise _RefusedFilter(html)
            return html

        try:
            html = await page_cache.kept(key, part)
        except _RefusedFilter as refused:
            return await render(request, "inspections/index.html", 422, list_html=refused.html)
        return await render(request, "inspections/index.html", list_html=html)

    @get("/inspections/new", opt={"permission": "inspection.create"})
    async def new(
        self,
        request: Request[Any, Any, Any],
        principal: Principal,
        subject_id: str | None = None,
        plan_id: str | None = None,
    ) -> Template:
        """The form registering a case (scheduled or ad-hoc)."""
        values = case_forms.new_case_values(
            agency_id=principal.agency_id,
            user_id=principal.id,
            may_lead=principal.can("inspection.event"),
            default_duration_days=inspections.RULES.default_duration_days,
            subject_id=subject_id,
            plan_id=plan_id,
        )
        return await _render_form(request, principal, values, {})

    @post("/inspections", opt={"permission": "inspection.create"}, status_code=200)
    async def create(
        self, request: Request[Any, Any, Any], principal: Principal, ip: str
    ) -> Template | Redirect:
        """Register a case; warns first when an enterprise was already inspected this year."""
        data = await read_form(request)
        if await posted_action(request) == "find_subjects":
            found = await _found_subjects(principal, data)
            return await _render_form(request, principal, data, {}, found=found)
        warnings = await inspections.preview_overlap(
            principal, id_list(data.get("subject_ids")), date_or_none(data.get("decision_date"))
        )
        gate = case_forms.overlap_gate(
            data, warnings, may_override=principal.can("inspection.override_overlap")
        )
        if gate is not None:
            return await _render_form(
                request, principal, data, gate, 422 if gate else 200, warnings=warnings
            )
        return await save(
            request,
            lambda: inspections.create_inspection(principal, case_forms.service_data(data), ip),
            errors=lambda errors: _render_form(
                request, principal, data, errors, 422, warnings=warnings
            ),
            message="The case was registered.",
            then=lambda created: f"/inspections/{created.id}",
        )

    @get("/inspections/{inspection_id:int}", opt={"permission": "read"})
    async def detail(
        self, request: Request[Any, Any, Any], principal: Principal, inspection_id: int
    ) -> Template:
        """The case: status, deadlines, timeline, findings, measures, documents, history."""
        return await _case_page(request, principal, inspection_id, 200)

    @get("/inspections/{inspection_id:int}/edit", opt={"permission": "inspection.edit"})
    async def edit(
        self, request: Request[Any, Any, Any], principal: Principal, inspection_id: int
    ) -> Template:
        """The edit form of an open case, with the version it reads."""
        case = await inspections.get_inspection(principal, inspection_id)
        if case.status in inspections.FINISHED_STATUSES:
            raise Conflict(inspections.CASE_FINISHED, code="case_finished")
        return await _render_form(request, principal, case_forms.case_values(case), {}, case=case)

    @post(
        "/inspections/{inspection_id:int}/edit",
        opt={"permission": "inspection.edit"},
        status_code=200,
    )
    async def update(
        self, request: Request[Any, Any, Any], principal: Principal, inspection_id: int, ip: str
    ) -> Template | Redirect:
        """Save a case's details; a stale version gets the page of what changed meanwhile."""
        case = await inspections.get_inspection(principal, inspection_id)
        data = await read_form(request)
        data.pop("agency_id", None)  # a case stays with its agency
        if await posted_action(request) == "find_subjects":
            found = await _found_subjects(principal, data)
            return await _render_form(request, principal, data, {}, case=case, found=found)
        added = [s for s in id_list(data.get("subject_ids")) if s not in case.subject_ids]
        warnings = (
            await inspections.preview_overlap(
                principal, added, date_or_none(data.get("decision_date")), inspection_id
            )
            if added
            else []
        )
        gate = case_forms.overlap_gate(
            data, warnings, may_override=principal.can("inspection.override_overlap")
        )
        if gate is not None:
            return await _render_form(
                request, principal, data, gate, 422 if gate else 200, case=case, warnings=warnings
            )
        return await save(
            request,
            lambda: inspections.update_inspection(
                principal, inspection_id, form_version(data), case_forms.service_data(data), ip
            ),
            errors=lambda errors: _render_form(
                request, principal, data, errors, 422, case=case, warnings=warnings
            ),
            stale=lambda: _stale_page(
                request, principal, inspection_id, data, f"/inspections/{inspection_id}/edit"
            ),
            message="The changes were saved.",
            then=f"/inspections/{inspection_id}",
        )

    @post(
        "/inspections/{inspection_id:int}/events",
        opt={"permission": "inspection.event"},
        status_code=200,
    )
    async def record_event(
        self, request: Request[Any, Any, Any], principal: Principal, inspection_id: int, ip: str
    ) -> Template | Redirect:
        """Record a lifecycle event; mistakes come back beside the event's fields."""
        lang = request_language(request)
        data = await read_form(request)
        event = str(data.get("type") or "")
        try:
            recorded = await inspections.record_event(
                principal, inspection_id, {**data, "version": form_version(data)}, ip
            )
        except InvalidInput as exc:
            return await _case_page(
                request,
                principal,
                inspection_id,
                422,
                event_type=event,
                event_errors=exc.errors,
                event_values=data,
            )
        except Conflict as exc:
            if exc.code == "stale_version":
                return await _stale_page(
                    request,
                    principal,
                    inspection_id,
                    data,
                    f"/inspections/{inspection_id}/events",
                    compare=False,
                )
            return await _case_page(
                request,
                principal,
                inspection_id,
                409,
                event_type=event,
                event_values=data,
                message=translate(exc.message, lang, **exc.values),
            )
        if recorded.pending_approval:
            flash(request, translate(SENT_FOR_APPROVAL, lang))
            return Redirect(path=f"/inspections/{inspection_id}#approvals", status_code=303)
        label = translate(lifecycle.EVENT_LABELS.get(event, event), lang)
        flash(request, translate("Recorded: {event}.", lang, event=label))
        return Redirect(path=f"/inspections/{inspection_id}#timeline", status_code=303)

    @post(
        "/inspections/{inspection_id:int}/delete",
        opt={"permission": "inspection.delete"},
        status_code=200,
    )
    async def delete(
        self, request: Request[Any, Any, Any], principal: Principal, inspection_id: int, ip: str
    ) -> Redirect:
        """Delete a draft case; anything else stays and the reason is shown."""
        data = await read_form(request)
        try:
            await inspections.delete_inspection(principal, inspection_id, form_version(data), ip)
        except Conflict as exc:
            flash(request, message_text(request, exc.message, **exc.values), "error")
            return Redirect(path=f"/inspections/{inspection_id}", status_code=303)
        return done(request, "The draft case was deleted.", "/inspections")
