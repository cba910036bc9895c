"""JSON API of subjects: shared reference data, and each subject's history in scope."""

from __future__ import annotations

from litestar import Controller, get, patch, post
from litestar.params import FromPath, FromQuery
from litestar.status_codes import HTTP_201_CREATED

from inspect_app.principal import Principal
from inspect_app.schemas.bounds import QueryLimit
from inspect_app.schemas.cases import (
    Subject,
    SubjectCreate,
    SubjectHistory,
    SubjectList,
    SubjectUpdate,
)
from inspect_app.services import subjects


class SubjectApiController(Controller):
    """``/api/subjects``: list, register, read, correct, history."""

    path = "/api/subjects"
    tags = ["subjects"]

    @get("/", opt={"permission": "read"})
    async def list_subjects(
        self,
        principal: Principal,
        q: FromQuery[str | None] = None,
        tax_code: FromQuery[str | None] = None,
        kind: FromQuery[str | None] = None,
        cursor: FromQuery[str | None] = None,
        limit: QueryLimit = None,
    ) -> SubjectList:
        """Subjects, newest first; ``q`` ignores accents ("ha nam" finds "Hà Nam")."""
        return await subjects.list_subjects(
            principal, q=q, tax_code=tax_code, kind=kind, cursor=cursor, limit=limit
        )

    @post("/", opt={"permission": "subject.create"}, status_code=HTTP_201_CREATED)
    async def create_subject(self, principal: Principal, data: SubjectCreate, ip: str) -> Subject:
        """Register a subject."""
        return await subjects.create_subject(principal, data, ip)

    @get("/{subject_id:int}", opt={"permission": "read"})
    async def get_subject(self, principal: Principal, subject_id: FromPath[int]) -> Subject:
        """One subject."""
        return await subjects.get_subject(principal, subject_id)

    @patch("/{subject_id:int}", opt={"permission": "subject.edit"})
    async def update_subject(
        self, principal: Principal, subject_id: FromPath[int], data: SubjectUpdate, ip: str
    ) -> Subject:
        """Correct a subject; send the version read (409 when stale)."""
        return await subjects.update_subject(principal, subject_id, data, ip)

    @get("/{subject_id:int}/history", opt={"permission": "read"})
    async def subject_history(
        self, principal: Principal, subject_id: FromPath[int]
    ) -> SubjectHistory:
        """Every inspection and check of the subject in the caller's scope, with outcomes."""
        return await subjects.subject_history(principal, subject_id)
