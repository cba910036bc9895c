"""JSON API of a conclusion's public version."""

from __future__ import annotations

from litestar import Controller, get, put
from litestar.params import FromPath

from inspect_app.errors import NotFound
from inspect_app.principal import Principal
from inspect_app.schemas.publications import Publication, PublicationSave
from inspect_app.services import publications
from inspect_app.services.publications import PublicVersion


def _out(found: PublicVersion) -> Publication:
    return Publication(
        id=found.id,
        inspection_id=found.inspection_id,
        summary=found.summary,
        public_text=found.public_text,
        file_name=found.file_name,
        published_on=found.published_on,
        unpublished_at=found.unpublished_at,
        unpublish_reason=found.unpublish_reason,
        public_url=found.public_url,
        version=found.version,
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
        return _out(await publications.save_publication(principal, inspection_id, data, None, ip))
