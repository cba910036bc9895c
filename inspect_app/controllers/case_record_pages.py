"""Pages of a case's records: findings, measures with their executions, and attachments.

The services decide (what remains of a measure, who may write one off, which files are
accepted); these handlers read the forms, keep the input when a form comes back and show the
service's message beside the field it names.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from litestar import Controller, Request, get, post
from litestar.datastructures import UploadFile
from litestar.response import File, Redirect, Template

from inspect_app import clock
from inspect_app.controllers.case_page_forms import (
    FINDING_CATEGORY_LABELS,
    agency_choices,
    date_text,
    measure_status_labels,
    read_form,
    stale_context,
)
from inspect_app.controllers.inspection_pages import form_version, measure_view
from inspect_app.domain.formatting import format_m2, format_vnd
from inspect_app.domain.measures import MEASURE_TYPE_LABELS, MEASURE_TYPES, measure_unit
from inspect_app.exceptions import Conflict, InvalidInput, NotFound, request_language
from inspect_app.i18n import translate
from inspect_app.pages import flash, render
from inspect_app.principal import Principal
from inspect_app.services import attachments, executions, findings, inspections, measures, subjects
from inspect_app.settings import get_settings

MULTIPART_OVERHEAD = 1024 * 1024
FINDING_FIELDS = (
    ("subject_id", "Subject"),
    ("category", "Field"),
    ("description", "Description"),
    ("legal_basis", "Legal basis"),
    ("amount_vnd", "Amount of the violation (đồng)"),
    ("land_m2", "Land area of the violation (m²)"),
)
MEASURE_FIELDS = (
    ("type", "Type of measure"),
    ("finding_id", "Finding"),
    ("description", "Description"),
    ("amount_vnd", "Amount (đồng)"),
    ("land_m2", "Land area (m²)"),
    ("collectives", "Collectives"),
    ("individuals", "Individuals"),
    ("cases", "Cases"),
    ("persons", "Persons"),
    ("decision_no", "Decision number"),
    ("decision_date", "Decision date"),
    ("responsible", "Responsible for carrying it out"),
    ("responsible_agency_id", "Responsible agency"),
    ("due_on", "Due on"),
)


def money_text(amount: int | None) -> str:
    """Whole đồng as typed in forms: 248500000 -> "248.500.000" ("" for nothing)."""
    return f"{amount:,}".replace(",", ".") if amount else ""


def area_text(value: str | Decimal | None) -> str:
    """Square metres as typed in forms: "1250.50" -> "1.250,50" ("" for nothing)."""
    if value in (None, "") or Decimal(str(value)) == 0:
        return ""
    return format_m2(Decimal(str(value))).removesuffix(" m²")


def finding_values(row: dict[str, Any]) -> dict[str, Any]:
    """A stored finding as its form shows it."""
    return {
        "subject_id": str(row["subject_id"] or ""),
        "category": row["category"],
        "description": row["description"],
        "legal_basis": row["legal_basis"],
        "amount_vnd": money_text(row["amount_vnd"]),
        "land_m2": area_text(row["land_m2"]),
        "version": str(row["version"]),
    }


def measure_values(row: dict[str, Any]) -> dict[str, Any]:
    """A stored measure as its form shows it."""
    return {
        "type": row["type"],
        "finding_id": str(row["finding_id"] or ""),
        "description": row["description"],
        "amount_vnd": money_text(row["amount_vnd"]),
        "land_m2": area_text(row["land_m2"]),
        **{k: str(row[k] or "") for k in ("collectives", "individuals", "cases", "persons")},
        "decision_no": row["decision_no"] or "",
        "decision_date": date_text(row["decision_date"]),
        "responsible": row["responsible"],
        "responsible_agency_id": str(row["responsible_agency_id"] or ""),
        "due_on": date_text(row["due_on"]),
        "version": str(row["version"]),
    }


def _differences(
    fields: tuple[tuple[str, str], ...], stored: dict[str, Any], mine: dict[str, Any]
) -> list[dict[str, str]]:
    return [
        {"label": label, "current": str(stored.get(key) or "—"), "mine": str(mine[key] or "—")}
        for key, label in fields
        if key in mine and str(stored.get(key) or "").strip() != str(mine[key] or "").strip()
    ]


# --------------------------------------------------------------------------- findings


async def _finding_form(
    request: Request[Any, Any, Any],
    principal: Principal,
    case: dict[str, Any],
    values: dict[str, Any],
    errors: dict[str, str],
    finding: dict[str, Any] | None = None,
    status_code: int = 200,
) -> Template:
    lang = request_language(request)
    full = await inspections.get_inspection(principal, case["id"])
    names = await subjects.subjects_by_ids(full["subject_ids"])
    categories = dict(FINDING_CATEGORY_LABELS)
    if values.get("category") and values["category"] not in categories:
        categories[values["category"]] = values["category"]
    files = (
        (await attachments.list_attachments(principal, "finding", finding["id"]))["items"]
        if finding
        else []
    )
    return await render(
        request,
        "inspections/finding_form.html",
        status_code=status_code,
        case=case,
        finding=finding,
        values=values,
        errors=errors,
        files=files,
        can_upload=principal.can("attachment.upload"),
        subject_choices=[(str(s), names[s]["name"]) for s in full["subject_ids"] if s in names],
        category_choices=[(k, translate(v, lang)) for k, v in categories.items()],
    )


async def _measure_form(
    request: Request[Any, Any, Any],
    principal: Principal,
    case: dict[str, Any],
    values: dict[str, Any],
    errors: dict[str, str],
    measure: dict[str, Any] | None = None,
    status_code: int = 200,
) -> Template:
    lang = request_language(request)
    finding_rows = (await findings.list_findings(principal, case["id"], limit=200))["items"]
    return await render(
        request,
        "inspections/measure_form.html",
        status_code=status_code,
        case=case,
        measure=measure,
        values=values,
        errors=errors,
        type_choices=[(t, MEASURE_TYPE_LABELS[t][lang]) for t in MEASURE_TYPES],
        units={t: measure_unit(t) for t in MEASURE_TYPES},
        finding_choices=[("", "—")]
        + [(str(f["id"]), f"#{f['id']} · {f['description'][:80]}") for f in finding_rows],
        agency_choices=[("", "—"), *await agency_choices(principal)],
    )


async def _measure_page(
    request: Request[Any, Any, Any],
    principal: Principal,
    measure_id: int,
    *,
    errors: dict[str, str] | None = None,
    values: dict[str, Any] | None = None,
    form: str | None = None,
    message: str | None = None,
    status_code: int = 200,
) -> Template:
    measure = measure_view(await measures.get_measure(principal, measure_id))
    case = await inspections.visible_case(principal, measure["inspection_id"])
    done_list = (await executions.list_executions(principal, measure_id, limit=200))["items"]
    files = await attachments.attachments_of_records(
        principal, "execution", [e["id"] for e in done_list]
    )
    finding = None
    if measure["finding_id"]:
        finding = await findings.get_finding(principal, measure["finding_id"])
    open_case = case["status"] not in inspections.FINISHED_STATUSES
    return await render(
        request,
        "inspections/measure.html",
        status_code=status_code,
        case=case,
        measure=measure,
        finding=finding,
        executions=done_list,
        execution_files=files,
        files=(await attachments.list_attachments(principal, "measure", measure_id))["items"],
        errors=errors or {},
        values=values or {},
        form=form,
        message=message,
        status_labels=measure_status_labels(request),
        today_text=date_text(clock.today()),
        can_execute=open_case
        and principal.can("execution.create")
        and measure["unit"] != "none"
        and measure["status"] not in ("done", "written_off"),
        can_edit=open_case and principal.can("measure.edit"),
        can_write_off=open_case and principal.can("measure.write_off"),
        can_upload=principal.can("attachment.upload"),
    )


class CaseRecordPageController(Controller):
    """Findings, measures, executions and attachments of the cases in scope."""

    include_in_schema = False

    # ----------------------------------------------------------------- findings

    @get("/inspections/{inspection_id:int}/findings/new", opt={"permission": "finding.edit"})
    async def new_finding(
        self, request: Request[Any, Any, Any], principal: Principal, inspection_id: int
    ) -> Template:
        """The form recording a finding about one of the case's subjects."""
        case = await inspections.visible_case(principal, inspection_id)
        return await _finding_form(request, principal, case, {"category": "other"}, {})

    @post(
        "/inspections/{inspection_id:int}/findings",
        opt={"permission": "finding.edit"},
        status_code=200,
    )
    async def create_finding(
        self, request: Request[Any, Any, Any], principal: Principal, inspection_id: int, ip: str
    ) -> Template | Redirect:
        """Record a finding; mistakes come back beside their fields."""
        case = await inspections.visible_case(principal, inspection_id)
        data = await read_form(request)
        try:
            await findings.create_finding(principal, inspection_id, data, ip)
        except InvalidInput as exc:
            return await _finding_form(request, principal, case, data, exc.errors, None, 422)
        flash(request, translate("The finding was recorded.", request_language(request)))
        return Redirect(path=f"/inspections/{inspection_id}#findings", status_code=303)

    @get("/findings/{finding_id:int}/edit", opt={"permission": "finding.edit"})
    async def edit_finding(
        self, request: Request[Any, Any, Any], principal: Principal, finding_id: int
    ) -> Template:
        """The edit form of a finding, with its documents."""
        finding = await findings.get_finding(principal, finding_id)
        case = await inspections.visible_case(principal, finding["inspection_id"])
        return await _finding_form(request, principal, case, finding_values(finding), {}, finding)

    @post("/findings/{finding_id:int}/edit", opt={"permission": "finding.edit"}, status_code=200)
    async def update_finding(
        self, request: Request[Any, Any, Any], principal: Principal, finding_id: int, ip: str
    ) -> Template | Redirect:
        """Save a finding; a stale version gets the page of what changed meanwhile."""
        finding = await findings.get_finding(principal, finding_id)
        case = await inspections.visible_case(principal, finding["inspection_id"])
        data = await read_form(request)
        try:
            await findings.update_finding(principal, finding_id, form_version(data), data, ip)
        except InvalidInput as exc:
            return await _finding_form(request, principal, case, data, exc.errors, finding, 422)
        except Conflict as exc:
            if exc.code != "stale_version":
                raise
            current = await findings.get_finding(principal, finding_id)
            context = await stale_context(
                principal,
                entity_type="finding",
                entity_id=finding_id,
                read_version=int(data["version"]),
                current_version=current["version"],
                submitted=data,
                differences=_differences(FINDING_FIELDS, finding_values(current), data),
                action=f"/findings/{finding_id}/edit",
                reload_url=f"/findings/{finding_id}/edit",
                title=f"{case['code']} · {translate('Finding', request_language(request))}",
            )
            return await render(request, "inspections/stale.html", status_code=409, **context)
        flash(request, translate("The changes were saved.", request_language(request)))
        return Redirect(path=f"/inspections/{case['id']}#findings", status_code=303)

    @post("/findings/{finding_id:int}/delete", opt={"permission": "finding.edit"}, status_code=200)
    async def delete_finding(
        self, request: Request[Any, Any, Any], principal: Principal, finding_id: int, ip: str
    ) -> Redirect:
        """Remove a finding no measure refers to."""
        lang = request_language(request)
        finding = await findings.get_finding(principal, finding_id)
        data = await read_form(request)
        try:
            await findings.delete_finding(principal, finding_id, form_version(data), ip)
        except Conflict as exc:
            flash(request, translate(exc.message, lang, **exc.values), "error")
        else:
            flash(request, translate("The finding was deleted.", lang))
        return Redirect(path=f"/inspections/{finding['inspection_id']}#findings", status_code=303)

    # ----------------------------------------------------------------- measures

    @get("/inspections/{inspection_id:int}/measures/new", opt={"permission": "measure.edit"})
    async def new_measure(
        self,
        request: Request[Any, Any, Any],
        principal: Principal,
        inspection_id: int,
        finding_id: str | None = None,
    ) -> Template:
        """The form recording a recommendation (of any type) of the case."""
        case = await inspections.visible_case(principal, inspection_id)
        values = {
            "type": "recover_money",
            "finding_id": finding_id if finding_id and finding_id.isdigit() else "",
        }
        return await _measure_form(request, principal, case, values, {})

    @post(
        "/inspections/{inspection_id:int}/measures",
        opt={"permission": "measure.edit"},
        status_code=200,
    )
    async def create_measure(
        self, request: Request[Any, Any, Any], principal: Principal, inspection_id: int, ip: str
    ) -> Template | Redirect:
        """Record a measure; mistakes come back beside their fields."""
        case = await inspections.visible_case(principal, inspection_id)
        data = await read_form(request)
        try:
            created = await measures.create_measure(principal, inspection_id, data, ip)
        except InvalidInput as exc:
            return await _measure_form(request, principal, case, data, exc.errors, None, 422)
        flash(request, translate("The measure was recorded.", request_language(request)))
        return Redirect(path=f"/measures/{created['id']}", status_code=303)

    @get("/measures/{measure_id:int}", opt={"permission": "read"})
    async def measure(
        self, request: Request[Any, Any, Any], principal: Principal, measure_id: int
    ) -> Template:
        """A measure: target, done, what remains, its executions and documents."""
        return await _measure_page(request, principal, measure_id)

    @get("/measures/{measure_id:int}/edit", opt={"permission": "measure.edit"})
    async def edit_measure(
        self, request: Request[Any, Any, Any], principal: Principal, measure_id: int
    ) -> Template:
        """The edit form of a measure."""
        measure = await measures.get_measure(principal, measure_id)
        case = await inspections.visible_case(principal, measure["inspection_id"])
        return await _measure_form(request, principal, case, measure_values(measure), {}, measure)

    @post("/measures/{measure_id:int}/edit", opt={"permission": "measure.edit"}, status_code=200)
    async def update_measure(
        self, request: Request[Any, Any, Any], principal: Principal, measure_id: int, ip: str
    ) -> Template | Redirect:
        """Save a measure; a stale version gets the page of what changed meanwhile."""
        measure = await measures.get_measure(principal, measure_id)
        case = await inspections.visible_case(principal, measure["inspection_id"])
        data = await read_form(request)
        try:
            await measures.update_measure(principal, measure_id, form_version(data), data, ip)
        except InvalidInput as exc:
            return await _measure_form(request, principal, case, data, exc.errors, measure, 422)
        except Conflict as exc:
            if exc.code != "stale_version":
                raise
            current = await measures.get_measure(principal, measure_id)
            context = await stale_context(
                principal,
                entity_type="measure",
                entity_id=measure_id,
                read_version=int(data["version"]),
                current_version=current["version"],
                submitted=data,
                differences=_differences(MEASURE_FIELDS, measure_values(current), data),
                action=f"/measures/{measure_id}/edit",
                reload_url=f"/measures/{measure_id}/edit",
                title=f"{case['code']} · {translate('Measure', request_language(request))}",
            )
            return await render(request, "inspections/stale.html", status_code=409, **context)
        flash(request, translate("The changes were saved.", request_language(request)))
        return Redirect(path=f"/measures/{measure_id}", status_code=303)

    @post("/measures/{measure_id:int}/status", opt={"permission": "measure.edit"}, status_code=200)
    async def change_status(
        self, request: Request[Any, Any, Any], principal: Principal, measure_id: int, ip: str
    ) -> Template | Redirect:
        """Write a measure off (leads, heads), mark a measure with nothing to count done, reopen."""
        lang = request_language(request)
        data = await read_form(request)
        wanted: dict[str, Any] = {k: data[k] for k in ("status", "written_off_reason") if k in data}
        try:
            await measures.update_measure(principal, measure_id, form_version(data), wanted, ip)
        except InvalidInput as exc:
            return await _measure_page(
                request,
                principal,
                measure_id,
                errors=exc.errors,
                values=data,
                form="status",
                status_code=422,
            )
        except Conflict as exc:
            return await _measure_page(
                request,
                principal,
                measure_id,
                values=data,
                form="status",
                message=translate(exc.message, lang, **exc.values),
                status_code=409,
            )
        flash(request, translate("The changes were saved.", lang))
        return Redirect(path=f"/measures/{measure_id}", status_code=303)

    @post(
        "/measures/{measure_id:int}/executions",
        opt={"permission": "execution.create"},
        status_code=200,
    )
    async def create_execution(
        self, request: Request[Any, Any, Any], principal: Principal, measure_id: int, ip: str
    ) -> Template | Redirect:
        """Record an execution; one exceeding what remains is refused, saying how much remains."""
        lang = request_language(request)
        data = await read_form(request)
        try:
            await executions.create_execution(principal, measure_id, data, ip)
        except InvalidInput as exc:
            message = None
            if "remaining" in exc.values:
                remaining = exc.values["remaining"]
                shown = (
                    format_m2(remaining, lang)
                    if isinstance(remaining, Decimal)
                    else format_vnd(remaining, lang)
                    if "amount_vnd" in exc.errors
                    else str(remaining)
                )
                message = translate(exc.message, lang, remaining=shown)
            return await _measure_page(
                request,
                principal,
                measure_id,
                errors=exc.errors,
                values=data,
                form="execution",
                message=message,
                status_code=422,
            )
        except Conflict as exc:
            return await _measure_page(
                request,
                principal,
                measure_id,
                values=data,
                form="execution",
                message=translate(exc.message, lang, **exc.values),
                status_code=409,
            )
        flash(request, translate("The execution was recorded.", lang))
        return Redirect(path=f"/measures/{measure_id}", status_code=303)

    # ----------------------------------------------------------------- attachments

    @post(
        "/attachments",
        opt={"permission": "attachment.upload"},
        status_code=200,
        request_max_body_size=get_settings().max_upload_mb * 1024 * 1024 + MULTIPART_OVERHEAD,
    )
    async def upload(
        self, request: Request[Any, Any, Any], principal: Principal, ip: str
    ) -> Template | Redirect:
        """Attach a file to a case, finding, measure or execution, then go back to it."""
        data = await read_form(request)
        upload = data.get("file")
        content = await upload.read() if isinstance(upload, UploadFile) else b""
        filename = upload.filename if isinstance(upload, UploadFile) else ""
        target = {"entity_type": data.get("entity_type"), "entity_id": data.get("entity_id")}
        try:
            created = await attachments.upload(principal, target, filename or "", content, ip)
        except InvalidInput as exc:
            return await render(
                request,
                "inspections/attachment_form.html",
                status_code=422,
                errors=exc.errors,
                values=target,
                back_url=await _owner_url(principal, target),
            )
        flash(request, translate("The file was attached.", request_language(request)))
        return Redirect(path=await _owner_url(principal, created), status_code=303)

    @get("/attachments/{attachment_id:int}", opt={"permission": "read"})
    async def download(self, principal: Principal, attachment_id: int) -> File:
        """Download an attached file in scope."""
        row, path = await attachments.download(principal, attachment_id)
        return File(
            path=path,
            filename=row["filename"],
            media_type=row["content_type"],
            content_disposition_type="attachment",
        )


async def _owner_url(principal: Principal, target: dict[str, Any]) -> str:
    """The page showing the record a file is attached to ("/inspections" when unknown)."""
    kind = target.get("entity_type")
    raw = str(target.get("entity_id") or "")
    if not raw.isdigit():
        return "/inspections"
    record = int(raw)
    try:
        if kind == "inspection":
            await inspections.visible_case(principal, record)
            return f"/inspections/{record}#documents"
        if kind == "finding":
            finding = await findings.get_finding(principal, record)
            return f"/inspections/{finding['inspection_id']}#findings"
        if kind == "measure":
            await measures.get_measure(principal, record)
            return f"/measures/{record}"
        if kind == "execution":
            execution = await executions.get_execution(principal, record)
            return f"/measures/{execution['measure_id']}"
    except (InvalidInput, NotFound):
        pass  # an unknown or invalid record: back to the list instead
    return "/inspections"
