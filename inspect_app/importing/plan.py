"""From checked rows to the records an import writes: keys, columns, derived values.

Pure: no database. Each record gets its natural key within the agency, the columns it is
written with, the keys of the records it points at, and a digest of all that, so that a
re-import can tell a row it already wrote (same digest: nothing to do) from a corrected one.

Keys:

- a case: its decision number and the year of its decision (``15/QĐ-TTr|2024``);
- a subject: ``tax:<tax code>``, or ``name:<folded name>`` without one;
- a case's subject (the link): the case's key and the subject's;
- a finding or a recommendation: the case's key and the row's own key (``…|PH1``);
- an execution: its recommendation's key, its date, its document number and, for rows
  alike in all three, its place among them (1, 2, ...).

A case's status comes from the dates it has (concluded, on-site work ended, announced, or
draft) and its deadlines from the legal clock, as if the events had been recorded one by
one; an imported case has the standard 45 days on site, in calendar days.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

from inspect_app.domain.clock import ClockInput, Deadlines
from inspect_app.domain.measures import measure_unit
from inspect_app.domain.messages import pN_
from inspect_app.domain.text import fold_vietnamese, searchable_number
from inspect_app.importing.validate import DryRun, Problem, Row

ItemKind = Literal["cases", "subjects", "links", "findings", "measures", "executions"]
# The order records are written in: every record after those it points at.
WRITE_ORDER: tuple[ItemKind, ...] = (
    "cases",
    "subjects",
    "links",
    "findings",
    "measures",
    "executions",
)
DEFAULT_DURATION_DAYS = 45
# The kinds as the pages name them.
KIND_LABELS = {
    "cases": pN_("import", "Cases"),
    "subjects": pN_("import", "Subjects"),
    "links": pN_("import", "Subjects of cases"),
    "findings": pN_("import", "Findings"),
    "measures": pN_("import", "Recommendations"),
    "executions": pN_("import", "Executions"),
}


@dataclass(slots=True)
class Item:
    """One record to write: what identifies it, where it came from, what it holds."""

    kind: ItemKind
    key: str
    sheet: str
    row: int
    values: dict[str, Any]
    # column -> key of the record it points at (resolved to an id when written)
    refs: dict[str, str] = field(default_factory=dict)
    digest: str = ""

    def seal(self) -> Item:
        """Set the digest from the values and references."""
        payload = json.dumps(
            [self.values, self.refs], sort_keys=True, default=str, ensure_ascii=False
        )
        self.digest = hashlib.sha256(payload.encode()).hexdigest()
        return self


@dataclass
class Plan:
    """The records of a workbook, per kind, in the order they are written."""

    items: dict[ItemKind, list[Item]] = field(
        default_factory=lambda: {kind: [] for kind in WRITE_ORDER}
    )
    skipped_rows: int = 0

    def __len__(self) -> int:
        return sum(len(found) for found in self.items.values())

    def dates(self) -> set[dt.date]:
        """Every date the records carry: the periods whose totals the import touches."""
        found: set[dt.date] = set()
        for items in self.items.values():
            for item in items:
                found.update(v for v in item.values.values() if isinstance(v, dt.date))
        return found


def case_key(decision_no: str, year: int) -> str:
    """The key of a case: its decision number and the year of its decision."""
    return f"{decision_no}|{year}"


def subject_key(name: str, tax_code: str | None) -> str:
    """The key of a subject: its tax code, else its folded name."""
    return f"tax:{tax_code}" if tax_code else f"name:{fold_vietnamese(name)}"


def case_status(values: dict[str, Any]) -> str:
    """Where an imported case stands, from the dates it has."""
    if values.get("concluded_on"):
        return "concluded"
    if values.get("onsite_ended_on"):
        return "onsite_ended"
    if values.get("announced_on"):
        return "onsite"
    return "draft"


def case_search_text(values: dict[str, Any], subjects: Iterable[str]) -> str:
    """The folded text a case is found by: title, numbers (as written and spaced), subjects."""
    parts = [values["title"]]
    parts += [
        searchable_number(number)
        for number in (values.get("decision_no"), values.get("conclusion_no"))
        if number
    ]
    parts += list(subjects)
    return fold_vietnamese(" ".join(parts))


def bad_rows(problems: Iterable[Problem]) -> set[tuple[str, int]]:
    """The (sheet, row) of every row a problem is about."""
    return {(p.sheet, p.row) for p in problems if p.row is not None}


def blocking_problems(result: DryRun) -> list[Problem]:
    """Problems that skipping rows cannot get around: a whole sheet, a header, the agency."""
    data_rows = {(row.sheet, row.number) for rows in result.rows.values() for row in rows}
    return [p for p in result.problems if p.row is None or (p.sheet, p.row) not in data_rows]


def build_plan(
    result: DryRun,
    deadlines: Callable[[ClockInput], Deadlines],
    skip: set[tuple[str, int]] | None = None,
) -> Plan:
    """The records to write for a checked workbook, leaving out the rows in ``skip`` and
    every row that depends on a left-out one (a finding of a case left out, ...)."""
    skip = skip or set()
    plan = Plan()

    def kept(rows: Iterable[Row]) -> list[Row]:
        chosen = []
        for row in rows:
            if (row.sheet, row.number) in skip:
                plan.skipped_rows += 1
            else:
                chosen.append(row)
        return chosen

    cases: dict[str, str] = {}  # decision number -> case key
    for row in kept(result.rows.get("cases", [])):
        item = _case_item(row, deadlines)
        cases.setdefault(row.values["decision_no"], item.key)
        plan.items["cases"].append(item)

    def parent(row: Row) -> str | None:
        key = cases.get(row.values.get("decision_no", ""))
        if key is None:
            plan.skipped_rows += 1
        return key

    subjects_of_case: dict[str, list[str]] = {}
    seen_subjects: set[str] = set()
    tax_codes: set[str] = set()
    for row in kept(result.rows.get("subjects", [])):
        owner = parent(row)
        if owner is None:
            continue
        v = row.values
        key = subject_key(v["name"], v.get("tax_code"))
        if key not in seen_subjects:
            seen_subjects.add(key)
            if v.get("tax_code"):
                tax_codes.add(v["tax_code"])
            values = {
                "name": v["name"],
                "tax_code": v.get("tax_code") or None,
                "kind": v.get("kind") or "enterprise",
                "address": v.get("address") or "",
            }
            plan.items["subjects"].append(
                Item("subjects", key, row.sheet, row.number, values).seal()
            )
        subjects_of_case.setdefault(owner, []).append(v["name"])
        link = Item("links", f"{owner}|{key}", row.sheet, row.number, {})
        link.refs = {"inspection": owner, "subject": key}
        plan.items["links"].append(link.seal())
    for item in plan.items["cases"]:
        names = subjects_of_case.get(item.key, [])
        item.values["search_text"] = case_search_text(item.values, names)
        item.seal()

    findings: set[str] = set()
    for row in kept(result.rows.get("findings", [])):
        owner = parent(row)
        if owner is None:
            continue
        v = row.values
        key = f"{owner}|{v['key']}"
        findings.add(key)
        item = Item(
            "findings",
            key,
            row.sheet,
            row.number,
            {
                "category": v.get("category") or "other",
                "description": v["description"],
                "amount_vnd": v.get("amount_vnd") or 0,
            },
            {"inspection": owner},
        )
        tax_code = v.get("subject_tax_code")
        if tax_code:
            item.refs["subject"] = f"tax:{tax_code}"
        plan.items["findings"].append(item.seal())

    measures: dict[str, str] = {}  # measure key -> its type
    for row in kept(result.rows.get("measures", [])):
        owner = parent(row)
        if owner is None:
            continue
        v = row.values
        key = f"{owner}|{v['key']}"
        item = Item(
            "measures",
            key,
            row.sheet,
            row.number,
            {
                "type": v["type"],
                "description": v.get("description") or "",
                "amount_vnd": v.get("amount_vnd") or 0,
                "collectives": v.get("collectives") or 0,
                "individuals": v.get("individuals") or 0,
                "due_on": v.get("due_on"),
            },
            {"inspection": owner},
        )
        finding = f"{owner}|{v['finding_key']}" if v.get("finding_key") else None
        if finding is not None:
            if finding not in findings:
                plan.skipped_rows += 1  # its finding was left out
                continue
            item.refs["finding"] = finding
        measures[key] = v["type"]
        plan.items["measures"].append(item.seal())

    occurrences: Counter[tuple[str, dt.date, str]] = Counter()
    for row in kept(result.rows.get("executions", [])):
        owner = parent(row)
        if owner is None:
            continue
        v = row.values
        measure = f"{owner}|{v['measure_key']}"
        if measure not in measures:
            plan.skipped_rows += 1  # its recommendation was left out
            continue
        document_no = v.get("document_no") or ""
        same = (measure, v["executed_on"], document_no)
        occurrences[same] += 1
        counted = measure_unit(measures[measure]) == "count"
        values = {
            "executed_on": v["executed_on"],
            "amount_vnd": 0 if counted else v.get("amount_vnd") or 0,
            "quantity": (v.get("quantity") or 0) if counted else 0,
            "document_no": document_no,
        }
        key = f"{measure}|{v['executed_on'].isoformat()}|{document_no}|{occurrences[same]}"
        plan.items["executions"].append(
            Item("executions", key, row.sheet, row.number, values, {"measure": measure}).seal()
        )
    return plan


def _case_item(row: Row, deadlines: Callable[[ClockInput], Deadlines]) -> Item:
    v = row.values
    values: dict[str, Any] = {
        "origin": v["origin"],
        "title": v["title"],
        "decision_no": v["decision_no"],
        "decision_date": v["decision_date"],
        "announced_on": v.get("announced_on"),
        "onsite_ended_on": v.get("onsite_end"),
        "conclusion_no": v.get("conclusion_no") or None,
        "concluded_on": v.get("conclusion_date"),
        "duration_days": DEFAULT_DURATION_DAYS,
        "working_days": False,
    }
    values["status"] = case_status(values)
    due = deadlines(
        ClockInput(
            announced_on=values["announced_on"],
            duration_days=DEFAULT_DURATION_DAYS,
            working_days=False,
            onsite_ended_on=values["onsite_ended_on"],
            concluded_on=values["concluded_on"],
        )
    )
    values.update(
        onsite_due=due.onsite_due,
        report_due=due.report_due,
        conclusion_due=due.conclusion_due,
        publication_due=due.publication_due,
        directive_due=due.directive_due,
    )
    key = case_key(v["decision_no"], v["decision_date"].year)
    return Item("cases", key, row.sheet, row.number, values)
