"""Link recommendations whose responsible party is typed as text to the agency it names.

Hand-written and reviewed; a data migration, no schema change. Before recommendations named
their responsible agency from a list, "responsible" was free text; the follow-up board
grouped by that text, so one agency could appear under several spellings. Where the text is
exactly the name of one agency (spaces and letter case aside), the recommendation now points
at that agency; the text is kept and shown as the addressee. Text that names no agency, or
more than one, is left as it is: the board shows such recommendations under "Chưa xác định
đơn vị" with the text beside them. Every link made is logged. Backwards leaves the links
(they only say what the text already said).

The matching is spelled out here, not imported from application code, so that this
migration means the same thing forever.
"""

import logging

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder
from piccolo.querystring import QueryString

ID = "2026-12-05T11:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "link free-text responsible parties to the agency they name"

log = logging.getLogger("models.migrations")


def same_name(text: str) -> str:
    """The form two spellings of one name share: single spaces, letter case ignored."""
    return " ".join(text.split()).casefold()


async def link_responsible_agencies() -> int:
    """Point each unlinked recommendation at the one agency its text names; the count."""
    engine = engine_finder()
    agencies: dict[str, list[int]] = {}
    for row in await engine.run_querystring(QueryString('SELECT "id", "name" FROM "agency"')):
        agencies.setdefault(same_name(str(row["name"])), []).append(int(row["id"]))
    measures = await engine.run_querystring(
        QueryString(
            'SELECT "id", "responsible" FROM "measure"'
            " WHERE \"responsible_agency\" IS NULL AND \"responsible\" <> ''"
        )
    )
    linked = 0
    for row in measures:
        found = agencies.get(same_name(str(row["responsible"])), [])
        if len(found) != 1:
            continue
        await engine.run_querystring(
            QueryString(
                'UPDATE "measure" SET "responsible_agency" = {} WHERE "id" = {}',
                found[0],
                row["id"],
            )
        )
        log.warning("measure %s: responsible %r linked to agency %s", row["id"], row["responsible"], found[0])
        linked += 1
    return linked


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="models", description=DESCRIPTION)

    async def run_forwards():
        await link_responsible_agencies()

    async def run_backwards():
        pass  # the links only say what the text said

    manager.add_raw(run_forwards)
    manager.add_raw_backwards(run_backwards)
    return manager
