"""Subject forms: the search filters and the subject form's values."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from inspect_app.forms.common import form_version
from inspect_app.i18n import N_
from inspect_app.schemas.cases import Subject, SubjectCreate, SubjectUpdate

SUBJECT_FIELDS = (
    ("kind", N_("Kind")),
    ("name", N_("Name")),
    ("tax_code", N_("Tax code")),
    ("address", N_("Address")),
    ("sector", N_("Sector")),
)
NEW_SUBJECT = {"kind": "enterprise"}


def subject_filters(q: str | None, kind: str | None) -> dict[str, str]:
    """The subject search as typed (text stripped)."""
    return {"q": (q or "").strip(), "kind": kind or ""}


def subject_values(subject: Subject) -> dict[str, Any]:
    """A stored subject as its form shows it."""
    shown = {key: getattr(subject, key) or "" for key, _ in SUBJECT_FIELDS}
    return shown | {"version": str(subject.version)}


def _typed(data: Mapping[str, Any]) -> dict[str, Any]:
    # Every field is text: the service reads and checks each (a kind of the list, a tax
    # code of 10 or 13 digits), as it does the API's.
    return {key: data[key] for key, _ in SUBJECT_FIELDS if key in data}


def subject_entry(data: Mapping[str, Any]) -> SubjectCreate:
    """The subject form as the service takes it."""
    typed = _typed(data)
    return SubjectCreate(kind=typed.pop("kind", None), name=typed.pop("name", None), **typed)


def subject_change(data: Mapping[str, Any]) -> SubjectUpdate:
    """The subject's edit form, with the version it read (InvalidInput without one)."""
    return SubjectUpdate(version=form_version(data), **_typed(data))
