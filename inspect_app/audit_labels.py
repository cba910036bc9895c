"""The record history in words: action and field names, values as people write them.

The audit log keeps raw snapshots (field names, ISO dates, whole đồng, nested deadlines);
``readable_entry`` turns one row of ``services.audit.visible_history`` into what the history
table shows an inspectorate's staff member in their language. Bookkeeping fields (ids, the
version, search text, timestamps) are left out: they change on every write and say nothing.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any, Protocol

from inspect_app.domain.approvals import KIND_LABELS as APPROVAL_KIND_LABELS
from inspect_app.domain.documents import SIGNING_FORM_LABELS
from inspect_app.domain.formatting import format_date, format_datetime, format_m2, format_vnd
from inspect_app.domain.labels import (
    AGENCY_KIND_LABELS,
    FINDING_CATEGORY_LABELS,
    ORIGIN_LABELS,
    ORIGIN_SOURCE_LABELS,
    PLAN_STATUS_LABELS,
    SUBJECT_KIND_LABELS,
)
from inspect_app.domain.lifecycle import EVENT_LABELS, STATUS_LABELS
from inspect_app.domain.measures import MEASURE_STATUS_LABELS, MEASURE_TYPE_LABELS
from inspect_app.domain.permissions import ROLE_LABELS
from inspect_app.forms.inspections import CASE_FIELDS, DEADLINES, EVENT_FIELDS
from inspect_app.forms.plans import PLAN_FIELDS
from inspect_app.forms.records import FINDING_FIELDS, MEASURE_FIELDS
from inspect_app.forms.subjects import SUBJECT_FIELDS
from inspect_app.i18n import LANGUAGE_NAMES, N_, translate
from inspect_app.schemas.admin import AuditChange, AuditEntry

# Message ids of the audit actions; lifecycle events ("event.publish") use EVENT_LABELS.
ACTION_LABELS = {
    "create": N_("Added"),
    "update": N_("Edited"),
    "delete": N_("Deleted"),
    "deactivate": N_("Deactivated"),
    "activate": N_("Reactivated"),
    "status": N_("Status changed"),
    "write_off": N_("Written off"),
    "written_off": N_("Written off"),
    "upload": N_("File attached"),
    "export": N_("Exported"),
    "login": N_("Signed in"),
    "login_failed": N_("Failed sign-in"),
    "login_locked": N_("Sign-in locked"),
    "login_unlock": N_("Sign-in unlocked"),
    "password_change": N_("Password changed"),
    "token_create": N_("Token created"),
    "token_revoke": N_("Token revoked"),
    "report.request": N_("Report requested"),
    "report.narrative": N_("Narrative edited"),
    "report.sign_off": N_("Report signed off"),
    "import_upload": N_("Workbook uploaded for import"),
    "import_commit": N_("Import commit requested"),
    "import_committed": N_("Workbook imported"),
    "import_rollback": N_("Import rolled back"),
    "tip_received": N_("Tip received"),
    "tip_take": N_("Tip taken in hand"),
    "tip_accepted": N_("Tip turned into an inspection"),
    "tip_attached": N_("Tip joined to an inspection"),
    "tip_forwarded": N_("Tip forwarded"),
    "tip_rejected": N_("Tip not taken up"),
    "tip_identity_view": N_("Sender's identity viewed"),
    "reminded": N_("Reminded by letter"),
    "reminder_issued": N_("Reminder letter issued"),
    "correct": N_("Corrected"),
    "withdraw": N_("Withdrawn"),
    "reverse": N_("Reversed"),
    "approval.request": N_("Approval requested"),
    "approval.approve": N_("Approved"),
    "approval.reject": N_("Approval refused"),
    "approval.withdraw": N_("Request withdrawn"),
}
ENTITY_LABELS = {
    "agency": N_("Agency"),
    "user": N_("User"),
    "token": N_("API token"),
    "subject": N_("Subject"),
    "plan": N_("Plan"),
    "inspection": N_("Inspection"),
    "finding": N_("Finding"),
    "measure": N_("Measure"),
    "execution": N_("Execution"),
    "attachment": N_("Attachment"),
    "report": N_("Report"),
    "import_run": N_("Import"),
    "tip": N_("Tip"),
    "reminder_letter": N_("Reminder letter"),
}
# What a reminder letter's audit rows say (on the letter and on each recommendation in it).
LETTER_FIELDS = {
    "letter_number": N_("Letter number"),
    "issued_on": N_("Date of the letter"),
    "addressee": N_("To"),
}
# What every kind of record's rows may say of a correction or of a four-eyes request.
APPROVAL_NOTE_LABELS = {
    "requested_by": N_("Requested by"),
    "approved_by": N_("Approved by"),
    "reason": N_("Reason"),
}
CORRECTION_LABELS = {
    **APPROVAL_NOTE_LABELS,
    "kind": N_("Change asked for"),
    "note": N_("Note of the decision"),
    "changes": N_("Changes asked for"),
    "reverses": N_("Reverses entry"),
    "reversed_by": N_("Reversed by entry"),
}
# Field -> message id, per kind of record; the form labels are reused where they exist.
FIELD_LABELS: dict[str, dict[str, str]] = {
    "inspection": {
        **dict(CASE_FIELDS),
        "code": N_("Case code"),
        "status": N_("Status"),
        "announced_on": N_("Announced on"),
        "onsite_ended_on": N_("On-site inspection ended on"),
        "report_on": N_("Result report on"),
        "conclusion_no": N_("Conclusion number"),
        "concluded_on": N_("Concluded on"),
        "published_on": N_("Published on"),
        "directive_on": N_("Directive on"),
        "closed_on": N_("Closed on"),
        "cancelled_on": N_("Cancelled on"),
        "cancel_reason": N_("Reason for cancelling"),
        "overdue": N_("Overdue"),
        "overlap_override_reason": N_("Reason for going ahead despite the warning"),
        "overlap_override_by": N_("Went ahead despite the warning"),
    },
    "finding": dict(FINDING_FIELDS),
    "measure": {
        **dict(MEASURE_FIELDS),
        "status": N_("Status"),
        "done_vnd": N_("Amount carried out (đồng)"),
        "done_m2": N_("Land area carried out (m²)"),
        "done_count": N_("Number carried out"),
        "written_off_reason": N_("Reason for writing off"),
        "completed_on": N_("Completed on"),
        "overdue": N_("Overdue"),
        **LETTER_FIELDS,
    },
    "reminder_letter": {**LETTER_FIELDS, "items": N_("Recommendations")},
    "execution": {
        "date": N_("Date"),
        "amount_vnd": N_("Amount (đồng)"),
        "land_m2": N_("Land area (m²)"),
        "count": N_("Number"),
        "document_no": N_("Document number"),
        "note": N_("Note"),
    },
    "subject": dict(SUBJECT_FIELDS),
    "plan": {**dict(PLAN_FIELDS), "agency_id": N_("Agency")},
    "user": {
        "username": N_("Username"),
        "full_name": N_("Full name"),
        "email": N_("E-mail"),
        "role": N_("Role"),
        "agency_id": N_("Agency"),
        "language": N_("Language"),
        "active": N_("Active"),
        "last_login_at": N_("Last sign-in"),
        "failures_cleared": N_("Failed sign-ins forgotten"),
    },
    "agency": {
        "code": N_("Code"),
        "name": N_("Name"),
        "kind": N_("Kind"),
        "parent_id": N_("Parent agency"),
        "active": N_("Active"),
        "doc_symbol": N_("Document symbol (ký hiệu)"),
        "parent_body": N_("Parent body (cơ quan chủ quản)"),
        "place_name": N_("Place name (địa danh)"),
        "head_title": N_("Title of the head"),
        "signer_name": N_("Default signer: full name"),
        "signer_title": N_("Default signer: own title"),
        "signing_form": N_("Default signing form"),
        "recipients": N_("Recipients (Kính gửi), one a line"),
        "distribution": N_("Distribution (Nơi nhận), one a line"),
    },
}
# Derived or bookkeeping fields: recomputed on every write, or meaningless to a reader.
HIDDEN_FIELDS = frozenset(
    {
        "id",
        "version",
        "search_text",
        "created_at",
        "updated_at",
        "created_by",
        "created_by_agency_id",
        "inspection_id",
        "measure_id",
        "path",
        "depth",
        "warnings",
        "overdue_steps",
        "remaining",
        "unit",
        "password_hash",
    }
)
# Coded values named in words: field -> code -> message id.
CODE_LABELS: dict[str, Mapping[str, str]] = {
    "origin": ORIGIN_LABELS,
    "origin_source": ORIGIN_SOURCE_LABELS,
    "category": FINDING_CATEGORY_LABELS,
    "role": ROLE_LABELS,
    "type": MEASURE_TYPE_LABELS,
    "language": LANGUAGE_NAMES,
    "signing_form": SIGNING_FORM_LABELS,
}
STATUS_BY_ENTITY: dict[str, Mapping[str, str]] = {
    "inspection": STATUS_LABELS,
    "measure": MEASURE_STATUS_LABELS,
    "plan": PLAN_STATUS_LABELS,
}
KIND_BY_ENTITY: dict[str, Mapping[str, str]] = {
    "subject": SUBJECT_KIND_LABELS,
    "agency": AGENCY_KIND_LABELS,
}
DEADLINE_LABELS = {key: label for key, label, _ in DEADLINES}
EVENT_FIELD_LABELS = {
    "date": N_("Date"),
    **{name: label for fields in EVENT_FIELDS.values() for name, label, _ in fields},
}
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
ISO_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")
EMPTY = "—"


def action_label(action: str, lang: str) -> str:
    """An audit action in words: "event.publish" -> "Công khai kết luận"."""
    if action.startswith("event."):
        event = action.removeprefix("event.")
        return translate(EVENT_LABELS.get(event, event), lang)
    return translate(ACTION_LABELS.get(action, action), lang)


def entity_label(entity_type: str, lang: str) -> str:
    """A kind of record in words ("inspection" -> "Cuộc thanh tra")."""
    return translate(ENTITY_LABELS.get(entity_type, entity_type), lang)


def _coded(table: Mapping[str, str], code: str, lang: str) -> str:
    label = table.get(code)
    return code if label is None else translate(label, lang)


def _date_value(value: Any, lang: str) -> str | None:
    if isinstance(value, datetime):
        return format_datetime(value, lang)
    if isinstance(value, date):
        return format_date(value, lang)
    if isinstance(value, str) and ISO_DATE.match(value):
        return format_date(date.fromisoformat(value), lang)
    if isinstance(value, str) and ISO_DATETIME.match(value):
        try:
            return format_datetime(datetime.fromisoformat(value), lang)
        except ValueError:
            return None
    return None


def _area(value: Any, lang: str) -> str:
    try:
        return format_m2(Decimal(str(value)), lang)
    except InvalidOperation:
        return str(value)


def format_value(entity_type: str, field: str, value: Any, lang: str) -> str:
    """One stored value as people write it: dates dd/mm/yyyy, đồng, m², codes in words."""
    if value is None or value == "" or value == []:
        return EMPTY
    if isinstance(value, bool):
        return translate("Yes" if value else "No", lang)
    if isinstance(value, list):
        return ", ".join(format_value(entity_type, field, item, lang) for item in value)
    if isinstance(value, dict):
        return "; ".join(
            f"{key}: {format_value(entity_type, key, item, lang)}" for key, item in value.items()
        )
    shown = _date_value(value, lang)
    if shown is not None:
        return shown
    if field.endswith("_vnd") and isinstance(value, int):
        return format_vnd(value, lang)
    if field.endswith("_m2"):
        return _area(value, lang)
    if field.endswith(("_id", "_ids", "_by")) and isinstance(value, int):
        return f"#{value}"
    if field == "status" and entity_type in STATUS_BY_ENTITY:
        return _coded(STATUS_BY_ENTITY[entity_type], str(value), lang)
    if field == "kind" and entity_type in KIND_BY_ENTITY:
        return _coded(KIND_BY_ENTITY[entity_type], str(value), lang)
    if field in CODE_LABELS:
        return _coded(CODE_LABELS[field], str(value), lang)
    return str(value)


def _change(label: str, before: str, after: str) -> dict[str, str]:
    return {"label": label, "before": before, "after": after}


def _nested(
    entity_type: str,
    labels: Mapping[str, str],
    before: Any,
    after: Any,
    lang: str,
) -> list[dict[str, str]]:
    """One change per key of a nested record (a case's deadlines, an event's details)."""
    old = before if isinstance(before, dict) else {}
    new = after if isinstance(after, dict) else {}
    return [
        _change(
            translate(labels.get(key, key), lang),
            format_value(entity_type, key, old.get(key), lang),
            format_value(entity_type, key, new.get(key), lang),
        )
        for key in [*labels, *sorted((old.keys() | new.keys()) - labels.keys())]
        if key != "type" and old.get(key) != new.get(key)
    ]


def _asked_changes(entity_type: str, value: Any, lang: str) -> str:
    """The changes a request asked for ({field: [old, new]}) as "Label: old → new"."""
    if not isinstance(value, dict):
        return format_value(entity_type, "changes", value, lang)
    labels = FIELD_LABELS.get(entity_type, {})
    parts = []
    for field, pair in value.items():
        field = str(field)
        old, new = pair if isinstance(pair, list) and len(pair) == 2 else (None, pair)
        label = translate(labels.get(field) or field, lang)
        before = format_value(entity_type, field, old, lang)
        parts.append(f"{label}: {before} → {format_value(entity_type, field, new, lang)}")
    return "; ".join(parts)


def readable_changes(
    entity_type: str, changes: list[AuditChange], lang: str
) -> list[dict[str, str]]:
    """The changes of an audit row as labelled, formatted values."""
    labels = {**CORRECTION_LABELS, **FIELD_LABELS.get(entity_type, {})}
    shown: list[dict[str, str]] = []
    for change in changes:
        field = change.field
        if field in HIDDEN_FIELDS or field == "approval_id":
            continue
        if field == "approval":
            # Who asked and who approved: both names stay on the record.
            note = change.after if isinstance(change.after, dict) else {}
            named = {key: value for key, value in note.items() if key in APPROVAL_NOTE_LABELS}
            shown += _nested(entity_type, APPROVAL_NOTE_LABELS, None, named, lang)
        elif field == "changes":
            if not change.after:
                continue  # a write-off asks for no field change: its status says it
            shown.append(
                _change(
                    translate(labels["changes"], lang),
                    EMPTY,
                    _asked_changes(entity_type, change.after, lang),
                )
            )
        elif field == "kind" and entity_type not in KIND_BY_ENTITY:
            shown.append(
                _change(
                    translate(labels["kind"], lang),
                    EMPTY,
                    _coded(APPROVAL_KIND_LABELS, str(change.after), lang),
                )
            )
        elif field == "deadlines":
            shown += _nested(entity_type, DEADLINE_LABELS, change.before, change.after, lang)
        elif field == "event":
            shown += _nested(entity_type, EVENT_FIELD_LABELS, None, change.after, lang)
        elif field.endswith(("_id", "_ids")) and field not in labels:
            continue  # a link to another record nobody named: nothing to read
        else:
            shown.append(
                _change(
                    translate(labels.get(field, field.replace("_", " ").capitalize()), lang),
                    format_value(entity_type, field, change.before, lang),
                    format_value(entity_type, field, change.after, lang),
                )
            )
    return shown


class ApprovalAsked(Protocol):
    """What a request's summary is read from (services.approvals.ApprovalRecord)."""

    @property
    def kind(self) -> str: ...
    @property
    def summary(self) -> Mapping[str, Any]: ...


def readable_entry(row: AuditEntry, lang: str) -> dict[str, Any]:
    """One history row in words: action, kind of record, and its labelled changes."""
    return {
        "action": action_label(row.action, lang),
        "entity": entity_label(row.entity_type, lang),
        "changes": readable_changes(row.entity_type, row.changes, lang),
        "show_before": row.before is not None,
    }


REVERSAL_SUMMARY = N_("Entry of {date}: {amount}, cancelled on {on}")
CLOSE_SUMMARY = N_("Close the case on {date}")


def approval_summary(row: ApprovalAsked, lang: str) -> str:
    """What a four-eyes request asks for, in words ("Số tiền: 1.000.000.000 ₫ → 900.000.000 ₫")."""
    summary = row.summary or {}
    kind = row.kind
    if kind == "case_close":
        return translate(
            CLOSE_SUMMARY, lang, date=format_value("", "date", summary.get("date"), lang)
        )
    if kind == "measure_update":
        return _asked_changes("measure", summary.get("changes") or {}, lang)
    if kind == "measure_create":
        kind_label = format_value("measure", "type", summary.get("type"), lang)
        amount = format_value("measure", "amount_vnd", summary.get("amount_vnd"), lang)
        return f"{kind_label}: {amount}"
    if kind == "execution_reversal":
        if summary.get("count"):
            amount = str(summary["count"])
        elif summary.get("amount_vnd"):
            amount = format_value("execution", "amount_vnd", summary["amount_vnd"], lang)
        else:
            amount = format_value("execution", "land_m2", summary.get("land_m2"), lang)
        return translate(
            REVERSAL_SUMMARY,
            lang,
            date=format_value("", "date", summary.get("executed_on"), lang),
            amount=amount,
            on=format_value("", "date", summary.get("date"), lang),
        )
    return ""
