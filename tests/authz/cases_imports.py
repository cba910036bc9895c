"""Matrix cases of the import pages (leads and heads, in the scope of their agency)."""

from __future__ import annotations

from typing import Any

from tests.authz.spec import RouteCase
from tests.authz.world import World


def _upload_form(world: World, side: str) -> dict[str, Any]:
    # No file: the form comes back with the problem beside its field.
    return {"agency_id": str(world.agency(side))}


def _commit_form(world: World, side: str) -> dict[str, Any]:
    return {"version": "1"}


# The world's run was checked but its file is gone: the annotated copy answers 404.
FILE_OK = (200, 404)

CASES: list[RouteCase] = [
    RouteCase("GET", "/imports", "import.run", scoped=False, expect_ok=(200,)),
    RouteCase("GET", "/imports/template.xlsx", "import.run", scoped=False, expect_ok=(200,)),
    RouteCase(
        "POST",
        "/imports",
        "import.run",
        body=_upload_form,
        form=True,
        scoped=False,
        expect_ok=(422,),
    ),
    RouteCase("GET", "/imports/{run_id:int}", "import.run", "import_run", expect_ok=(200,)),
    RouteCase(
        "GET", "/imports/{run_id:int}/progress", "import.run", "import_run", expect_ok=(200,)
    ),
    RouteCase(
        "GET", "/imports/{run_id:int}/report.xlsx", "import.run", "import_run", expect_ok=FILE_OK
    ),
    RouteCase(
        "POST",
        "/imports/{run_id:int}/commit",
        "import.run",
        "import_run",
        _commit_form,
        form=True,
        expect_ok=(302, 303),
    ),
    RouteCase(
        "POST",
        "/imports/{run_id:int}/rollback",
        "import.run",
        "import_run",
        _commit_form,
        form=True,
        expect_ok=(302, 303),
    ),
]
