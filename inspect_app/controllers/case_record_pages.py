"""Pages of a case's records: findings, measures with their executions, and attachments.

The services decide (what remains of a measure, who may write one off, which files are
accepted); ``forms.records`` reads the forms; these handlers keep the input when a form
comes back and show the service's message beside the field it names.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Generic, TypeVar

from litestar import Controller, Request, get, post
from litestar.datastructures import UploadFile
from litestar.response import File, Redirect, Template

from inspect_app.controllers.approval_pages import SENT_FOR_APPROVAL, saved_message
from inspect_app.controllers.case_views import measure_page_context
from inspect_app.controllers.page_support import (
    agency_choices,
    done,
    message_text,
    read_form,
    save,
    stale_edit,
    translated_choices,
)
from inspect_app.domain.formatting import format_m2, format_vnd
from inspect_app.domain.labels import FINDING_CATEGORY_LABELS
from inspect_app.domain.measures import MEASURE_TYPE_LABELS, MEASURE_TYPES, measure_unit
from inspect_app.domain.text import ascii_digits
from inspect_app.errors import Conflict, InvalidInput, NotFound
from inspect_app.exceptions import request_language
from inspect_app.forms import records
from inspect_app.forms.common import form_version, int_or_none
from inspect_app.i18n import translate
from inspect_app.pages import flash, render
from inspect_app.principal import Principal
from inspect_app.schemas.approvals import PendingOnly
from inspect_app.schemas.cases import Finding as FindingOut
from inspect_app.schemas.cases import Measure as MeasureOut
from inspect_app.services import attachments, executions, findings, inspections, measures, subjects
from inspect_app.services.case_context import StoredCase
from inspect_app.settings import get_settings

MULTIPART_OVERHEAD = 1024 * 1024
R = TypeVar("R")


async def _finding_form(
    request: Request[Any, Any, Any],
    principal: Principal,
    case: StoredCase,
    values: Mapping[str, Any],
    errors: dict[str, str],
    finding: FindingOut | None = None,
    status_code: int = 200,
) -> Template:
    full = await inspections.get_inspection(principal, case.id)
    names = await subjects.subjects_by_ids(full.subject_ids)
    categories = dict(FINDING_CATEGORY_LABELS)
    if values.get("category") and values["category"] not in categories:
        categories[values["category"]] = values["category"]
    files = (
        (await attachments.list_attachments(principal, "finding", finding.id)).items
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
        subject_choices=[(str(s), names[s].name) for s in full.subject_ids if s in names],
        category_choices=translated_choices(request, categories),
    )


async def _measure_form(
    request: Request[Any, Any, Any],
    principal: Principal,
    case: StoredCase,
    values: Mapping[str, Any],
    errors: dict[str, str],
    measure: MeasureOut | None = None,
    status_code: int = 200,
) -> Template:
    lang = request_language(request)
    finding_rows = (await findings.list_findings(principal, case.id, limit=200)).items
    return await render(
        request,
        "inspections/measure_form.html",
        status_code=status_code,
        case=case,
        measure=measure,
        values=values,
        errors=errors,
        type_choices=[(t, translate(MEASURE_TYPE_LABELS[t], lang)) for t in MEASURE_TYPES],
        units={t: measure_unit(t) for t in MEASURE_TYPES},
        finding_choices=[("", "—")]
        + [(str(f.id), finding_choice_label(f, lang)) for f in finding_rows],
        agency_choices=[("", "—"), *await agency_choices(principal)],
    )


def finding_choice_label(finding: FindingOut, lang: str) -> str:
    """How a finding reads in a choice list: its words, then its amount, never an id."""
    words = " ".join(finding.description.split())
    if len(words) > 80:
        words = words[:79].rstrip() + "…"
    amount = finding.amount_vnd
    return f"{words} · {format_vnd(amount, lang)}" if amount else words


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
    context = await measure_page_context(request, principal, measure_id)
    return await render(
        request,
        "inspections/measure.html",
        status_code=status_code,
        errors=errors or {},
        values=values or {},
        form=form,
        message=message,
        **context,
    )


@dataclass(frozen=True)
class RecordKind(Generic[R]):
    """A kind of case record edited on its own form page: how to read, save and show it.

    ``create`` and ``update`` take the form as posted (the kind reads its text)."""

    name: str
    label: str
    fields: tuple[tuple[str, str], ...]
    values: Callable[[R], dict[str, Any]]
    get: Callable[[Principal, int], Awaitable[R]]
    case_of: Callable[[R], int]
    create: Callable[[Principal, int, dict[str, Any], str], Awaitable[Any]]
    created: str
    update: Callable[[Principal, int, dict[str, Any], str], Awaitable[Any]]
    form: Callable[..., Awaitable[Template]]
    saved_path: Callable[[Any], str]


async def _create_finding(
    principal: Principal, inspection_id: int, data: dict[str, Any], ip: str
) -> FindingOut:
    entry, unread = records.finding_entry(data)
    return await findings.create_finding(principal, inspection_id, entry, ip, unread=unread)


async def _update_finding(
    principal: Principal, finding_id: int, data: dict[str, Any], ip: str
) -> FindingOut:
    change, unread = records.finding_change(data)
    return await findings.update_finding(principal, finding_id, change, ip, unread=unread)


async def _create_measure(
    principal: Principal, inspection_id: int, data: dict[str, Any], ip: str
) -> MeasureOut | PendingOnly:
    asked, unread = records.measure_entry(data)
    return await measures.create_measure(principal, inspection_id, asked, ip, unread=unread)


async def _update_measure(
    principal: Principal, measure_id: int, data: dict[str, Any], ip: str
) -> MeasureOut:
    change, unread = records.measure_change(data)
    return await measures.update_measure(principal, measure_id, change, ip, unread=unread)


FINDING = RecordKind[FindingOut](
    "finding",
    "Finding",
    records.FINDING_FIELDS,
    records.finding_values,
    findings.get_finding,
    lambda finding: finding.inspection_id,
    _create_finding,
    "The finding was recorded.",
    _update_finding,
    _finding_form,
    lambda finding: f"/inspections/{finding.inspection_id}#findings",
)
MEASURE = RecordKind[MeasureOut](
    "measure",
    "Measure",
    records.MEASURE_FIELDS,
    records.measure_values,
    measures.get_measure,
    lambda measure: measure.inspection_id,
    _create_measure,
    "The measure was recorded.",
    _update_measure,
    _measure_form,
    lambda saved: (
        f"/inspections/{saved.pending_approval.inspection_id}#approvals"
        if isinstance(saved, PendingOnly)
        else f"/measures/{saved.id}"
    ),
)


async def _edit_form(
    request: Request[Any, Any, Any], principal: Principal, kind: RecordKind[R], record_id: int
) -> Template:
    """The edit form of a finding or measure of a case in scope."""
    record = await kind.get(principal, record_id)
    case = await inspections.visible_case(principal, kind.case_of(record))
    return await kind.form(request, principal, case, kind.values(record), {}, record)


async def _create_record(
    request: Request[Any, Any, Any],
    principal: Principal,
    kind: RecordKind[R],
    inspection_id: int,
    ip: str,
) -> Template | Redirect:
    """Record a finding or measure of a case in scope; mistakes come back beside their fields."""
    case = await inspections.visible_case(principal, inspection_id)
    data = await read_form(request)
    return await save(
        request,
        lambda: kind.create(principal, inspection_id, data, ip),
        errors=lambda errors: kind.form(request, principal, case, data, errors, None, 422),
        message=lambda result: saved_message(result, kind.created),
        then=kind.saved_path,
    )


async def _update_record(
    request: Request[Any, Any, Any],
    principal: Principal,
    kind: RecordKind[R],
    record_id: int,
    ip: str,
) -> Template | Redirect:
    """Save a finding or measure form; a stale version gets the page of what changed."""
    record = await kind.get(principal, record_id)
    case = await inspections.visible_case(principal, kind.case_of(record))
    data = await read_form(request)
    stale = stale_edit(
        request,
        principal,
        "inspections/stale.html",
        entity_type=kind.name,
        entity_id=record_id,
        current=lambda: kind.get(principal, record_id),
        fields=kind.fields,
        values=kind.values,
        submitted=data,
        edit_url=f"/{kind.name}s/{record_id}/edit",
        title=lambda _: f"{case.code} · {message_text(request, kind.label)}",
    )
    return await save(
        request,
        lambda: kind.update(principal, record_id, data, ip),
        errors=lambda errors: kind.form(request, principal, case, data, errors, record, 422),
        stale=stale,
        message=saved_message,
        then=kind.saved_path(record),
    )


async def _measure_write(
    request: Request[Any, Any, Any],
    principal: Principal,
    measure_id: int,
    data: dict[str, Any],
    form: str,
    errors: dict[str, str],
    message: str | None = None,
    status_code: int = 422,
) -> Template:
    """The measure page again after the status or execution form was refused."""
    return await _measure_page(
        request,
        principal,
        measure_id,
        errors=errors,
        values=data,
        form=form,
        message=message,
        status_code=status_code,
    )


def _remaining_message(request: Request[Any, Any, Any], exc: InvalidInput) -> str | None:
    """ "Only … remains" in the measure's own unit, when an execution asked for more."""
    if "remaining" not in exc.values:
        return None
    lang = request_language(request)
    remaining = exc.values["remaining"]
    if isinstance(remaining, Decimal):
        shown = format_m2(remaining, lang)
    elif "amount_vnd" in exc.errors:
        shown = format_vnd(remaining, lang)
    else:
        shown = str(remaining)
    return translate(exc.message, lang, remaining=shown)


class CaseRecordPageController(Controller):
    """Findings, measures, executions and attachments of the cases in scope."""

    include_in_schema = False

    @get("/inspections/{inspection_id:int}/findings/new", opt={"permission": "finding.edit"})
    async def new_finding(
        self, request: Request[Any, Any, Any], principal: Principal, inspection_id: int
    ) -> Template:
        """The form recording a finding about one of the case's subjects."""
        case = await inspections.visible_case(principal, inspection_id)
        return await _finding_form(request, principal, case, dict(records.NEW_FINDING), {})

    @post(
        "/inspections/{inspection_id:int}/findings",
        opt={"permission": "finding.edit"},
        status_code=200,
    )
    async def create_finding(
        self, request: Request[Any, Any, Any], principal: Principal, inspection_id: int, ip: str
    ) -> Template | Redirect:
        """Record a finding; mistakes come back beside their fields."""
        return await _create_record(request, principal, FINDING, inspection_id, ip)

    @get("/findings/{finding_id:int}/edit", opt={"permission": "finding.edit"})
    async def edit_finding(
        self, request: Request[Any, Any, Any], principal: Principal, finding_id: int
    ) -> Template:
        """The edit form of a finding, with its documents."""
        return await _edit_form(request, principal, FINDING, finding_id)

    @post("/findings/{finding_id:int}/edit", opt={"permission": "finding.edit"}, status_code=200)
    async def update_finding(
        self, request: Request[Any, Any, Any], principal: Principal, finding_id: int, ip: str
    ) -> Template | Redirect:
        """Save a finding; a stale version gets the page of what changed meanwhile."""
        return await _update_record(request, principal, FINDING, finding_id, ip)

    @post("/findings/{finding_id:int}/delete", opt={"permission": "finding.edit"}, status_code=200)
    async def delete_finding(
        self, request: Request[Any, Any, Any], principal: Principal, finding_id: int, ip: str
    ) -> Redirect:
        """Remove a finding no measure refers to."""
        finding = await findings.get_finding(principal, finding_id)
        back = f"/inspections/{finding.inspection_id}#findings"
        data = await read_form(request)
        reason = str(data.get("reason") or "")
        try:
            await findings.delete_finding(principal, finding_id, form_version(data), ip, reason)
        except (Conflict, InvalidInput) as exc:
            problem = exc.errors.get("reason") if isinstance(exc, InvalidInput) else None
            shown = problem or exc.message
            flash(request, message_text(request, shown, **exc.values), "error")
            return Redirect(path=f"/findings/{finding_id}/edit", status_code=303)
        return done(request, "The finding was withdrawn.", back)

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
        values = records.new_measure_values(finding_id)
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
        return await _create_record(request, principal, MEASURE, inspection_id, ip)

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
        return await _edit_form(request, principal, MEASURE, measure_id)

    @post("/measures/{measure_id:int}/edit", opt={"permission": "measure.edit"}, status_code=200)
    async def update_measure(
        self, request: Request[Any, Any, Any], principal: Principal, measure_id: int, ip: str
    ) -> Template | Redirect:
        """Save a measure; a stale version gets the page of what changed meanwhile."""
        return await _update_record(request, principal, MEASURE, measure_id, ip)

    @post("/measures/{measure_id:int}/status", opt={"permission": "measure.edit"}, status_code=200)
    async def change_status(
        self, request: Request[Any, Any, Any], principal: Principal, measure_id: int, ip: str
    ) -> Template | Redirect:
        """Write a measure off (leads, heads), mark a measure with nothing to count done, reopen."""
        data = await read_form(request)
        try:
            change, unread = records.status_change(data)
            changed = await measures.update_measure(
                principal, measure_id, change, ip, unread=unread
            )
        except InvalidInput as exc:
            return await _measure_write(request, principal, measure_id, data, "status", exc.errors)
        except Conflict as exc:
            message = message_text(request, exc.message, **exc.values)
            return await _measure_write(
                request, principal, measure_id, data, "status", {}, message, 409
            )
        return done(request, saved_message(changed), f"/measures/{measure_id}")

    @post(
        "/measures/{measure_id:int}/reversals",
        # Leads and heads, and the lead of the case whatever their role (services decide).
        opt={"permission": "execution.create"},
        status_code=200,
    )
    async def reverse_execution(
        self, request: Request[Any, Any, Any], principal: Principal, measure_id: int, ip: str
    ) -> Template | Redirect:
        """Ask to cancel one of the measure's entries by a negative entry (four-eyes)."""
        data = await read_form(request)
        entry_id = int_or_none(str(data.get("execution_id") or ""))
        entry = None
        if entry_id is not None:
            try:
                entry = await executions.get_execution(principal, entry_id)
            except NotFound:
                entry = None
        if entry is None or entry.measure_id != measure_id:
            errors = {"execution_id": "Choose a value from the list."}
            return await _measure_write(request, principal, measure_id, data, "reversal", errors)
        try:
            await executions.reverse_execution(
                principal, entry.id, records.reversal_request(data), ip
            )
        except InvalidInput as exc:
            errors = {("reversal_date" if k == "date" else k): v for k, v in exc.errors.items()}
            return await _measure_write(request, principal, measure_id, data, "reversal", errors)
        except Conflict as exc:
            message = message_text(request, exc.message, **exc.values)
            return await _measure_write(
                request, principal, measure_id, data, "reversal", {}, message, 409
            )
        return done(request, SENT_FOR_APPROVAL, f"/measures/{measure_id}#approvals")

    @post(
        "/measures/{measure_id:int}/executions",
        opt={"permission": "execution.create"},
        status_code=200,
    )
    async def create_execution(
        self, request: Request[Any, Any, Any], principal: Principal, measure_id: int, ip: str
    ) -> Template | Redirect:
        """Record an execution; one exceeding what remains is refused, saying how much remains."""
        data = await read_form(request)
        try:
            await executions.create_execution(
                principal, measure_id, records.execution_entry(data), ip
            )
        except InvalidInput as exc:
            message = _remaining_message(request, exc)
            return await _measure_write(
                request, principal, measure_id, data, "execution", exc.errors, message
            )
        except Conflict as exc:
            message = message_text(request, exc.message, **exc.values)
            return await _measure_write(
                request, principal, measure_id, data, "execution", {}, message, 409
            )
        return done(request, "The execution was recorded.", f"/measures/{measure_id}")

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
        named = records.attachment_target(data)
        target, unread = attachments.target_request(named)
        try:
            created = await attachments.upload(
                principal, target, filename or "", content, ip, unread=unread
            )
        except InvalidInput as exc:
            return await render(
                request,
                "inspections/attachment_form.html",
                status_code=422,
                errors=exc.errors,
                values=named,
                back_url=await _owner_url(principal, named),
            )
        owner = {"entity_type": created.entity_type, "entity_id": created.entity_id}
        return done(request, "The file was attached.", await _owner_url(principal, owner))

    @get("/attachments/{attachment_id:int}", opt={"permission": "read"})
    async def download(self, principal: Principal, attachment_id: int) -> File:
        """Download an attached file in scope."""
        row, path = await attachments.download(principal, attachment_id)
        return File(
            path=path,
            filename=row.filename,
            media_type=row.content_type,
            content_disposition_type="attachment",
        )


async def _owner_url(principal: Principal, target: Mapping[str, Any]) -> str:
    """The page showing the record a file is attached to ("/inspections" when unknown)."""
    kind = target.get("entity_type")
    raw = str(target.get("entity_id") or "")
    if not ascii_digits(raw):
        return "/inspections"
    record = int(raw)
    try:
        if kind == "inspection":
            await inspections.visible_case(principal, record)
            return f"/inspections/{record}#documents"
        if kind == "finding":
            finding = await findings.get_finding(principal, record)
            return f"/inspections/{finding.inspection_id}#findings"
        if kind == "measure":
            await measures.get_measure(principal, record)
            return f"/measures/{record}"
        if kind == "execution":
            execution = await executions.get_execution(principal, record)
            return f"/measures/{execution.measure_id}"
    except (InvalidInput, NotFound):
        pass  # an unknown or invalid record: back to the list instead
    return "/inspections"
