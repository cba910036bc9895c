"""Subject forms: the search filters and the subject form's values."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from inspect_app.i18n import N_

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


def subject_values(row: Mapping[str, Any]) -> dict[str, Any]:
    """A stored subject as its form shows it."""
    return {key: row[key] or "" for key, _ in SUBJECT_FIELDS} | {"version": str(row["version"])}
