"""The machine-readable copy of a report: JSON with its published JSON Schema, and CSV.

Every report revision is also written as ``report.json`` (the whole report: layout version,
agency codes, period bounds, the document's number and signer, and every counter of every
row, in the units of the API: whole đồng as integers, m² as two-decimal strings) and as one
CSV per table (``inspections.csv``, ``checks.csv``, ``implementation.csv``: one line per row
of the table, one column per counter). The schema of the JSON is generated from the layout
and the counters, and published at ``/schema/reports/<layout>.json`` so that a ministry's or
the national system's importer can validate what it reads; docs/reports.md describes it.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass

from inspect_app.domain import report_layout as rl
from inspect_app.domain.periods import parse_period
from inspect_app.services.export_text import PrintableText
from inspect_app.services.report_document import DocumentFrame, printable_frame
from inspect_app.services.report_figures import (
    HasTables,
    ReportFigures,
    printable_figures,
    table_of,
)
from inspect_app.services.report_render import report_name
from inspect_app.services.totals import COUNTER_KEYS

# A JSON document as written to a file: the JSON copy of a report and its JSON Schema.
JsonValue = dict[str, "JsonValue"] | list["JsonValue"] | str | int | float | bool | None
JsonObject = dict[str, JsonValue]

SCHEMA_DRAFT = "https://json-schema.org/draft/2020-12/schema"
CSV_TABLES = tuple(COUNTER_KEYS)
_LAND = r"^[0-9]+\.[0-9]{2}$"
_DATE = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"


def schema_path(layout_id: str) -> str:
    """Where the schema of a layout is published."""
    return f"/schema/reports/{layout_id}.json"


@dataclass(frozen=True, slots=True)
class ReportMeta:
    """Which revision of which report a set of files belongs to."""

    report_id: int
    revision: int


def _period(code: str) -> JsonObject:
    period = parse_period(code)
    return {
        "code": period.code,
        "kind": period.kind,
        "year": period.year,
        "from": period.start.isoformat(),
        "to": period.end.isoformat(),
    }


def _tables(counters: HasTables) -> JsonObject:
    return {
        table: {key: table_of(counters, table)[key] for key in keys}
        for table, keys in COUNTER_KEYS.items()
    }


def report_json(totals: ReportFigures, frame: DocumentFrame, meta: ReportMeta) -> JsonObject:
    """The JSON copy of a report revision (``meta``: report_id, revision).

    Stored text is made printable first, as in the other files of the report: the copy says
    what the signed document says."""
    clean = PrintableText(report_name(totals, "JSON"))
    totals, frame = printable_figures(totals, clean), printable_frame(frame, clean)
    clean.log()
    layout = rl.get_layout(totals.layout)
    number = frame.number
    reference = str(frame.number_line)[len("Số: ") :] if number is not None else None
    signer: JsonValue = (
        {
            "name": frame.signer_name,
            "title": frame.signer_title,
            "signing_form": frame.signing_form,
            "title_lines": list(frame.signer_lines),
        }
        if frame.signed
        else None
    )
    return {
        "$schema": schema_path(layout.id),
        "layout_version": layout.id,
        "legal_basis": layout.legal_basis("vi"),
        "report": {
            "id": meta.report_id,
            "revision": meta.revision,
            "status": "signed" if frame.signed else "draft",
            "figures_as_of": totals.as_of,
        },
        "document": {
            "kind": frame.kind_code,
            "symbol": f"{frame.kind_code}-{frame.symbol}",
            "number": number,
            "reference": reference,
            "issued_on": frame.issued_on.isoformat() if frame.issued_on else None,
            "summary": frame.summary,
            "signer": signer,
            "preparer": frame.preparer or None,
        },
        "agency": {
            "id": totals.agency_id,
            "code": totals.agency_code or frame.agency_code,
            "name": totals.agency_name,
        },
        "period": _period(totals.period),
        "previous_period": _period(totals.previous.period),
        "units": {"money": "VND", "land": "m2"},
        "totals": _tables(totals),
        "previous_totals": _tables(totals.previous),
        "rows": [
            {
                "agency_id": row.agency_id,
                "agency_code": row.agency_code,
                "name": row.name,
                "own": row.own,
                **_tables(row),
                "previous": _tables(row.previous),
            }
            for row in totals.rows
        ],
    }


def dumps(document: JsonObject) -> str:
    """JSON text as written to the file: UTF-8, keys in a fixed order, a final newline."""
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def table_csv(totals: ReportFigures, table: str) -> str:
    """One table as CSV: a line per row (the total, last year's, then each unit); stored
    text made printable first."""
    clean = PrintableText(report_name(totals, f"CSV {table}"))
    totals = printable_figures(totals, clean)
    clean.log()
    keys = COUNTER_KEYS[table]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["row", "agency_id", "agency_code", "name", "period", *keys])
    previous = totals.previous
    writer.writerow(
        ["total", totals.agency_id, totals.agency_code, totals.agency_name,
         totals.period, *(table_of(totals, table)[k] for k in keys)]
    )  # fmt: skip
    writer.writerow(
        ["previous", totals.agency_id, totals.agency_code, totals.agency_name,
         previous.period, *(table_of(previous, table)[k] for k in keys)]
    )  # fmt: skip
    for row in totals.rows:
        writer.writerow(
            ["own" if row.own else "unit", row.agency_id, row.agency_code,
             row.name, totals.period, *(table_of(row, table)[k] for k in keys)]
        )  # fmt: skip
    return out.getvalue()


def _counters_schema(keys: tuple[str, ...]) -> JsonObject:
    properties: JsonObject = {}
    for key in keys:
        if key.endswith("_m2"):
            properties[key] = {"type": "string", "pattern": _LAND, "description": "m²"}
        elif key.endswith("_vnd"):
            properties[key] = {"type": "integer", "minimum": 0, "description": "whole đồng"}
        else:
            properties[key] = {"type": "integer", "minimum": 0}
    return {
        "type": "object",
        "properties": properties,
        "required": list(keys),
        "additionalProperties": False,
    }


def report_schema(layout_id: str) -> JsonObject:
    """The JSON Schema (2020-12) of the JSON copy of reports made with ``layout_id``.

    Raises :class:`inspect_app.domain.report_layout.UnknownLayout` for an unknown layout.
    """
    layout = rl.get_layout(layout_id)
    tables: JsonObject = {
        "type": "object",
        "properties": {table: {"$ref": f"#/$defs/{table}"} for table in COUNTER_KEYS},
        "required": list(COUNTER_KEYS),
        "additionalProperties": False,
    }
    period: JsonObject = {
        "type": "object",
        "properties": {
            "code": {"type": "string", "pattern": r"^[0-9]{4}-(Q[1-4]|6M|9M|Y)$"},
            "kind": {"enum": ["Q1", "Q2", "Q3", "Q4", "6M", "9M", "Y"]},
            "year": {"type": "integer"},
            "from": {"type": "string", "pattern": _DATE},
            "to": {"type": "string", "pattern": _DATE},
        },
        "required": ["code", "kind", "year", "from", "to"],
        "additionalProperties": False,
    }
    nullable_string: JsonObject = {"type": ["string", "null"]}
    table_notes = {
        table.counters: f"{table.form_no}: {table.title('vi')}" for table in layout.tables
    }
    return {
        "$schema": SCHEMA_DRAFT,
        "$id": schema_path(layout.id),
        "title": f"Báo cáo công tác thanh tra – {layout.id}",
        "description": (
            f"The machine-readable copy of a periodic inspection report made with layout "
            f"{layout.id} ({layout.legal_basis('en')}). Money in whole đồng (integers), land "
            "in m² as strings with two decimals. Tables: "
            + "; ".join(f"{key} = {note}" for key, note in table_notes.items())
            + "."
        ),
        "type": "object",
        "properties": {
            "$schema": {"type": "string"},
            "layout_version": {"const": layout.id},
            "legal_basis": {"type": "string"},
            "report": {
                "type": "object",
                "properties": {
                    "id": {"type": "integer"},
                    "revision": {"type": "integer", "minimum": 1},
                    "status": {"enum": ["draft", "signed"]},
                    "figures_as_of": {"type": "string"},
                },
                "required": ["id", "revision", "status", "figures_as_of"],
                "additionalProperties": False,
            },
            "document": {
                "type": "object",
                "properties": {
                    "kind": {"type": "string"},
                    "symbol": {"type": "string"},
                    "number": {"type": ["integer", "null"], "minimum": 1},
                    "reference": nullable_string,
                    "issued_on": {"type": ["string", "null"], "pattern": _DATE},
                    "summary": {"type": "string"},
                    "signer": {
                        "oneOf": [
                            {"type": "null"},
                            {
                                "type": "object",
                                "properties": {
                                    "name": {"type": "string"},
                                    "title": {"type": "string"},
                                    "signing_form": {"enum": ["direct", "kt", "tl"]},
                                    "title_lines": {"type": "array", "items": {"type": "string"}},
                                },
                                "required": ["name", "title", "signing_form", "title_lines"],
                                "additionalProperties": False,
                            },
                        ]
                    },
                    "preparer": nullable_string,
                },
                "required": ["kind", "symbol", "number", "reference", "issued_on", "signer"],
                "additionalProperties": False,
            },
            "agency": {
                "type": "object",
                "properties": {
                    "id": {"type": "integer"},
                    "code": {"type": "string", "minLength": 1},
                    "name": {"type": "string"},
                },
                "required": ["id", "code", "name"],
                "additionalProperties": False,
            },
            "period": {"$ref": "#/$defs/period"},
            "previous_period": {"$ref": "#/$defs/period"},
            "units": {
                "type": "object",
                "properties": {"money": {"const": "VND"}, "land": {"const": "m2"}},
                "required": ["money", "land"],
            },
            "totals": {"$ref": "#/$defs/tables"},
            "previous_totals": {"$ref": "#/$defs/tables"},
            "rows": {
                "type": "array",
                "minItems": 1,
                "items": {
                    "type": "object",
                    "properties": {
                        "agency_id": {"type": "integer"},
                        "agency_code": {"type": "string", "minLength": 1},
                        "name": {"type": "string"},
                        "own": {"type": "boolean"},
                        **{table: {"$ref": f"#/$defs/{table}"} for table in COUNTER_KEYS},
                        "previous": {"$ref": "#/$defs/tables"},
                    },
                    "required": [
                        "agency_id",
                        "agency_code",
                        "name",
                        "own",
                        *COUNTER_KEYS,
                        "previous",
                    ],
                    "additionalProperties": False,
                },
            },
        },
        "required": [
            "layout_version",
            "report",
            "document",
            "agency",
            "period",
            "previous_period",
            "units",
            "totals",
            "previous_totals",
            "rows",
        ],
        "additionalProperties": False,
        "$defs": {
            "period": period,
            "tables": tables,
            **{table: _counters_schema(keys) for table, keys in COUNTER_KEYS.items()},
        },
    }
