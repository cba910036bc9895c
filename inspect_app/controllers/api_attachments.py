"""JSON API of attachments: upload (multipart), list per record, download in scope."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from litestar import Controller, get, post
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath
from litestar.response import File
from litestar.status_codes import HTTP_201_CREATED

from inspect_app.principal import Principal
from inspect_app.schemas.bounds import (
    AttachmentOwner,
    QueryAttachmentOwner,
    RecordId,
    RequiredQueryId,
)
from inspect_app.schemas.cases import Attachment, AttachmentList
from inspect_app.services import attachments
from inspect_app.settings import get_settings

# The service answers 422 above the limit; the server refuses bodies well beyond it.
MULTIPART_OVERHEAD = 1024 * 1024


@dataclass
class AttachmentUpload:
    """The multipart form of an upload."""

    entity_type: AttachmentOwner
    entity_id: RecordId
    file: UploadFile


class AttachmentApiController(Controller):
    """``/api/attachments``."""

    path = "/api/attachments"
    tags = ["attachments"]

    @post(
        "/",
        opt={"permission": "attachment.upload"},
        status_code=HTTP_201_CREATED,
        request_max_body_size=get_settings().max_upload_mb * 1024 * 1024 + MULTIPART_OVERHEAD,
    )
    async def upload(
        self,
        principal: Principal,
        data: Annotated[AttachmentUpload, Body(media_type=RequestEncodingType.MULTI_PART)],
        ip: str,
    ) -> Attachment:
        """Attach a PDF, DOCX, XLSX, JPEG or PNG file to a record in scope."""
        content = await data.file.read()
        return await attachments.upload(
            principal,
            attachments.AttachmentTarget(data.entity_type, data.entity_id),
            data.file.filename or "",
            content,
            ip,
        )

    @get("/", opt={"permission": "read"})
    async def list_attachments(
        self,
        principal: Principal,
        entity_type: QueryAttachmentOwner,
        entity_id: RequiredQueryId,
    ) -> AttachmentList:
        """The attachments of one record."""
        return await attachments.list_attachments(principal, entity_type, entity_id)

    @get("/{attachment_id:int}", opt={"permission": "read"}, media_type="application/octet-stream")
    async def download(self, principal: Principal, attachment_id: FromPath[int]) -> File:
        """Download the file (Content-Disposition: attachment with its name)."""
        row, path = await attachments.download(principal, attachment_id)
        return File(
            path=path,
            filename=row.filename,
            media_type=row.content_type,
            content_disposition_type="attachment",
        )
