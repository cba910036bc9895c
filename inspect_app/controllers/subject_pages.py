"""Subject pages: search, register, correct, and who inspected or sanctioned a subject before."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.response import Redirect, Template

from inspect_app.controllers.page_support import (
    measure_status_labels,
    read_form,
    save,
    stale_edit,
    translated_choices,
)
from inspect_app.domain.labels import SUBJECT_KIND_LABELS
from inspect_app.errors import InvalidInput
from inspect_app.forms.common import page_links
from inspect_app.forms.subjects import (
    NEW_SUBJECT,
    SUBJECT_FIELDS,
    subject_change,
    subject_entry,
    subject_filters,
    subject_values,
)
from inspect_app.pages import render
from inspect_app.principal import Principal
from inspect_app.schemas.cases import Subject, SubjectList
from inspect_app.services import subjects

PAGE_SIZE = 25


async def _form(
    request: Request[Any, Any, Any],
    values: dict[str, Any],
    errors: dict[str, str],
    subject: Subject | None = None,
    status_code: int = 200,
) -> Template:
    return await render(
        request,
        "subjects/form.html",
        status_code=status_code,
        subject=subject,
        values=values,
        errors=errors,
        kind_choices=translated_choices(request, SUBJECT_KIND_LABELS),
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
        values = subject_filters(q, kind)
        errors: dict[str, str] = {}
        page = SubjectList(items=[], next_cursor=None)
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
        return await render(
            request,
            "subjects/index.html",
            status_code=422 if errors else 200,
            items=page.items,
            values=values,
            errors=errors,
            kind_choices=translated_choices(request, SUBJECT_KIND_LABELS, "All"),
            kind_labels=SUBJECT_KIND_LABELS,
            can_create=principal.can("subject.create"),
            **page_links("/subjects", values, page.next_cursor, cursor),
        )

    @get("/subjects/new", opt={"permission": "subject.create"})
    async def new(self, request: Request[Any, Any, Any]) -> Template:
        """The form registering a subject."""
        return await _form(request, dict(NEW_SUBJECT), {})

    @post("/subjects", opt={"permission": "subject.create"}, status_code=200)
    async def create(
        self, request: Request[Any, Any, Any], principal: Principal, ip: str
    ) -> Template | Redirect:
        """Register a subject; mistakes (a tax code already registered...) beside the field."""
        data = await read_form(request)
        return await save(
            request,
            lambda: subjects.create_subject(principal, subject_entry(data), ip),
            errors=lambda errors: _form(request, data, errors, None, 422),
            message="The subject was registered.",
            then=lambda created: f"/subjects/{created.id}",
        )

    @get("/subjects/{subject_id:int}", opt={"permission": "read"})
    async def detail(
        self, request: Request[Any, Any, Any], principal: Principal, subject_id: int
    ) -> Template:
        """A subject and every inspection, check and sanction of it in the user's scope."""
        history = await subjects.subject_history(principal, subject_id)
        return await render(
            request,
            "subjects/detail.html",
            subject=history.subject,
            cases=history.items,
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
        stale = stale_edit(
            request,
            principal,
            "subjects/stale.html",
            entity_type="subject",
            entity_id=subject_id,
            current=lambda: subjects.get_subject(principal, subject_id),
            fields=SUBJECT_FIELDS,
            values=subject_values,
            submitted=data,
            edit_url=f"/subjects/{subject_id}/edit",
            title=lambda current: current.name,
        )
        return await save(
            request,
            lambda: subjects.update_subject(principal, subject_id, subject_change(data), ip),
            errors=lambda errors: _form(request, data, errors, subject, 422),
            stale=stale,
            message="The changes were saved.",
            then=f"/subjects/{subject_id}",
        )
