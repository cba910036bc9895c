"""The ``inspect-app`` command: serve, worker, migrate, init, seed, createuser, audit, totals,
import, import-template."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import os
import sys
from collections.abc import Coroutine, Sequence
from typing import Any, TypeVar

T = TypeVar("T")


def _run(coro: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(coro)


async def migrate() -> None:
    """Apply every pending migration of the ``models`` app."""
    from piccolo.apps.migrations.commands.forwards import run_forwards

    from inspect_app.services.catalogues import ensure_catalogues

    response = await run_forwards(app_name="models", migration_id="all", fake=False)
    if not response.success:
        raise SystemExit(f"migration failed: {response.message}")
    await ensure_catalogues()


async def _database_is_empty() -> bool:
    from models.tables import Agency

    return bool(await Agency.count() == 0)


def cmd_serve(args: argparse.Namespace) -> int:
    """Apply migrations, optionally load demo data, then run the web server."""
    import uvicorn

    from inspect_app.settings import get_settings

    settings = get_settings()
    _run(migrate())
    if args.demo:
        from inspect_app.seed.demo import DEMO_PASSWORD, demo_logins, load_demo

        if _run(_database_is_empty()):
            print("Loading demo data…", flush=True)
            _run(load_demo())
        print(f"\nDemo accounts (password for all: {DEMO_PASSWORD}):")
        for username, role, agency in _run(demo_logins()):
            print(f"  {username:<14} {role:<10} {agency}")
    where = settings.database_url if settings.is_sqlite else "PostgreSQL"
    print(f"\nDatabase: {where}")
    print(
        f"Open http://{args.host if args.host != '0.0.0.0' else '127.0.0.1'}:{args.port}/\n",
        flush=True,
    )
    workers = args.workers or settings.web_workers
    # The processes read it: without Redis, several of them keep nothing between requests
    # (inspect_app/data_version.py).
    os.environ["WEB_WORKERS"] = str(workers)
    uvicorn.run(
        "inspect_app.asgi:create_app",
        factory=True,
        host=args.host,
        port=args.port,
        workers=workers,
        # The app decides whom to believe (TRUSTED_PROXIES, inspect_app/proxies.py);
        # uvicorn's own X-Forwarded-For handling would trust 127.0.0.1 whatever is set.
        proxy_headers=False,
        log_level="info",
        # The app logs one JSON line per request with its id (inspect_app/request_log.py).
        access_log=False,
    )
    return 0


def cmd_worker(args: argparse.Namespace) -> int:
    """Run the arq worker (needs REDIS_URL)."""
    from jobs.worker import run_worker

    return run_worker(burst=args.burst)


def cmd_migrate(args: argparse.Namespace) -> int:
    """Apply pending migrations."""
    _run(migrate())
    print("Migrations applied.")
    return 0


INIT_FIELDS = (
    ("agency_code", "Code of the top agency (e.g. TTT)"),
    ("agency_name", "Name of the top agency (e.g. Thanh tra tỉnh Ninh Bình)"),
    ("agency_kind", "Kind of agency"),
    ("username", "Administrator's username"),
    ("full_name", "Administrator's full name"),
)


def _ask(label: str, default: str = "") -> str:
    suffix = f" [{default}]" if default else ""
    try:
        answer = input(f"{label}{suffix}: ").strip()
    except EOFError:
        answer = ""
    return answer or default


def _init_values(args: argparse.Namespace) -> dict[str, str]:
    """The values of init: from the arguments, asking for any that is missing."""
    from inspect_app.services.agencies import AGENCY_KINDS

    values: dict[str, str] = {}
    for field, label in INIT_FIELDS:
        given = getattr(args, field)
        if given:
            values[field] = given
        elif field == "agency_kind":
            values[field] = _ask(f"{label} ({', '.join(AGENCY_KINDS)})", AGENCY_KINDS[0])
        else:
            values[field] = _ask(label)
    return values


def cmd_init(args: argparse.Namespace) -> int:
    """Create the root agency and the first administrator on an empty database."""
    from inspect_app.errors import InvalidInput
    from inspect_app.services.bootstrap import AlreadyInitialised, create_root_and_admin

    _run(migrate())
    if not _run(_database_is_empty()):
        print(_ALREADY_INITIALISED, file=sys.stderr)
        return 1
    values = _init_values(args)
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = getpass.getpass("Administrator's password: ")
        if password != getpass.getpass("Repeat the password: "):
            print("The passwords differ.", file=sys.stderr)
            return 2
    try:
        agency_id, user_id = _run(create_root_and_admin(**values, password=password))
    except InvalidInput as exc:
        for field, message in exc.errors.items():
            print(f"{field}: {message}", file=sys.stderr)
        return 2
    except AlreadyInitialised:
        print(_ALREADY_INITIALISED, file=sys.stderr)
        return 1
    from inspect_app.settings import get_settings

    print(
        f"Created the agency {values['agency_code']} ({values['agency_name']}, id {agency_id}) "
        f"and its administrator {values['username'].strip().lower()} (id {user_id}).\n"
        f"Sign in at {get_settings().base_url.rstrip('/')}/login, then add the agencies "
        "below it and their users in the administration pages."
    )
    return 0


_ALREADY_INITIALISED = (
    "The database already has agencies: init only prepares an empty database, nothing was "
    "changed. Add users with `inspect-app createuser NAME --agency CODE` or in the app."
)


def cmd_seed(args: argparse.Namespace) -> int:
    """Load generated data: demo, province or national scale."""
    _run(migrate())
    if args.scale == "demo":
        from inspect_app.seed.demo import load_demo

        _run(load_demo(seed=args.seed))
    else:
        from inspect_app.seed.bulk import generate

        _run(generate(scale=args.scale, seed=args.seed))
    return 0


async def _createuser(args: argparse.Namespace, password: str) -> None:
    from inspect_app.services.users import create_user_cli

    await create_user_cli(
        username=args.username,
        full_name=args.full_name or args.username,
        role=args.role,
        agency_code=args.agency,
        password=password,
    )


def cmd_createuser(args: argparse.Namespace) -> int:
    """Create a user (asks for the password unless --password-stdin)."""
    _run(migrate())
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = getpass.getpass("Password: ")
        if password != getpass.getpass("Repeat: "):
            print("The passwords differ.", file=sys.stderr)
            return 2
    _run(_createuser(args, password))
    print(f"User {args.username} created.")
    return 0


def cmd_audit(args: argparse.Namespace) -> int:
    """Verify the audit chain."""
    from inspect_app.services.audit import verify_chain

    report = _run(verify_chain())
    if report.ok:
        print(f"Audit log intact: {report.rows} rows; head hash {report.head_hash}")
        return 0
    print(
        f"Audit log broken at row {report.first_bad_id}: {report.problem}",
        file=sys.stderr,
    )
    return 1


def cmd_totals(args: argparse.Namespace) -> int:
    """Check or rebuild the totals table."""
    from jobs.totals import check_totals_cli, rebuild_totals_cli

    if args.action == "check":
        return int(_run(check_totals_cli(period=args.period)))
    return int(_run(rebuild_totals_cli()))


async def _agency_id(code: str) -> int | None:
    """The agency with ``code`` (the records of a workbook belong to one agency), if any."""
    from models.tables import Agency

    row = await Agency.select(Agency.id).where(Agency.code == code).first()
    return None if row is None else int(row["id"])


def cmd_import(args: argparse.Namespace) -> int:
    """Check a legacy workbook and, without --dry-run, write its records; 0 when clean (and
    committed), 1 when problems stopped it, 2 when the file is not a workbook."""
    from pathlib import Path

    from inspect_app.clock import today
    from inspect_app.importing.command import run_dry_run

    _run(migrate())
    agency_id = _run(_agency_id(args.agency))
    report = Path(args.report) if args.report else None
    if args.dry_run or agency_id is None:
        result = run_dry_run(
            Path(args.file),
            args.agency,
            agency_id is not None,
            today(),
            sys.stdout,
            args.lang,
            report,
        )
        if result is None:
            return 2
        return 0 if agency_id is not None and result.clean else 1
    from inspect_app.services.imports import import_from_command

    async def run() -> int:
        from inspect_app.db import close_pool, start_pool

        await start_pool()
        try:
            return await import_from_command(
                Path(args.file), agency_id, sys.stdout, args.skip_bad_rows, args.lang, report
            )
        finally:
            await close_pool()

    return int(_run(run()))


def cmd_import_rollback(args: argparse.Namespace) -> int:
    """Undo a committed import as a whole."""
    from inspect_app.services.imports import rollback_from_command

    _run(migrate())
    return int(_run(rollback_from_command(args.run, sys.stdout, args.lang)))


def cmd_import_template(args: argparse.Namespace) -> int:
    """Write the import template workbook."""
    from pathlib import Path

    from inspect_app.importing.template import import_template

    Path(args.output).write_bytes(import_template(args.lang))
    print(f"Template written to {args.output}.")
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``inspect-app``."""
    parser = argparse.ArgumentParser(prog="inspect-app", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="apply migrations and run the web app")
    serve.add_argument("--demo", action="store_true", help="load demo data into an empty database")
    serve.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
    serve.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
    serve.add_argument("--workers", type=int, default=0, help="web processes (default WEB_WORKERS)")
    serve.set_defaults(func=cmd_serve)

    worker = sub.add_parser("worker", help="run the background worker (arq on Redis)")
    worker.add_argument("--burst", action="store_true", help="process queued jobs, then exit")
    worker.set_defaults(func=cmd_worker)

    sub.add_parser("migrate", help="apply pending migrations").set_defaults(func=cmd_migrate)

    init = sub.add_parser(
        "init",
        help="create the root agency and the first administrator on an empty database",
        description="Create the root agency and the first administrator on an empty "
        "database (after applying migrations). Values not given are asked for; the "
        "password is asked for twice unless --password-stdin. Refused when any agency "
        "exists.",
    )
    init.add_argument("--agency-code", dest="agency_code", default="")
    init.add_argument("--agency-name", dest="agency_name", default="")
    init.add_argument(
        "--agency-kind", dest="agency_kind", default="", help="default province_inspectorate"
    )
    init.add_argument("--username", default="")
    init.add_argument("--full-name", dest="full_name", default="")
    init.add_argument(
        "--password-stdin", action="store_true", help="read the password from standard input"
    )
    init.set_defaults(func=cmd_init)

    seed = sub.add_parser("seed", help="load generated data")
    seed.add_argument("--scale", choices=["demo", "province", "national"], default="demo")
    seed.add_argument("--seed", type=int, default=2026, help="random seed (deterministic output)")
    seed.set_defaults(func=cmd_seed)

    createuser = sub.add_parser("createuser", help="create a user")
    createuser.add_argument("username")
    createuser.add_argument("--full-name", default="")
    createuser.add_argument(
        "--role", choices=["inspector", "lead", "head", "viewer", "admin"], default="admin"
    )
    createuser.add_argument("--agency", required=True, help="agency code")
    createuser.add_argument("--password-stdin", action="store_true")
    createuser.set_defaults(func=cmd_createuser)

    audit = sub.add_parser("audit", help="audit log tools")
    audit.add_argument("action", choices=["verify"])
    audit.set_defaults(func=cmd_audit)

    totals = sub.add_parser("totals", help="totals table tools")
    totals.add_argument("action", choices=["check", "rebuild"])
    totals.add_argument("--period", default=None, help="only this period, e.g. 2026-Q1")
    totals.set_defaults(func=cmd_totals)

    importing = sub.add_parser(
        "import", help="check a legacy workbook (.xlsx, .xls, .ods) and write its records"
    )
    importing.add_argument("file")
    importing.add_argument("--agency", required=True, help="code of the agency the data is of")
    importing.add_argument("--dry-run", action="store_true", help="check only, write nothing")
    importing.add_argument("--report", default="", help="write the annotated copy here (.xlsx)")
    importing.add_argument(
        "--skip-bad-rows",
        action="store_true",
        help="write the clean rows, leaving out those with problems (and their dependants)",
    )
    importing.add_argument("--lang", choices=["vi", "en"], default="vi")
    importing.set_defaults(func=cmd_import)

    rollback = sub.add_parser("import-rollback", help="undo a committed import as a whole")
    rollback.add_argument("run", type=int, help="the number of the import (printed by import)")
    rollback.add_argument("--lang", choices=["vi", "en"], default="vi")
    rollback.set_defaults(func=cmd_import_rollback)

    template = sub.add_parser("import-template", help="write the import template (.xlsx)")
    template.add_argument("output")
    template.add_argument("--lang", choices=["vi", "en"], default="vi")
    template.set_defaults(func=cmd_import_template)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script."""
    args = build_parser().parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    raise SystemExit(main())
