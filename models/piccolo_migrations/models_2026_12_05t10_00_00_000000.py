"""Make cases findable by every number they carry.

Hand-written and reviewed; a data migration, no schema change. A case's folded search text
held its code, title, origin reference, first decision number and subjects; a search for the
number of its announcement, conclusion, extension, suspension or fine decision ("43/QĐ-TTr")
found nothing, nor did the number typed without its punctuation ("43 QD TTr"). From now on
the application writes every number into the search text, as written and with its
punctuation as spaces (``inspect_app.domain.text.searchable_number``); this migration
appends the numbers that stored cases already carry, in the same two forms. Search text is
derived data: backwards leaves it as it is (the extra words only widen a search).

The folding is spelled out here, not imported from application code, so that this migration
means the same thing forever.
"""

import re
import unicodedata

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder
from piccolo.querystring import QueryString

ID = "2026-12-05T10:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "cases searchable by every number they carry"

_D_WITH_STROKE = str.maketrans({"đ": "d", "Đ": "d"})
_PUNCTUATION = re.compile(r"[/\\\-.,:;_()]+")

# (inspection id, number) pairs: every number a case carries.
NUMBERS_SQL = """
SELECT "id" AS inspection_id, "decision_no" AS number FROM "inspection"
    WHERE "decision_no" IS NOT NULL AND "decision_no" <> ''
UNION ALL
SELECT "id", "conclusion_no" FROM "inspection"
    WHERE "conclusion_no" IS NOT NULL AND "conclusion_no" <> ''
UNION ALL
SELECT "inspection", "document_no" FROM "inspection_event" WHERE "document_no" <> ''
UNION ALL
SELECT "inspection", "decision_no" FROM "measure"
    WHERE "decision_no" IS NOT NULL AND "decision_no" <> ''
"""


def fold(text: str) -> str:
    """Lowercase, without diacritics, single spaces ("43/QĐ-TTr" -> "43/qd-ttr")."""
    decomposed = unicodedata.normalize("NFD", text.translate(_D_WITH_STROKE))
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(bare.lower().split())


def number_words(number: str) -> str:
    """The folded number as written and with its punctuation as spaces."""
    spaced = " ".join(_PUNCTUATION.sub(" ", number).split())
    return fold(number if spaced == number else f"{number} {spaced}")


async def add_numbers_to_search_text() -> int:
    """Append to each case's search text the numbers it lacks; return how many changed."""
    engine = engine_finder()
    wanted: dict[int, list[str]] = {}
    for row in await engine.run_querystring(QueryString(NUMBERS_SQL)):
        words = number_words(str(row["number"]))
        wanted.setdefault(int(row["inspection_id"]), [])
        if words not in wanted[int(row["inspection_id"])]:
            wanted[int(row["inspection_id"])].append(words)
    changed = 0
    for inspection_id, numbers in wanted.items():
        rows = await engine.run_querystring(
            QueryString('SELECT "search_text" FROM "inspection" WHERE "id" = {}', inspection_id)
        )
        if not rows:
            continue
        text = rows[0]["search_text"] or ""
        missing = [words for words in numbers if f" {words} " not in f" {text} "]
        if not missing:
            continue
        await engine.run_querystring(
            QueryString(
                'UPDATE "inspection" SET "search_text" = {} WHERE "id" = {}',
                " ".join([text, *missing]).strip(),
                inspection_id,
            )
        )
        changed += 1
    return changed


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="models", description=DESCRIPTION)

    async def run_forwards():
        await add_numbers_to_search_text()

    async def run_backwards():
        pass  # derived text; the extra words only widen a search

    manager.add_raw(run_forwards)
    manager.add_raw_backwards(run_backwards)
    return manager
