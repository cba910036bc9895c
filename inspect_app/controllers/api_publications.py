"""JSON API of a conclusion's public version."""

from __future__ import annotations

from typing import Any

from litestar import Controller, get, put
from litestar.params import FromPath

from inspect_app.errors import NotFound
from inspect_app.principal import Principal
from inspect_app.schemas.cases import given
from inspect_app.schemas.publications import Publication, PublicationSave
from inspect_app.services import publications


def _out(row: dict[str, Any]) -> Publication:
    listed = row["published_on"] is not None and row["unpublished_at"] is None
    return Publication(
        id=row["id"],
        inspection_id=row["inspection"],
        summary=row["summary"],
        public_text=row["public_text"],
        file_name=row["file_name"],
        published_on=row["published_on"],
        unpublished_at=row["unpublished_at"],
        unpublish_reason=row["unpublish_reason"],
        public_url=f"/public/conclusions/{row['id']}" if listed else None,
        version=row["version"],
    )


class PublicationApiController(Controller):
    """``/api/inspections/{id}/publication``: prepare what the publish event publishes."""

    path = "/api/inspections/{inspection_id:int}/publication"
    tags = ["inspections"]

    @get("/", opt={"permission": "read"})
    async def get_publication(
        self, principal: Principal, inspection_id: FromPath[int]
    ) -> Publication:
        """The public version of a case's conclusion (404 while none is prepared)."""
        row = await publications.get_publication(principal, inspection_id)
        if row is None:
            raise NotFound()
        return _out(row)

    @put("/", opt={"permission": "inspection.edit"})
    async def save_publication(
        self, principal: Principal, inspection_id: FromPath[int], data: PublicationSave, ip: str
    ) -> Publication:
        """Prepare or correct the public version of a concluded case's conclusion; the case's
        ``publish`` event is refused (409 ``no_public_version``) until there is one."""
        values = given(data)
        row = await publications.save_publication(principal, inspection_id, values, None, ip)
        return _out(row)
