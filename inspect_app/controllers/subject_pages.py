"""Subject pages: search, register, correct, and who inspected or sanctioned a subject before."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from litestar import Controller, Request, get, post
from litestar.response import Redirect, Template

from inspect_app.controllers.case_page_forms import (
    SUBJECT_KIND_LABELS,
    measure_status_labels,
    read_form,
    stale_context,
)
from inspect_app.controllers.inspection_pages import form_version
from inspect_app.exceptions import Conflict, InvalidInput, request_language
from inspect_app.i18n import translate
from inspect_app.pages import flash, render
from inspect_app.principal import Principal
from inspect_app.services import subjects

SUBJECT_FIELDS = (
    ("kind", "Kind"),
    ("name", "Name"),
    ("tax_code", "Tax code"),
    ("address", "Address"),
    ("sector", "Sector"),
)
PAGE_SIZE = 25


def subject_values(row: dict[str, Any]) -> dict[str, Any]:
    """A stored subject as its form shows it."""
    return {key: row[key] or "" for key, _ in SUBJECT_FIELDS} | {"version": str(row["version"])}


def _kind_choices(request: Request[Any, Any, Any], blank: str | None = None) -> list:
    lang = request_language(request)
    choices = [(k, translate(v, lang)) for k, v in SUBJECT_KIND_LABELS.items()]
    return [("", translate(blank, lang)), *choices] if blank else choices


async def _form(
    request: Request[Any, Any, Any],
    values: dict[str, Any],
    errors: dict[str, str],
    subject: dict[str, Any] | None = None,
    status_code: int = 200,
) -> Template:
    return await render(
        request,
        "subjects/form.html",
        status_code=status_code,
        subject=subject,
        values=values,
        errors=errors,
        kind_choices=_kind_choices(request),
    )


class SubjectPageController(Controller):
    """``/subjects``: search, register, correct, and each subject's history in scope."""

    include_in_schema = False

    @get("/subjects", opt={"permission": "read"})
    async def index(
        self,
        request: Request[Any, Any, Any],
        principal: Principal,
        q: str | None = None,
        kind: str | None = None,
        cursor: str | None = None,
    ) -> Template:
        """Subjects of the user's work, or any subject found by name, tax code or address."""
        values = {"q": (q or "").strip(), "kind": kind or ""}
        errors: dict[str, str] = {}
        page: dict[str, Any] = {"items": [], "next_cursor": None}
        try:
            page = await subjects.list_subjects(
                principal,
                q=values["q"] or None,
                kind=values["kind"] or None,
                # Browsing shows one's own work; a search looks across every agency.
                in_scope_only=not values["q"],
                cursor=cursor or None,
                limit=PAGE_SIZE,
            )
        except InvalidInput as exc:
            errors.update(exc.errors)
        query = {k: v for k, v in values.items() if v}
        return await render(
            request,
            "subjects/index.html",
            status_code=422 if errors else 200,
            items=page["items"],
            values=values,
            errors=errors,
            next_url=f"/subjects?{urlencode({**query, 'cursor': page['next_cursor']})}"
            if page["next_cursor"]
            else None,
            first_url=f"/subjects?{urlencode(query)}" if cursor else None,
            kind_choices=_kind_choices(request, "All"),
            kind_labels=SUBJECT_KIND_LABELS,
            can_create=principal.can("subject.create"),
        )

    @get("/subjects/new", opt={"permission": "subject.create"})
    async def new(self, request: Request[Any, Any, Any]) -> Template:
        """The form registering a subject."""
        return await _form(request, {"kind": "enterprise"}, {})

    @post("/subjects", opt={"permission": "subject.create"}, status_code=200)
    async def create(
        self, request: Request[Any, Any, Any], principal: Principal, ip: str
    ) -> Template | Redirect:
        """Register a subject; mistakes (a tax code already registered...) beside the field."""
        data = await read_form(request)
        try:
            created = await subjects.create_subject(principal, data, ip)
        except InvalidInput as exc:
            return await _form(request, data, exc.errors, None, 422)
        flash(request, translate("The subject was registered.", request_language(request)))
        return Redirect(path=f"/subjects/{created['id']}", status_code=303)

    @get("/subjects/{subject_id:int}", opt={"permission": "read"})
    async def detail(
        self, request: Request[Any, Any, Any], principal: Principal, subject_id: int
    ) -> Template:
        """A subject and every inspection, check and sanction of it in the user's scope."""
        history = await subjects.subject_history(principal, subject_id)
        return await render(
            request,
            "subjects/detail.html",
            subject=history["subject"],
            cases=history["items"],
            kind_labels=SUBJECT_KIND_LABELS,
            measure_status_labels=measure_status_labels(request),
            can_edit=principal.can("subject.edit"),
            can_start=principal.can("inspection.create"),
        )

    @get("/subjects/{subject_id:int}/edit", opt={"permission": "subject.edit"})
    async def edit(
        self, request: Request[Any, Any, Any], principal: Principal, subject_id: int
    ) -> Template:
        """The edit form of a subject."""
        subject = await subjects.get_subject(principal, subject_id)
        return await _form(request, subject_values(subject), {}, subject)

    @post("/subjects/{subject_id:int}/edit", opt={"permission": "subject.edit"}, status_code=200)
    async def update(
        self, request: Request[Any, Any, Any], principal: Principal, subject_id: int, ip: str
    ) -> Template | Redirect:
        """Save a subject; a stale version gets the page of what changed meanwhile."""
        subject = await subjects.get_subject(principal, subject_id)
        data = await read_form(request)
        try:
            await subjects.update_subject(principal, subject_id, form_version(data), data, ip)
        except InvalidInput as exc:
            return await _form(request, data, exc.errors, subject, 422)
        except Conflict as exc:
            if exc.code != "stale_version":
                raise
            current = await subjects.get_subject(principal, subject_id)
            stored = subject_values(current)
            context = await stale_context(
                principal,
                entity_type="subject",
                entity_id=subject_id,
                read_version=int(data["version"]),
                current_version=current["version"],
                submitted=data,
                differences=[
                    {"label": label, "current": stored[key] or "—", "mine": data[key] or "—"}
                    for key, label in SUBJECT_FIELDS
                    if key in data and str(stored[key]).strip() != str(data[key]).strip()
                ],
                action=f"/subjects/{subject_id}/edit",
                reload_url=f"/subjects/{subject_id}/edit",
                title=current["name"],
            )
            return await render(request, "subjects/stale.html", status_code=409, **context)
        flash(request, translate("The changes were saved.", request_language(request)))
        return Redirect(path=f"/subjects/{subject_id}", status_code=303)
