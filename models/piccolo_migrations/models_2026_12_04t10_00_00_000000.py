"""Clean control characters out of stored names, codes and titles.

Hand-written and reviewed; a data migration, no schema change. Before input was checked for
control characters, a name such as "Phòng\\x0bnghiệp vụ 1" could be stored, and every report
of that agency and of its parents failed (XLSX cannot hold the character). Input now refuses
them; this migration cleans what is already stored: in agency codes and names, subject
names, users' full names, and case codes and titles, each control character becomes a space
and runs of spaces one. The folded search text of the same rows is cleaned the same way.
Every change is logged (table, id, column, before and after); a code whose cleaned form is
already taken by another row is left as it is and logged (exports clean it when they write
it). Nothing is rolled back: the old text held nothing worth keeping.

The SQL is spelled out here, not imported from application code, so that this migration
means the same thing forever.
"""

import logging
import re

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder
from piccolo.querystring import QueryString

ID = "2026-12-04T10:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "clean control characters out of stored names"

log = logging.getLogger("models.migrations")

# (table, column, unique): the names, codes and titles that reports and exports print.
COLUMNS = [
    ("agency", "code", True),
    ("agency", "name", False),
    ("subject", "name", False),
    ("app_user", "full_name", False),
    ("inspection", "code", True),
    ("inspection", "title", False),
]
SEARCH_TEXT_TABLES = ["subject", "inspection"]

CONTROL = re.compile("[\x00-\x1f\x7f]")
# A first filter in SQL, so that only suspicious rows are read (the exact rule is CONTROL).
CONTROL_CODES = [*range(1, 32), 127]
SQLITE_MATCH = "GLOB '*[' || char(" + ", ".join(map(str, CONTROL_CODES)) + ") || ']*'"
POSTGRES_MATCH = "~ '[[:cntrl:]]'"


def cleaned(value: str) -> str:
    """Control characters become spaces; runs of whitespace one space; no edge spaces."""
    return " ".join(CONTROL.sub(" ", value).split())


async def _rows(engine, table: str, column: str) -> list[dict]:
    postgres = engine.engine_type in ("postgres", "cockroach")
    match = POSTGRES_MATCH if postgres else SQLITE_MATCH
    sql = f'SELECT "id", "{column}" AS value FROM "{table}" WHERE "{column}" {match} ORDER BY "id"'
    return await engine.run_querystring(QueryString(sql))


async def clean_control_characters() -> int:
    """Clean every listed column (and the search text); return how many values changed."""
    engine = engine_finder()
    changed = 0
    for table, column, unique in COLUMNS:
        for row in await _rows(engine, table, column):
            before = row["value"]
            after = cleaned(before)
            if after == before or not after:
                continue
            if unique:
                taken = await engine.run_querystring(
                    QueryString(
                        f'SELECT 1 FROM "{table}" WHERE "{column}" = {{}} AND "id" <> {{}}',
                        after,
                        row["id"],
                    )
                )
                if taken:
                    log.warning(
                        "%s %s: %s %r left as it is: %r is already used",
                        table,
                        row["id"],
                        column,
                        before,
                        after,
                    )
                    continue
            await engine.run_querystring(
                QueryString(
                    f'UPDATE "{table}" SET "{column}" = {{}} WHERE "id" = {{}}', after, row["id"]
                )
            )
            log.warning(
                "%s %s: control characters removed from %s: %r -> %r",
                table,
                row["id"],
                column,
                before,
                after,
            )
            changed += 1
    for table in SEARCH_TEXT_TABLES:
        for row in await _rows(engine, table, "search_text"):
            await engine.run_querystring(
                QueryString(
                    f'UPDATE "{table}" SET "search_text" = {{}} WHERE "id" = {{}}',
                    cleaned(row["value"]),
                    row["id"],
                )
            )
    if changed:
        log.warning("%d stored names, codes or titles were cleaned of control characters", changed)
    return changed


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="models", description=DESCRIPTION)

    async def run_forwards():
        await clean_control_characters()

    async def run_backwards():
        pass  # nothing to restore

    manager.add_raw(run_forwards)
    manager.add_raw_backwards(run_backwards)
    return manager
