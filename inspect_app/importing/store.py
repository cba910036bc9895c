"""Writing an import's records, and undoing an import: the ledger and the change log.

Everything here runs inside the caller's write transaction (one per workbook). The records
go in with a few statements per thousand rows on the transaction's own connection (asyncpg
``copy_records_to_table`` and ``executemany`` on PostgreSQL, ``executemany`` on SQLite);
ids are reserved first, so that the rows of a kind can point at those of the kinds before.

The ledger (``imported_record``) holds one entry per imported record, by its natural key
within the agency (see :mod:`inspect_app.importing.plan`). A record whose key is in the
ledger with the same digest is left alone; with another digest it is updated, unless the
record was changed in the application since the import wrote it (its version moved on):
then it is kept as it is and counted as such. Every creation and update of a run goes into
``import_change``, with the columns as they were before an update, which is what a rollback
puts back.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from inspect_app.db import engine, is_postgres
from inspect_app.domain.lifecycle import case_code
from inspect_app.domain.measures import measure_status, measure_unit, target_of
from inspect_app.domain.messages import N_, bound, lazy
from inspect_app.domain.records import completion_date
from inspect_app.domain.text import fold_vietnamese
from inspect_app.importing.plan import WRITE_ORDER, Item, ItemKind, Plan
from inspect_app.importing.validate import DryRun, Problem
from inspect_app.services.subjects import search_text_of

CHUNK = 2_000
_DOLLAR = re.compile(r"\$(\d+)")
ProgressCallback = Callable[[int], Awaitable[None]]

MSG_CASE_EXISTS = N_(
    "A case with this decision number and year is already in the application ({code}),"
    " entered there, not imported: it was not imported again."
)

# Per kind: the table and the columns a record's values and references are written to.
TABLES: dict[ItemKind, str] = {
    "cases": "inspection",
    "subjects": "subject",
    "links": "inspection_subject",
    "findings": "finding",
    "measures": "measure",
    "executions": "execution",
}
# Every table an import or its undoing writes: the records, the ledger and the change log
# (their statistics are refreshed after the commit, services.imports).
WRITTEN_TABLES: tuple[str, ...] = (*TABLES.values(), "imported_record", "import_change")
VALUE_COLUMNS: dict[ItemKind, tuple[str, ...]] = {
    "cases": (
        "origin",
        "title",
        "decision_no",
        "decision_date",
        "announced_on",
        "onsite_ended_on",
        "conclusion_no",
        "concluded_on",
        "duration_days",
        "working_days",
        "status",
        "onsite_due",
        "report_due",
        "conclusion_due",
        "publication_due",
        "directive_due",
        "search_text",
    ),
    "subjects": ("name", "tax_code", "kind", "address"),
    "links": (),
    "findings": ("category", "description", "amount_vnd"),
    "measures": ("type", "description", "amount_vnd", "collectives", "individuals", "due_on"),
    "executions": ("executed_on", "amount_vnd", "quantity", "document_no"),
}
REF_COLUMNS: dict[ItemKind, tuple[str, ...]] = {
    "cases": (),
    "subjects": (),
    "links": ("inspection", "subject"),
    "findings": ("inspection", "subject"),
    "measures": ("inspection", "finding"),
    "executions": ("measure",),
}
REF_KINDS: dict[str, ItemKind] = {
    "inspection": "cases",
    "subject": "subjects",
    "finding": "findings",
    "measure": "measures",
}
VERSIONED: frozenset[ItemKind] = frozenset({"cases", "subjects", "findings", "measures"})
# What else may hang off a record the import created; any such row not in the ledger means
# someone worked on the record in the application, and the import may not be rolled back.
CHILD_TABLES: dict[ItemKind, tuple[tuple[str, str, ItemKind | None], ...]] = {
    "cases": (
        ("finding", "inspection", "findings"),
        ("measure", "inspection", "measures"),
        ("inspection_subject", "inspection", "links"),
        ("inspection_event", "inspection", None),
        ("inspection_extension", "inspection", None),
        ("inspection_suspension", "inspection", None),
        ("inspection_member", "inspection", None),
    ),
    "subjects": (("inspection_subject", "subject", "links"),),
    "findings": (("measure", "finding", "measures"),),
    "measures": (("execution", "measure", "executions"),),
}


@dataclass
class Summary:
    """What a run did, per kind: created, updated, unchanged, kept (edited in the app)."""

    counts: dict[str, dict[str, int]] = field(
        default_factory=lambda: {kind: defaultdict(int) for kind in WRITE_ORDER}
    )

    def add(self, kind: ItemKind, outcome: str, n: int = 1) -> None:
        if n:
            self.counts[kind][outcome] += n

    def as_json(self) -> dict[str, dict[str, int]]:
        return {kind: dict(found) for kind, found in self.counts.items() if found}


class RollbackRefused(Exception):
    """The run cannot be undone; ``message`` (a message id) says why."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class Bulk:
    """Statements over the current transaction's own connection, for either engine."""

    def __init__(self) -> None:
        transaction = engine().current_transaction.get()
        if transaction is None:
            raise RuntimeError("An import writes inside a transaction.")
        self.connection = transaction.connection
        self.postgres = is_postgres()

    def _sql(self, sql: str) -> str:
        """PostgreSQL's numbered parameters ($1) as SQLite's (?1)."""
        return sql if self.postgres else _DOLLAR.sub(r"?\1", sql)

    async def fetch(self, sql: str, *args: Any) -> list[dict[str, Any]]:
        if self.postgres:
            return [dict(row) for row in await self.connection.fetch(sql, *args)]
        async with self.connection.execute(self._sql(sql), args) as cursor:
            return list(await cursor.fetchall())

    async def fetch_in(self, sql: str, ids: Iterable[int], *args: Any) -> list[dict[str, Any]]:
        """``sql`` with ``{ids}`` standing for a list of ids, run in chunks."""
        rows: list[dict[str, Any]] = []
        ordered = sorted(set(ids))
        for start in range(0, len(ordered), 500):
            chunk = ordered[start : start + 500]
            first = len(args) + 1
            marks = ", ".join(f"${n}" for n in range(first, first + len(chunk)))
            rows += await self.fetch(sql.replace("{ids}", marks), *args, *chunk)
        return rows

    async def next_ids(self, table: str, n: int) -> list[int]:
        """Reserve ``n`` ids of ``table`` (its sequence; on SQLite, past the largest one, the
        write lock being held)."""
        if n == 0:
            return []
        if self.postgres:
            rows = await self.connection.fetch(
                "SELECT nextval(pg_get_serial_sequence($1, 'id')) AS id"
                " FROM generate_series(1, $2)",
                f'"{table}"',
                n,
            )
            return [int(row["id"]) for row in rows]
        rows = await self.fetch(f'SELECT COALESCE(MAX(id), 0) AS top FROM "{table}"')
        top = int(rows[0]["top"])
        return list(range(top + 1, top + n + 1))

    async def insert(self, table: str, columns: Sequence[str], rows: list[tuple[Any, ...]]) -> None:
        if not rows:
            return
        if self.postgres:
            await self.connection.copy_records_to_table(table, records=rows, columns=columns)
            return
        names = ", ".join(f'"{c}"' for c in columns)
        marks = ", ".join("?" for _ in columns)
        await self.connection.executemany(f'INSERT INTO "{table}" ({names}) VALUES ({marks})', rows)

    async def executemany(self, sql: str, rows: list[tuple[Any, ...]]) -> None:
        if rows:
            await self.connection.executemany(self._sql(sql), rows)


def _chunks(items: list[Item]) -> Iterable[list[Item]]:
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]


async def existing_case_problems(result: DryRun, agency_id: int) -> list[Problem]:
    """Cases of the workbook that the agency already has, entered in the application."""
    rows = result.rows.get("cases", [])
    numbers = sorted(
        {str(row.values["decision_no"]) for row in rows if "decision_no" in row.values}
    )
    if not numbers:
        return []
    from models.tables import Inspection

    found: dict[tuple[str, int], str] = {}
    for start in range(0, len(numbers), 500):
        chunk = numbers[start : start + 500]
        marks = ", ".join("{}" for _ in chunk)
        for case in await Inspection.raw(
            "SELECT i.id, i.code, i.decision_no, i.decision_date FROM inspection i"
            " WHERE i.agency = {} AND i.deleted_at IS NULL"
            f" AND i.decision_no IN ({marks}) AND i.decision_date IS NOT NULL"
            " AND NOT EXISTS (SELECT 1 FROM imported_record r WHERE r.kind = 'cases'"
            " AND r.entity_id = i.id)",
            agency_id,
            *chunk,
        ):
            found[(case["decision_no"], _date(case["decision_date"]).year)] = case["code"]
    problems = []
    for row in rows:
        decided = row.values.get("decision_date")
        if isinstance(decided, dt.date):
            code = found.get((row.values.get("decision_no", ""), decided.year))
            if code is not None:
                problems.append(row.problem("decision_no", bound(MSG_CASE_EXISTS, code=code)))
    return problems


def _date(value: Any) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])


@dataclass
class Context:
    """What a run writes with: who, where, and the key -> id map as records are written."""

    run_id: int
    agency_id: int
    user_id: int | None
    ids: dict[tuple[ItemKind, str], int] = field(default_factory=dict)
    ledger: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    touched_measures: set[int] = field(default_factory=set)
    touched_cases: set[int] = field(default_factory=set)
    summary: Summary = field(default_factory=Summary)
    written: int = 0


async def write_plan(
    plan: Plan,
    run_id: int,
    agency_id: int,
    user_id: int | None,
    progress: ProgressCallback | None = None,
) -> Summary:
    """Write the plan's records (inside the caller's transaction); what was done per kind."""
    bulk = Bulk()
    ctx = Context(run_id, agency_id, user_id)
    for row in await bulk.fetch(
        "SELECT id, kind, key, entity_id, run, sheet, row_number, row_hash, entity_version"
        " FROM imported_record WHERE agency = $1",
        agency_id,
    ):
        ctx.ledger[(row["kind"], row["key"])] = row
        ctx.ids[(row["kind"], row["key"])] = int(row["entity_id"])
    await _known_subjects(bulk, plan, ctx)
    for kind in WRITE_ORDER:
        for chunk in _chunks(plan.items[kind]):
            await _write_chunk(bulk, kind, chunk, ctx)
            ctx.written += len(chunk)
            if progress is not None:
                await progress(ctx.written)
    await _derive_measures(bulk, ctx.touched_measures)
    await _recode_cases(bulk, ctx.touched_cases)
    return ctx.summary


async def _known_subjects(bulk: Bulk, plan: Plan, ctx: Context) -> None:
    """Subjects of the workbook already in the application, not through an import: by tax
    code anywhere, then by folded name among the agency's own. They are linked, not copied."""
    wanted = [s for s in plan.items["subjects"] if ("subjects", s.key) not in ctx.ids]
    codes = sorted({s.values["tax_code"] for s in wanted if s.values["tax_code"]})
    for start in range(0, len(codes), 500):
        chunk = codes[start : start + 500]
        marks = ", ".join(f"${n}" for n in range(1, len(chunk) + 1))
        for row in await bulk.fetch(
            f"SELECT id, tax_code FROM subject WHERE tax_code IN ({marks})", *chunk
        ):
            ctx.ids.setdefault(("subjects", f"tax:{row['tax_code']}"), int(row["id"]))
    if any(not s.values["tax_code"] for s in wanted):
        for row in await bulk.fetch(
            "SELECT id, name FROM subject WHERE created_by_agency = $1 AND tax_code IS NULL",
            ctx.agency_id,
        ):
            ctx.ids.setdefault(("subjects", f"name:{fold_vietnamese(row['name'])}"), int(row["id"]))
    # A finding naming a subject by tax code that neither the workbook nor the application
    # has is written without a subject.


def _row_values(kind: ItemKind, item: Item, ctx: Context) -> tuple[Any, ...] | None:
    refs = []
    for column in REF_COLUMNS[kind]:
        key = item.refs.get(column)
        ref = None if key is None else ctx.ids.get((REF_KINDS[column], key))
        if (ref is None and column in ("inspection", "measure")) or (
            kind == "links" and ref is None
        ):
            return None  # the parent was not written (kept out): nothing to attach to
        refs.append(ref)
    return tuple(item.values[c] for c in VALUE_COLUMNS[kind]) + tuple(refs)


async def _write_chunk(bulk: Bulk, kind: ItemKind, items: list[Item], ctx: Context) -> None:
    table = TABLES[kind]
    columns = VALUE_COLUMNS[kind] + REF_COLUMNS[kind]
    creating: list[tuple[Item, tuple[Any, ...]]] = []
    updating: list[tuple[Item, tuple[Any, ...], dict[str, Any]]] = []
    for item in items:
        values = _row_values(kind, item, ctx)
        if values is None:
            ctx.summary.add(kind, "skipped")
            continue
        entry = ctx.ledger.get((kind, item.key))
        if entry is None:
            if (kind, item.key) in ctx.ids:  # a subject already in the application
                ctx.summary.add(kind, "linked")
                continue
            creating.append((item, values))
        elif entry["row_hash"] == item.digest:
            ctx.summary.add(kind, "unchanged")
        else:
            updating.append((item, values, entry))
    ids = await bulk.next_ids(table, len(creating))
    extra_columns, extra = _extra_columns(kind, ctx)
    rows = []
    for (item, values), new_id in zip(creating, ids, strict=True):
        ctx.ids[(kind, item.key)] = new_id
        rows.append((new_id, *values, *extra(item)))
        _touch(kind, item, new_id, ctx)
    await bulk.insert(table, ("id", *columns, *extra_columns), rows)
    created = list(zip(creating, ids, strict=True))
    await bulk.insert(
        "imported_record",
        (
            "agency",
            "kind",
            "key",
            "entity_id",
            "run",
            "sheet",
            "row_number",
            "row_hash",
            "entity_version",
        ),
        [
            (
                ctx.agency_id,
                kind,
                item.key,
                new_id,
                ctx.run_id,
                item.sheet,
                item.row,
                item.digest,
                1,
            )
            for (item, _), new_id in created
        ],
    )
    await bulk.insert(
        "import_change",
        ("run", "kind", "key", "entity_id", "action"),
        [(ctx.run_id, kind, item.key, new_id, "created") for (item, _), new_id in created],
    )
    ctx.summary.add(kind, "created", len(creating))
    if updating:
        await _update(bulk, kind, updating, ctx)


def _extra_columns(
    kind: ItemKind, ctx: Context
) -> tuple[tuple[str, ...], Callable[[Item], tuple[Any, ...]]]:
    """Columns a new record gets besides its values: its agency, a code, its author."""
    if kind == "cases":
        return ("agency", "code", "kind", "created_by"), lambda item: (
            ctx.agency_id,
            f"imp-{ctx.run_id}-{item.row}-{item.sheet}"[:32],
            "inspection",
            ctx.user_id,
        )
    if kind == "subjects":
        return ("search_text", "created_by_agency"), lambda item: (
            search_text_of(item.values["name"], item.values["tax_code"], item.values["address"]),
            ctx.agency_id,
        )
    if kind == "executions":
        return ("created_by",), lambda item: (ctx.user_id,)
    return (), lambda item: ()


def _touch(kind: ItemKind, item: Item, entity_id: int, ctx: Context) -> None:
    if kind == "cases":
        ctx.touched_cases.add(entity_id)
    elif kind == "measures":
        ctx.touched_measures.add(entity_id)
    elif kind == "executions":
        ctx.touched_measures.add(ctx.ids[("measures", item.refs["measure"])])


async def _update(
    bulk: Bulk,
    kind: ItemKind,
    updating: list[tuple[Item, tuple[Any, ...], dict[str, Any]]],
    ctx: Context,
) -> None:
    table = TABLES[kind]
    columns = VALUE_COLUMNS[kind] + REF_COLUMNS[kind]
    versioned = kind in VERSIONED
    selected = ", ".join(f'"{c}"' for c in ("id", *columns, *(("version",) if versioned else ())))
    current = {
        int(row["id"]): row
        for row in await bulk.fetch_in(
            f'SELECT {selected} FROM "{table}" WHERE id IN ({{ids}})',
            (int(entry["entity_id"]) for _, _, entry in updating),
        )
    }
    sets = ", ".join(f'"{c}" = ${n}' for n, c in enumerate(columns, start=2))
    if versioned:
        sets += ', "version" = "version" + 1'
    statement_rows, ledger_rows, change_rows = [], [], []
    for item, values, entry in updating:
        entity_id = int(entry["entity_id"])
        row = current.get(entity_id)
        if row is None or (versioned and int(row["version"]) != int(entry["entity_version"])):
            ctx.summary.add(kind, "kept")  # deleted or edited in the application since
            continue
        statement_rows.append((entity_id, *values))
        version = int(row["version"]) + 1 if versioned else 1
        ledger_rows.append((item.digest, ctx.run_id, item.sheet, item.row, version, entry["id"]))
        before = {c: _jsonable(row[c]) for c in columns}
        before["_ledger"] = {
            "run": entry["run"],
            "sheet": entry["sheet"],
            "row_number": entry["row_number"],
            "row_hash": entry["row_hash"],
            "entity_version": entry["entity_version"],
        }
        change_rows.append((ctx.run_id, kind, item.key, entity_id, "updated", _json(before)))
        _touch(kind, item, entity_id, ctx)
    await bulk.executemany(f'UPDATE "{table}" SET {sets} WHERE id = $1', statement_rows)
    await bulk.executemany(
        "UPDATE imported_record SET row_hash = $1, run = $2, sheet = $3, row_number = $4,"
        " entity_version = $5 WHERE id = $6",
        ledger_rows,
    )
    await bulk.insert(
        "import_change", ("run", "kind", "key", "entity_id", "action", "before"), change_rows
    )
    ctx.summary.add(kind, "updated", len(statement_rows))


def _jsonable(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _json(value: Any) -> str:
    import json

    return json.dumps(value, ensure_ascii=False, sort_keys=True)


async def _derive_measures(bulk: Bulk, measure_ids: set[int]) -> None:
    """Done, status and completion date of the touched recommendations, from their ledgers."""
    if not measure_ids:
        return
    measures = await bulk.fetch_in(
        "SELECT id, type, amount_vnd, land_m2, collectives, individuals, cases, persons,"
        " written_off_reason, status FROM measure WHERE id IN ({ids})",
        measure_ids,
    )
    ledgers: dict[int, list[tuple[dt.date, int | Decimal]]] = defaultdict(list)
    for row in await bulk.fetch_in(
        "SELECT measure, executed_on, amount_vnd, land_m2, quantity FROM execution"
        " WHERE measure IN ({ids}) ORDER BY id",
        measure_ids,
    ):
        ledgers[int(row["measure"])].append((_date(row["executed_on"]), row))  # type: ignore[arg-type]
    updates = []
    for m in measures:
        unit = measure_unit(m["type"])
        amounts: list[tuple[dt.date, int | Decimal]] = []
        for on, execution in ledgers.get(int(m["id"]), []):
            ex: Any = execution
            if unit == "vnd":
                amounts.append((on, int(ex["amount_vnd"])))
            elif unit == "m2":
                amounts.append((on, Decimal(str(ex["land_m2"]))))
            else:
                amounts.append((on, int(ex["quantity"])))
        target = target_of(
            m["type"],
            int(m["amount_vnd"]),
            Decimal(str(m["land_m2"])),
            int(m["collectives"]),
            int(m["individuals"]),
            int(m["cases"]),
            int(m["persons"]),
        )
        done = sum((amount for _, amount in amounts), start=0)
        if m["status"] == "written_off":
            continue
        status = measure_status(target, done, False)
        completed = completion_date(amounts, target) if status == "done" else None
        updates.append(
            (
                int(m["id"]),
                int(done) if unit == "vnd" else 0,
                int(done) if unit == "count" else 0,
                status,
                completed,
            )
        )
    await bulk.executemany(
        "UPDATE measure SET done_vnd = $2, done_count = $3, status = $4, completed_on = $5"
        " WHERE id = $1",
        updates,
    )


async def _recode_cases(bulk: Bulk, case_ids: set[int]) -> None:
    """Give new cases their code (TT-<year of the decision>-<id>)."""
    rows = await bulk.fetch_in(
        "SELECT id, decision_date FROM inspection WHERE id IN ({ids}) AND code LIKE 'imp-%'",
        case_ids,
    )
    await bulk.executemany(
        "UPDATE inspection SET code = $2 WHERE id = $1",
        [
            (int(row["id"]), case_code(1, _date(row["decision_date"]).year, int(row["id"])))
            for row in rows
        ],
    )


# --------------------------------------------------------------------------- rollback

MSG_LATER_RUN = N_("A later import changed records of this one; roll that import back first.")
# What was changed, for MSG_TOUCHED.
CHANGED_WHAT = {
    "inspection": N_("a case"),
    "subject": N_("a subject"),
    "inspection_subject": N_("the subjects of a case"),
    "finding": N_("a finding"),
    "measure": N_("a recommendation"),
    "execution": N_("the executions of a recommendation"),
    "inspection_event": N_("the steps of a case"),
    "inspection_extension": N_("the extensions of a case"),
    "inspection_suspension": N_("the suspensions of a case"),
    "inspection_member": N_("the team of a case"),
}
MSG_TOUCHED = N_(
    "Records of this import were changed in the application since ({what}); it can no"
    " longer be rolled back as a whole."
)


async def rollback_run(run_id: int, agency_id: int) -> Summary:
    """Undo a run inside the caller's transaction: delete what it created, put back what it
    updated. Refused (RollbackRefused) when a later run or a user changed its records."""
    bulk = Bulk()
    changes = await bulk.fetch(
        "SELECT kind, key, entity_id, action, before FROM import_change WHERE run = $1 ORDER BY id",
        run_id,
    )
    ledger = {
        (row["kind"], row["key"]): row
        for row in await bulk.fetch(
            "SELECT id, kind, key, entity_id, run, entity_version FROM imported_record"
            " WHERE agency = $1",
            agency_id,
        )
    }
    by_kind: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for change in changes:
        entry = ledger.get((change["kind"], change["key"]))
        if entry is None or int(entry["run"]) != run_id:
            raise RollbackRefused(MSG_LATER_RUN)
        by_kind[change["kind"]].append({**change, "entry": entry})
    await _check_untouched(bulk, by_kind, run_id, ledger)
    # Recommendations that keep living but lose executions get their figures recomputed.
    created_executions = [
        int(c["entity_id"]) for c in by_kind.get("executions", []) if c["action"] == "created"
    ]
    measures = {
        int(row["measure"])
        for row in await bulk.fetch_in(
            "SELECT DISTINCT measure FROM execution WHERE id IN ({ids})", created_executions
        )
    }
    summary = Summary()
    for kind in reversed(WRITE_ORDER):
        found = by_kind.get(kind, [])
        created = [c for c in found if c["action"] == "created"]
        updated = [c for c in found if c["action"] == "updated"]
        await bulk.executemany(
            f'DELETE FROM "{TABLES[kind]}" WHERE id = $1', [(int(c["entity_id"]),) for c in created]
        )
        await bulk.executemany(
            "DELETE FROM imported_record WHERE id = $1", [(int(c["entry"]["id"]),) for c in created]
        )
        summary.add(kind, "deleted", len(created))
        if updated:
            await _restore(bulk, kind, updated)
            summary.add(kind, "restored", len(updated))
    measures |= {
        int(c["entity_id"]) for c in by_kind.get("measures", []) if c["action"] == "updated"
    }
    measures -= {
        int(c["entity_id"]) for c in by_kind.get("measures", []) if c["action"] == "created"
    }
    surviving = await bulk.fetch_in(
        "SELECT DISTINCT measure FROM execution WHERE id IN ({ids})",
        [int(c["entity_id"]) for c in by_kind.get("executions", []) if c["action"] == "updated"],
    )
    measures |= {int(row["measure"]) for row in surviving}
    await _derive_measures(bulk, measures)
    return summary


async def _check_untouched(
    bulk: Bulk,
    by_kind: dict[str, list[dict[str, Any]]],
    run_id: int,
    ledger: dict[tuple[str, str], dict[str, Any]],
) -> None:
    # Rows hanging off the run's new records are fine only if the run itself wrote them.
    ledger_ids: dict[str, set[int]] = defaultdict(set)
    for (kind, _), entry in ledger.items():
        if int(entry["run"]) == run_id:
            ledger_ids[kind].add(int(entry["entity_id"]))
    for kind, found in by_kind.items():
        item_kind: ItemKind = kind  # type: ignore[assignment]
        table = TABLES[item_kind]
        ids = [int(c["entity_id"]) for c in found]
        if item_kind in VERSIONED:
            versions = {
                int(row["id"]): int(row["version"])
                for row in await bulk.fetch_in(
                    f'SELECT id, version FROM "{table}" WHERE id IN ({{ids}})', ids
                )
            }
            for change in found:
                current = versions.get(int(change["entity_id"]))
                if current != int(change["entry"]["entity_version"]):
                    raise RollbackRefused(bound(MSG_TOUCHED, what=lazy(CHANGED_WHAT[table])))
        created = [int(c["entity_id"]) for c in found if c["action"] == "created"]
        for child_table, column, child_kind in CHILD_TABLES.get(item_kind, ()):
            rows = await bulk.fetch_in(
                f'SELECT id FROM "{child_table}" WHERE "{column}" IN ({{ids}})', created
            )
            own = ledger_ids.get(child_kind, set()) if child_kind else set()
            if any(int(row["id"]) not in own for row in rows):
                raise RollbackRefused(bound(MSG_TOUCHED, what=lazy(CHANGED_WHAT[child_table])))


async def _restore(bulk: Bulk, kind: ItemKind, updated: list[dict[str, Any]]) -> None:
    import json

    table = TABLES[kind]
    columns = VALUE_COLUMNS[kind] + REF_COLUMNS[kind]
    sets = ", ".join(f'"{c}" = ${n}' for n, c in enumerate(columns, start=2))
    if kind in VERSIONED:
        sets += ', "version" = "version" + 1'
    rows, ledger_rows = [], []
    for change in updated:
        before = change["before"]
        if isinstance(before, str):
            before = json.loads(before)
        rows.append((int(change["entity_id"]), *(_typed(c, before[c]) for c in columns)))
        previous = before["_ledger"]
        version = int(change["entry"]["entity_version"]) + (1 if kind in VERSIONED else 0)
        ledger_rows.append(
            (
                previous["row_hash"],
                previous["run"],
                previous["sheet"],
                previous["row_number"],
                version,
                int(change["entry"]["id"]),
            )
        )
    await bulk.executemany(f'UPDATE "{table}" SET {sets} WHERE id = $1', rows)
    await bulk.executemany(
        "UPDATE imported_record SET row_hash = $1, run = $2, sheet = $3, row_number = $4,"
        " entity_version = $5 WHERE id = $6",
        ledger_rows,
    )


_DATE_COLUMNS = frozenset(
    {
        "decision_date",
        "announced_on",
        "onsite_ended_on",
        "concluded_on",
        "onsite_due",
        "report_due",
        "conclusion_due",
        "publication_due",
        "directive_due",
        "due_on",
        "executed_on",
    }
)


def _typed(column: str, value: Any) -> Any:
    if column in _DATE_COLUMNS and isinstance(value, str):
        return dt.date.fromisoformat(value)
    return value


async def sources_of_case(inspection_id: int) -> list[dict[str, Any]]:
    """Where a case and its records came from, for its history: kind, file, sheet, row,
    SHA-256 and when, newest first; empty for a case entered in the application."""
    from models.tables import ImportedRecord

    return list(
        await ImportedRecord.raw(
            "SELECT r.kind, r.sheet, r.row_number, u.file_name, u.file_sha256, u.committed_at,"
            " u.id AS run_id FROM imported_record r JOIN import_run u ON u.id = r.run"
            " WHERE (r.kind = 'cases' AND r.entity_id = {})"
            " OR (r.kind = 'findings' AND r.entity_id IN"
            " (SELECT id FROM finding WHERE inspection = {}))"
            " OR (r.kind = 'measures' AND r.entity_id IN"
            " (SELECT id FROM measure WHERE inspection = {}))"
            " ORDER BY u.committed_at DESC, r.kind, r.row_number",
            inspection_id,
            inspection_id,
            inspection_id,
        )
    )


__all__ = [
    "Bulk",
    "RollbackRefused",
    "Summary",
    "existing_case_problems",
    "rollback_run",
    "sources_of_case",
    "write_plan",
]
