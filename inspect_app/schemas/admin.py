"""Schemas of agencies, users and the audit log (API.md: "Auth and people", "Reference data")."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

import msgspec

from inspect_app.schemas.bounds import Language, RecordId, Version

Code = Annotated[str, msgspec.Meta(max_length=32)]
Name = Annotated[str, msgspec.Meta(max_length=255)]
Symbol = Annotated[str, msgspec.Meta(max_length=20)]
Title = Annotated[str, msgspec.Meta(max_length=100)]
SigningForm = Literal["direct", "kt", "tl"]
Lines = Annotated[list[Name], msgspec.Meta(max_length=20)]


# Whole đồng, 0 (no fine waits) to 10^15.
Threshold = Annotated[int, msgspec.Meta(ge=0, le=10**15)]


class Agency(msgspec.Struct):
    """An agency of the tree; ``path`` is the materialised path of ids ("/1/4/17/")."""

    id: int
    code: str
    name: str
    kind: str
    parent_id: int | None
    active: bool
    version: int
    path: str
    depth: int
    # How the agency's documents are headed and signed (Decree 30/2020/NĐ-CP); empty
    # means the default (see docs/reports.md, "Document frame").
    doc_symbol: str = ""
    parent_body: str = ""
    place_name: str = ""
    head_title: str = ""
    signer_name: str = ""
    signer_title: str = ""
    signing_form: str = "direct"
    recipients: list[str] = msgspec.field(default_factory=list)
    distribution: list[str] = msgspec.field(default_factory=list)
    # A fine above this many đồng waits for a second person's approval (0: none does).
    fine_approval_vnd: int = 0
    # Merged into another agency from a date (then inactive; docs/reports.md).
    succeeded_by_id: int | None = None
    succeeded_on: date | None = None


class AgencyMerge(msgspec.Struct):
    """POST /api/agencies/{id}/merge: the agency it merged into, the successor's first day,
    optionally the version read."""

    successor_id: RecordId
    succeeded_on: date
    version: int | None = None


class AgencyCreate(msgspec.Struct):
    """A new agency under ``parent_id`` (in the caller's subtree)."""

    code: Code
    name: Name
    parent_id: RecordId
    kind: str = "department"
    active: bool = True
    doc_symbol: Symbol = ""
    parent_body: Name = ""
    place_name: Title = ""
    head_title: Title = ""
    signer_name: Name = ""
    signer_title: Title = ""
    signing_form: SigningForm = "direct"
    recipients: Lines = msgspec.field(default_factory=list)
    distribution: Lines = msgspec.field(default_factory=list)
    fine_approval_vnd: Threshold = 0


class AgencyUpdate(msgspec.Struct):
    """Changes to an agency; ``version`` is the one read (stale: 409)."""

    version: Version
    code: Code | msgspec.UnsetType = msgspec.UNSET
    name: Name | msgspec.UnsetType = msgspec.UNSET
    kind: str | msgspec.UnsetType = msgspec.UNSET
    parent_id: RecordId | msgspec.UnsetType | None = msgspec.UNSET
    active: bool | msgspec.UnsetType = msgspec.UNSET
    doc_symbol: Symbol | msgspec.UnsetType = msgspec.UNSET
    parent_body: Name | msgspec.UnsetType = msgspec.UNSET
    place_name: Title | msgspec.UnsetType = msgspec.UNSET
    head_title: Title | msgspec.UnsetType = msgspec.UNSET
    signer_name: Name | msgspec.UnsetType = msgspec.UNSET
    signer_title: Title | msgspec.UnsetType = msgspec.UNSET
    signing_form: SigningForm | msgspec.UnsetType = msgspec.UNSET
    recipients: Lines | msgspec.UnsetType = msgspec.UNSET
    distribution: Lines | msgspec.UnsetType = msgspec.UNSET
    fine_approval_vnd: Threshold | msgspec.UnsetType = msgspec.UNSET


class AgencyList(msgspec.Struct):
    """A page of agencies."""

    items: list[Agency]
    next_cursor: str | None


class User(msgspec.Struct):
    """A user (never the password hash)."""

    id: int
    username: str
    full_name: str
    role: str
    agency_id: int
    active: bool
    version: int
    email: str | None
    language: str
    last_login_at: datetime | None
    # Set while repeated failed sign-ins lock the account (POST /api/users/{id}/unlock).
    sign_in_locked_until: datetime | None = None


class UserCreate(msgspec.Struct):
    """A new user with a first password."""

    username: Annotated[str, msgspec.Meta(max_length=64)]
    full_name: Name
    role: str
    agency_id: RecordId
    password: Annotated[str, msgspec.Meta(max_length=1024)]
    email: Name | None = None
    language: Language = "vi"
    active: bool = True


class UserUpdate(msgspec.Struct):
    """Changes to a user; ``active: false`` ends their sessions and tokens at once."""

    version: Version
    full_name: Name | msgspec.UnsetType = msgspec.UNSET
    email: Name | msgspec.UnsetType | None = msgspec.UNSET
    role: str | msgspec.UnsetType = msgspec.UNSET
    agency_id: RecordId | msgspec.UnsetType = msgspec.UNSET
    active: bool | msgspec.UnsetType = msgspec.UNSET
    language: Language | msgspec.UnsetType = msgspec.UNSET
    password: Annotated[str, msgspec.Meta(max_length=1024)] | msgspec.UnsetType = msgspec.UNSET


class UserList(msgspec.Struct):
    """A page of users."""

    items: list[User]
    next_cursor: str | None


class AuditChange(msgspec.Struct):
    """One field that changed."""

    field: str
    before: Any
    after: Any


class AuditEntry(msgspec.Struct):
    """One row of the audit log: who, when, what, before and after."""

    id: int
    at: datetime
    user_id: int | None
    username: str
    action: str
    entity_type: str
    entity_id: int | None
    agency_id: int | None
    before: Any
    after: Any
    changes: list[AuditChange]
    ip: str
    # The person's name (empty for a sign-in attempt of an unknown username).
    full_name: str = ""


class AuditList(msgspec.Struct):
    """A page of audit rows, newest first."""

    items: list[AuditEntry]
    next_cursor: str | None
