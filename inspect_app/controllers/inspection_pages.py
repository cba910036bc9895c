"""Inspection pages: the filtered list, the case page, create and edit forms, lifecycle events.

Thin handlers over ``services.inspections``: the rules (who may record which event, the legal
clock, the once-a-year warning) live there and in ``domain``; these pages only read forms,
show what the services answer and keep the user's input when a form comes back.
"""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from litestar import Controller, Request, get, post
from litestar.response import Redirect, Template

from inspect_app import clock
from inspect_app.controllers.case_page_forms import (
    FINDING_CATEGORY_LABELS,
    ORIGIN_LABELS,
    ORIGIN_SOURCE_LABELS,
    agency_choices,
    date_text,
    int_or_none,
    measure_status_labels,
    posted_action,
    read_form,
    same_date_text,
    stale_context,
)
from inspect_app.domain import lifecycle
from inspect_app.domain.clock import days_left, is_overdue
from inspect_app.domain.formatting import parse_date_input
from inspect_app.exceptions import Conflict, InvalidInput, NotFound, request_language
from inspect_app.i18n import translate
from inspect_app.pages import flash, render
from inspect_app.principal import Principal
from inspect_app.services import (
    agencies,
    attachments,
    audit,
    catalogues,
    findings,
    inspections,
    measures,
    plans,
    subjects,
    users,
)

# (deadline key, message id, the date that settles it)
DEADLINES = (
    ("onsite_due", "End of on-site inspection", ("onsite_ended_on",)),
    ("report_due", "Result report", ("report_on", "concluded_on")),
    ("conclusion_due", "Inspection conclusion", ("concluded_on",)),
    ("publication_due", "Publication of the conclusion", ("published_on",)),
    ("directive_due", "Directive to implement the conclusion", ("directive_on",)),
)
# The fields each lifecycle event asks for besides its date: (name, message id, input kind).
EVENT_FIELDS: dict[str, list[tuple[str, str, str]]] = {
    "announce": [("decision_no", "Decision number", "text"), ("note", "Note", "text")],
    "extend": [
        ("decision_no", "Extension decision number", "text"),
        ("days", "Days added", "number"),
        ("note", "Note", "text"),
    ],
    "suspend": [
        ("decision_no", "Suspension decision number", "text"),
        ("reason", "Reason", "textarea"),
    ],
    "resume": [("document_no", "Document number", "text"), ("note", "Note", "text")],
    "end_onsite": [("document_no", "Document number", "text"), ("note", "Note", "text")],
    "report": [("document_no", "Report number", "text"), ("note", "Note", "text")],
    "conclude": [("conclusion_no", "Conclusion number", "text"), ("note", "Note", "text")],
    "publish": [("document_no", "Document number", "text"), ("note", "Note", "text")],
    "direct": [("document_no", "Directive number", "text"), ("note", "Note", "text")],
    "close": [("document_no", "Document number", "text"), ("note", "Note", "text")],
    "cancel": [("document_no", "Document number", "text"), ("reason", "Reason", "textarea")],
}
FORM_FIELDS = (
    ("agency_id", "Agency"),
    ("kind", "Kind of case"),
    ("origin", "Origin"),
    ("origin_source", "Source"),
    ("origin_ref", "Reference of the report or request"),
    ("plan_id", "Annual inspection plan"),
    ("title", "Title"),
    ("scope", "Scope"),
    ("period_from", "Period inspected from"),
    ("period_to", "Period inspected to"),
    ("decision_no", "Inspection decision number"),
    ("decision_date", "Decision date"),
    ("duration_days", "Duration (days)"),
    ("working_days", "Counted in working days"),
    ("lead_user_id", "Team lead"),
    ("member_user_ids", "Team members"),
    ("subject_ids", "Subjects"),
)
DATE_FIELDS = ("period_from", "period_to", "decision_date")
PAGE_SIZE = 25


def form_version(data: dict[str, Any]) -> int:
    """The version a form read; a form without one cannot be saved."""
    raw = str(data.get("version") or "").strip()
    if not raw.isdigit():
        raise InvalidInput({"version": "This field is required."})
    return int(raw)


def _id_list(values: Any) -> list[int]:
    return [int(v) for v in values or [] if str(v).isdigit()]


def _date_or_none(value: Any) -> date | None:
    try:
        return parse_date_input(str(value)) if value else None
    except ValueError:
        return None


def case_values(case: dict[str, Any]) -> dict[str, Any]:
    """A stored case as its edit form shows it."""
    return {
        "agency_id": str(case["agency_id"]),
        "kind": case["kind"],
        "origin": case["origin"],
        "origin_source": case["origin_source"] or "",
        "origin_ref": case["origin_ref"] or "",
        "plan_id": str(case["plan_id"] or ""),
        "title": case["title"],
        "scope": case["scope"] or "",
        "period_from": date_text(case["period_from"]),
        "period_to": date_text(case["period_to"]),
        "decision_no": case["decision_no"] or "",
        "decision_date": date_text(case["decision_date"]),
        "duration_days": str(case["duration_days"]),
        "working_days": "true" if case["working_days"] else "false",
        "lead_user_id": str(case["lead_user_id"] or ""),
        "member_user_ids": [str(u) for u in case["member_user_ids"]],
        "subject_ids": [str(s) for s in case["subject_ids"]],
        "version": str(case["version"]),
    }


def _new_values(principal: Principal, subject_id: str | None, plan_id: str | None) -> dict:
    return {
        "agency_id": str(principal.agency_id),
        "kind": "inspection",
        "origin": "scheduled" if plan_id else "",
        "origin_source": "",
        "origin_ref": "",
        "plan_id": plan_id if plan_id and plan_id.isdigit() else "",
        "duration_days": str(inspections.RULES.default_duration_days),
        "working_days": "false",
        "lead_user_id": str(principal.id) if principal.can("inspection.event") else "",
        "member_user_ids": [],
        "subject_ids": [subject_id] if subject_id and subject_id.isdigit() else [],
    }


async def _form_context(
    request: Request[Any, Any, Any],
    principal: Principal,
    values: dict[str, Any],
    errors: dict[str, str],
    *,
    case: dict[str, Any] | None = None,
    warnings: list[dict[str, Any]] | None = None,
    found: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    lang = request_language(request)
    kinds = await catalogues.case_kinds()
    plan_rows = (await plans.list_plans(principal, limit=200))["items"]
    chosen = _id_list(values.get("subject_ids"))
    chosen_subjects = await subjects.subjects_by_ids(chosen)
    return {
        "case": case,
        "values": values,
        "errors": errors,
        "warnings": warnings or [],
        "found_subjects": [s for s in found or [] if s["id"] not in chosen_subjects],
        "chosen_subjects": [chosen_subjects[s] for s in chosen if s in chosen_subjects],
        "agency_choices": await agency_choices(principal),
        "kind_choices": [(k["code"], k[f"name_{lang}"]) for k in kinds],
        "plan_choices": [("", translate("None", lang))]
        + [
            (str(p["id"]), f"{p['year']} · {p['title'] or p['decision_no'] or p['id']}")
            for p in plan_rows
        ],
        "origin_choices": [(k, translate(v, lang)) for k, v in ORIGIN_LABELS.items()],
        "source_choices": [("", "—")]
        + [(k, translate(v, lang)) for k, v in ORIGIN_SOURCE_LABELS.items()],
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


async def _found_subjects(principal: Principal, data: dict[str, Any]) -> list[dict[str, Any]]:
    query = str(data.get("subject_q") or "").strip()
    if not query:
        return []
    return (await subjects.list_subjects(principal, q=query, limit=20))["items"]


def _overlap_gate(
    principal: Principal, data: dict[str, Any], warnings: list[dict[str, Any]]
) -> dict[str, str] | None:
    """Errors that keep a form with overlap warnings from being saved; None to go ahead.

    Anyone may save despite the warning (it stays on the case); a head who goes ahead gives
    the reason, which is recorded as the override.
    """
    if not warnings or data.get("overlap_confirmed") != "1":
        return {} if warnings else None
    if (
        principal.can("inspection.override_overlap")
        and not str(data.get("override_reason") or "").strip()
    ):
        return {"override_reason": "Give the reason for going ahead despite the warning."}
    return None


def _service_data(data: dict[str, Any]) -> dict[str, Any]:
    clean = {k: v for k, v in data.items() if k not in ("overlap_confirmed", "subject_q")}
    if not str(clean.get("override_reason") or "").strip():
        clean.pop("override_reason", None)
    return clean


def _list_query(values: dict[str, str], **changes: str) -> str:
    merged = {**values, **changes}
    return urlencode({k: v for k, v in merged.items() if v})


def _deadline_rows(case: dict[str, Any], today: date) -> list[dict[str, Any]]:
    finished = case["status"] in inspections.FINISHED_STATUSES
    rows = []
    for key, label, done_keys in DEADLINES:
        due = case["deadlines"][key]
        done_on = next((case[k] for k in done_keys if case[k]), None)
        if due is None and done_on is None:
            continue
        rows.append(
            {
                "key": key,
                "label": label,
                "due": due,
                "done_on": done_on,
                "days_left": None if done_on or finished else days_left(due, today),
                "overdue": not finished and is_overdue(due, done_on, today),
            }
        )
    return rows


def measure_view(row: dict[str, Any]) -> dict[str, Any]:
    """A measure with its target, what is done and what remains, in its own unit."""
    target = measures.target(row)
    done = measures.done(row)
    left = Decimal(row["remaining"]) if row["unit"] == "m2" else int(row["remaining"])
    percent = int(done * 100 / target) if target else (100 if row["status"] == "done" else 0)
    return {**row, "target": target, "done": done, "left": left, "percent": min(percent, 100)}


async def case_page_context(
    request: Request[Any, Any, Any],
    principal: Principal,
    inspection_id: int,
    *,
    event_type: str | None = None,
    event_errors: dict[str, str] | None = None,
    event_values: dict[str, Any] | None = None,
    message: str | None = None,
) -> dict[str, Any]:
    """Everything the case page shows: the case, its clock, timeline, records and actions."""
    case = await inspections.get_inspection(principal, inspection_id)
    today = clock.today()
    agency = await agencies.get_visible(principal, case["agency_id"])
    events = await inspections.list_events(principal, inspection_id)
    for event in events:
        # JSON columns come back as text; the timeline shows the reason, note and days.
        if isinstance(event["payload"], str):
            event["payload"] = json.loads(event["payload"] or "{}")
    finding_rows = (await findings.list_findings(principal, inspection_id, limit=200))["items"]
    measure_rows = [
        measure_view(row)
        for row in (await measures.list_measures(principal, inspection_id, limit=200))["items"]
    ]
    subject_map = await subjects.subjects_by_ids(
        case["subject_ids"] + [f["subject_id"] for f in finding_rows if f["subject_id"]]
    )
    team = {row["id"]: row for row in await users.team_options(principal)}
    plan = None
    if case["plan_id"]:
        try:
            plan = await plans.get_plan(principal, case["plan_id"])
        except NotFound:
            plan = None
    allowed: list[str] = []
    if principal.can("inspection.event"):
        ctx = lifecycle.TransitionContext(
            published=case["published_on"] is not None,
            directed=case["directive_on"] is not None,
            measures_open=await inspections.open_measures(inspection_id),
        )
        allowed = lifecycle.allowed_events(case["status"], ctx, principal.role)
    recover = [
        m for m in measure_rows if m["type"] == "recover_money" and m["status"] != "written_off"
    ]
    open_case = case["status"] not in inspections.FINISHED_STATUSES
    return {
        "case": case,
        "agency": agency,
        "plan": plan,
        "events": events,
        "findings": finding_rows,
        "finding_files": await attachments.attachments_of_records(
            principal, "finding", [f["id"] for f in finding_rows]
        ),
        "measures": measure_rows,
        "subject_map": subject_map,
        "team": team,
        "deadlines": _deadline_rows(case, today),
        "allowed_events": allowed,
        "event_fields": EVENT_FIELDS,
        "event_type": event_type,
        "event_errors": event_errors or {},
        "event_values": event_values or {},
        "today_text": date_text(today),
        "message": message,
        "files": (await attachments.list_attachments(principal, "inspection", inspection_id))[
            "items"
        ],
        "history": await audit.visible_history(principal, "inspection", inspection_id)
        if principal.can("audit.read")
        else None,
        "recover_target": sum(m["target"] for m in recover),
        "recover_done": sum(m["done"] for m in recover),
        "recover_left": sum(m["left"] for m in recover),
        "measure_status_labels": measure_status_labels(request),
        "category_labels": FINDING_CATEGORY_LABELS,
        "origin_labels": ORIGIN_LABELS,
        "source_labels": ORIGIN_SOURCE_LABELS,
        "can_edit": open_case and principal.can("inspection.edit"),
        "can_delete": case["status"] == "draft" and principal.can("inspection.delete"),
        "can_add_finding": open_case and principal.can("finding.edit"),
        "can_add_measure": open_case and principal.can("measure.edit"),
        "can_upload": principal.can("attachment.upload"),
    }


def _display(key: str, value: Any, lookups: dict[str, dict[str, str]], lang: str) -> str:
    if isinstance(value, list):
        names = lookups.get(key, {})
        return ", ".join(names.get(str(v), f"#{v}") for v in value) or "—"
    if key in lookups:
        return lookups[key].get(str(value), str(value or "—"))
    if key == "working_days":
        return translate("Yes" if value in ("true", "on", "1") else "No", lang)
    return str(value) if value not in (None, "") else "—"


async def _stale_page(
    request: Request[Any, Any, Any],
    principal: Principal,
    inspection_id: int,
    submitted: dict[str, Any],
    action: str,
    compare: bool = True,
) -> Template:
    """The page answering a stale save: what changed since the form was read, and a re-apply."""
    lang = request_language(request)
    current = await inspections.get_inspection(principal, inspection_id)
    stored = case_values(current)
    lookups = {
        "subject_ids": {
            str(k): v["name"]
            for k, v in (
                await subjects.subjects_by_ids(
                    current["subject_ids"] + _id_list(submitted.get("subject_ids"))
                )
            ).items()
        },
        "member_user_ids": {
            str(u["id"]): u["full_name"] for u in await users.team_options(principal)
        },
        "origin": {k: translate(v, lang) for k, v in ORIGIN_LABELS.items()},
        "origin_source": {k: translate(v, lang) for k, v in ORIGIN_SOURCE_LABELS.items()},
    }
    lookups["lead_user_id"] = lookups["member_user_ids"]
    differences = []
    for key, label in FORM_FIELDS if compare else ():
        if key not in submitted or key == "agency_id":
            continue
        mine = submitted[key]
        if key in DATE_FIELDS:
            mine = same_date_text(str(mine))
        theirs = stored.get(key)
        if isinstance(theirs, list):
            differs = sorted(theirs) != sorted(str(v) for v in mine or [])
        else:
            differs = str(theirs or "").strip() != str(mine or "").strip()
        if differs:
            differences.append(
                {
                    "label": label,
                    "current": _display(key, theirs, lookups, lang),
                    "mine": _display(key, mine, lookups, lang),
                }
            )
    read_version = (
        int(str(submitted.get("version") or "0"))
        if str(submitted.get("version") or "").isdigit()
        else 0
    )
    context = await stale_context(
        principal,
        entity_type="inspection",
        entity_id=inspection_id,
        read_version=read_version,
        current_version=current["version"],
        submitted=submitted,
        differences=differences,
        action=action,
        reload_url=f"/inspections/{inspection_id}",
        title=f"{current['code']} · {current['title']}",
    )
    return await render(request, "inspections/stale.html", status_code=409, **context)


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
    ) -> Template:
        """Cases in scope with filters, counts per status and a keyset "next page" link."""
        lang = request_language(request)
        values = {
            "agency_id": agency_id or "",
            "include_sub": "false" if include_sub in ("false", "0", "off") else "",
            "year": (year or "").strip(),
            "period": (period or "").strip(),
            "origin": origin or "",
            "kind": kind or "",
            "status": status or "",
            "overdue": overdue if overdue in ("yes", "no") else "",
            "subject_id": subject_id or "",
            "q": (q or "").strip(),
        }
        errors: dict[str, str] = {}
        numbers: dict[str, int | None] = {}
        for key, message in (
            ("agency_id", "Choose an agency from the list."),
            ("year", "Enter a year between 1990 and 2100."),
            ("subject_id", "Choose from the list."),
        ):
            numbers[key] = int_or_none(values[key])
            if values[key] and numbers[key] is None:
                errors[key] = message
        page: dict[str, Any] = {"items": [], "next_cursor": None, "counts": {}}
        if not errors:
            try:
                page = await inspections.list_inspections(
                    principal,
                    agency_id=numbers["agency_id"],
                    include_sub=values["include_sub"] != "false",
                    year=numbers["year"],
                    period=values["period"] or None,
                    origin=values["origin"] or None,
                    kind=values["kind"] or None,
                    status=values["status"] or None,
                    overdue={"yes": True, "no": False}.get(values["overdue"]),
                    subject_id=numbers["subject_id"],
                    q=values["q"] or None,
                    cursor=cursor or None,
                    limit=PAGE_SIZE,
                )
            except InvalidInput as exc:
                errors.update(exc.errors)
            except NotFound:
                errors["agency_id"] = "Choose an agency from the list."
        agencies_in_scope = await agency_choices(principal)
        subject = None
        if numbers.get("subject_id"):
            subject = (await subjects.subjects_by_ids([numbers["subject_id"] or 0])).get(
                numbers["subject_id"] or 0
            )
        kinds = await catalogues.case_kinds(active_only=False)
        return await render(
            request,
            "inspections/index.html",
            status_code=422 if errors else 200,
            items=page["items"],
            counts=page.get("counts", {}),
            total=sum(page.get("counts", {}).values()),
            next_url=f"/inspections?{_list_query(values, cursor=page['next_cursor'])}"
            if page["next_cursor"]
            else None,
            first_url=f"/inspections?{_list_query(values)}" if cursor else None,
            status_urls={
                s: f"/inspections?{_list_query(values, status=s)}" for s in lifecycle.STATUSES
            },
            all_url=f"/inspections?{_list_query({**values, 'status': ''})}",
            values=values,
            errors=errors,
            subject=subject,
            agency_choices=[("", translate("My whole scope", lang)), *agencies_in_scope],
            agency_names={int(k): v.lstrip("— ") for k, v in agencies_in_scope},
            kind_choices=[("", translate("All", lang))]
            + [(k["code"], k[f"name_{lang}"]) for k in kinds],
            kind_names={k["code"]: k[f"name_{lang}"] for k in kinds},
            status_choices=[("", translate("All", lang))]
            + [(s, lifecycle.STATUS_LABELS[s][lang]) for s in lifecycle.STATUSES],
            origin_choices=[("", translate("All", lang))]
            + [(k, translate(v, lang)) for k, v in ORIGIN_LABELS.items()],
            overdue_choices=[
                ("", translate("All", lang)),
                ("yes", translate("Overdue", lang)),
                ("no", translate("Not overdue", lang)),
            ],
            can_create=principal.can("inspection.create"),
        )

    @get("/inspections/new", opt={"permission": "inspection.create"})
    async def new(
        self,
        request: Request[Any, Any, Any],
        principal: Principal,
        subject_id: str | None = None,
        plan_id: str | None = None,
    ) -> Template:
        """The form registering a case (scheduled or ad-hoc)."""
        return await _render_form(
            request, principal, _new_values(principal, subject_id, plan_id), {}
        )

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
            principal, _id_list(data.get("subject_ids")), _date_or_none(data.get("decision_date"))
        )
        gate = _overlap_gate(principal, data, warnings)
        if gate is not None:
            return await _render_form(
                request, principal, data, gate, 422 if gate else 200, warnings=warnings
            )
        try:
            created = await inspections.create_inspection(principal, _service_data(data), ip)
        except InvalidInput as exc:
            return await _render_form(request, principal, data, exc.errors, 422, warnings=warnings)
        flash(request, translate("The case was registered.", request_language(request)))
        return Redirect(path=f"/inspections/{created['id']}", status_code=303)

    @get("/inspections/{inspection_id:int}", opt={"permission": "read"})
    async def detail(
        self, request: Request[Any, Any, Any], principal: Principal, inspection_id: int
    ) -> Template:
        """The case: status, deadlines, timeline, findings, measures, documents, history."""
        context = await case_page_context(request, principal, inspection_id)
        return await render(request, "inspections/detail.html", **context)

    @get("/inspections/{inspection_id:int}/edit", opt={"permission": "inspection.edit"})
    async def edit(
        self, request: Request[Any, Any, Any], principal: Principal, inspection_id: int
    ) -> Template:
        """The edit form of an open case, with the version it reads."""
        case = await inspections.get_inspection(principal, inspection_id)
        if case["status"] in inspections.FINISHED_STATUSES:
            raise Conflict(inspections.CASE_FINISHED, code="case_finished")
        return await _render_form(request, principal, case_values(case), {}, case=case)

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
        added = [s for s in _id_list(data.get("subject_ids")) if s not in case["subject_ids"]]
        warnings = (
            await inspections.preview_overlap(
                principal, added, _date_or_none(data.get("decision_date")), inspection_id
            )
            if added
            else []
        )
        gate = _overlap_gate(principal, data, warnings)
        if gate is not None:
            return await _render_form(
                request, principal, data, gate, 422 if gate else 200, case=case, warnings=warnings
            )
        try:
            await inspections.update_inspection(
                principal, inspection_id, form_version(data), _service_data(data), ip
            )
        except InvalidInput as exc:
            return await _render_form(
                request, principal, data, exc.errors, 422, case=case, warnings=warnings
            )
        except Conflict as exc:
            if exc.code != "stale_version":
                raise
            return await _stale_page(
                request, principal, inspection_id, data, f"/inspections/{inspection_id}/edit"
            )
        flash(request, translate("The changes were saved.", request_language(request)))
        return Redirect(path=f"/inspections/{inspection_id}", status_code=303)

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
            await inspections.record_event(
                principal, inspection_id, {**data, "version": form_version(data)}, ip
            )
        except InvalidInput as exc:
            context = await case_page_context(
                request,
                principal,
                inspection_id,
                event_type=event,
                event_errors=exc.errors,
                event_values=data,
            )
            return await render(request, "inspections/detail.html", status_code=422, **context)
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
            context = await case_page_context(
                request,
                principal,
                inspection_id,
                event_type=event,
                event_values=data,
                message=translate(exc.message, lang, **exc.values),
            )
            return await render(request, "inspections/detail.html", status_code=409, **context)
        label = lifecycle.EVENT_LABELS.get(event, {}).get(lang, event)
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
        lang = request_language(request)
        data = await read_form(request)
        try:
            await inspections.delete_inspection(principal, inspection_id, form_version(data), ip)
        except Conflict as exc:
            flash(request, translate(exc.message, lang, **exc.values), "error")
            return Redirect(path=f"/inspections/{inspection_id}", status_code=303)
        flash(request, translate("The draft case was deleted.", lang))
        return Redirect(path="/inspections", status_code=303)
