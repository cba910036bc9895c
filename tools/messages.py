"""The message catalogues: check them against the code, update them, compile them.

    python -m tools.messages check POT     # make lint: fail on any problem listed below
    python -m tools.messages update POT    # make messages: add new ids, drop unused ones, compile
    python -m tools.messages compile       # .po -> .mo
    python -m tools.messages wheel WHEEL   # make wheel-check: fail if the wheel lacks a .mo
    python -m tools.messages import-json FILE...  # take translations from {id: text} files

POT is the output of ``pybabel extract -F babel.cfg`` (the Makefile runs it). Catalogues live
in ``inspect_app/locale/<lang>/LC_MESSAGES/<domain>.po``, one domain per area of the
application; the domains of a language are merged at run time, so a message id lives in
exactly one of them. Vietnamese is complete: every extracted id is translated. English is
the language of the ids, so its catalogue holds the plural forms (and any rewording of an id
that should not change the id). The ``.mo`` files are committed next to their ``.po``;
``check`` fails when one is missing or differs from its ``.po``. See docs/i18n.md.
"""

from __future__ import annotations

import argparse
import difflib
import fnmatch
import io
import json
import re
import string
import sys
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from gettext import GNUTranslations
from pathlib import Path
from typing import Any

from babel.messages.catalog import Catalog, Message
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

from inspect_app.i18n import LANGUAGES

ROOT = Path(__file__).resolve().parent.parent
LOCALE_DIR = ROOT / "inspect_app" / "locale"
# Languages whose catalogue must translate every id.
COMPLETE = ("vi",)
DEFAULT_DOMAIN = "core"
# Where a new id goes when `make messages` first sees it: the first pattern matching the
# first file it was found in (`make messages DOMAIN=name` overrides this). Move an entry to
# another domain by hand whenever it reads better there; the domains are merged at run time.
DOMAIN_RULES = (
    ("inspect_app/importing/*", "importing"),
    ("inspect_app/services/imports.py", "importing"),
    ("inspect_app/controllers/import_pages.py", "importing"),
    ("templates/imports/*", "importing"),
    ("inspect_app/audit_labels.py", "history"),
    ("templates/partials/history.html", "history"),
    ("templates/admin/*", "admin"),
    ("inspect_app/*/admin*.py", "admin"),
    ("inspect_app/*/auth.py", "admin"),
    ("templates/auth/*", "admin"),
    ("inspect_app/services/users.py", "admin"),
    ("inspect_app/services/agencies.py", "admin"),
    ("inspect_app/services/auth.py", "admin"),
    ("inspect_app/domain/documents.py", "reports_doc"),
    ("inspect_app/services/agency_documents.py", "reports_doc"),
    ("inspect_app/services/document_register.py", "reports_doc"),
    ("inspect_app/services/report_document.py", "reports_doc"),
    ("templates/reports/*", "reports"),
    ("inspect_app/*/report*.py", "reports"),
    ("inspect_app/controllers/api_reports.py", "reports"),
    ("inspect_app/domain/periods.py", "reports"),
    ("jobs/*", "jobs"),
    ("templates/reminders/*", "jobs"),
    ("inspect_app/*/reminder*.py", "jobs"),
    ("inspect_app/*/letter*.py", "jobs"),
    ("inspect_app/*/digest*.py", "jobs"),
    ("templates/follow_ups/*", "jobs"),
    ("templates/notifications/*", "jobs"),
    ("templates/ladders/*", "jobs"),
    ("inspect_app/*/follow_ups.py", "jobs"),
    ("inspect_app/*/notifications.py", "jobs"),
    ("inspect_app/*/ladders.py", "jobs"),
    ("templates/inspections/*", "case_pages"),
    ("templates/subjects/*", "case_pages"),
    ("templates/plans/*", "case_pages"),
    ("inspect_app/controllers/*", "case_pages"),
    ("inspect_app/services/*", "cases"),
    ("inspect_app/forms/*", "cases"),
    ("inspect_app/domain/*", "cases"),
)
FIXED_DATE = datetime(2026, 1, 1, tzinfo=UTC)
LANGUAGE_NAMES = {"vi": "Vietnamese", "en": "English"}
BRACE_FIELD = string.Formatter()
PERCENT_FIELD = re.compile(r"%\((\w+)\)[#0 +-]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa]")
PERCENT_ESCAPE = re.compile(r"%%")

Key = tuple[str, str]  # (context or "", singular id): what gettext looks a message up by


@dataclass
class Domain:
    """One ``<domain>.po`` of one language."""

    lang: str
    name: str
    catalog: Catalog

    @property
    def po_path(self) -> Path:
        return LOCALE_DIR / self.lang / "LC_MESSAGES" / f"{self.name}.po"

    @property
    def mo_path(self) -> Path:
        return self.po_path.with_suffix(".mo")


def key(message: Message) -> Key:
    """The context and singular id of a message (what gettext looks it up by)."""
    singular = message.id if isinstance(message.id, str) else message.id[0]
    return (message.context or "", singular)


def shown(message_key: Key) -> str:
    """A message key for people: 'id', or 'context | id'."""
    context, singular = message_key
    return repr(singular) if not context else f"{context!r} | {singular!r}"


def entries(catalog: Catalog) -> Iterator[Message]:
    """The messages of a catalogue, without its header."""
    return (message for message in catalog if message.id)


def languages() -> list[str]:
    return sorted(path.name for path in LOCALE_DIR.iterdir() if path.is_dir())


def load_domains(lang: str) -> list[Domain]:
    domains = []
    for path in sorted((LOCALE_DIR / lang / "LC_MESSAGES").glob("*.po")):
        with path.open("rb") as fp:
            catalog = read_po(fp, locale=lang, domain=path.stem)
        domains.append(Domain(lang, path.stem, catalog))
    return domains


def new_catalog(lang: str, domain: str) -> Catalog:
    return Catalog(
        locale=lang,
        domain=domain,
        header_comment=(
            f"# {LANGUAGE_NAMES.get(lang, lang)} messages of inspect-app, domain "
            f'"{domain}" (see docs/i18n.md).'
        ),
        project="inspect-app",
        version="1",
        creation_date=FIXED_DATE,
        revision_date=FIXED_DATE,
        fuzzy=False,
    )


def read_template(path: Path) -> Catalog:
    with path.open("rb") as fp:
        return read_po(fp)


def write_domain(domain: Domain) -> None:
    """Write the .po (sorted, one line per string, no locations) and compile the .mo."""
    domain.po_path.parent.mkdir(parents=True, exist_ok=True)
    buffer = io.BytesIO()
    write_po(buffer, domain.catalog, width=0, no_location=True, sort_output=True)
    domain.po_path.write_bytes(buffer.getvalue())
    compile_domain(domain)


def compiled(catalog: Catalog) -> bytes:
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    return buffer.getvalue()


def compile_domain(domain: Domain) -> None:
    domain.mo_path.write_bytes(compiled(domain.catalog))


def _mo_messages(data: bytes) -> dict[Any, str]:
    table = GNUTranslations(io.BytesIO(data))._catalog  # type: ignore[attr-defined]
    return {k: v for k, v in table.items() if k != ""}


# --------------------------------------------------------------------------- check


def _strings(value: str | tuple[str, ...] | list[str] | None) -> list[str]:
    if value is None:
        return []
    return [value] if isinstance(value, str) else list(value)


def placeholders(text: str) -> set[str]:
    """``{name}`` fields (Python code) and ``%(name)s`` fields (templates) of a string."""
    names = {match.group(1) for match in PERCENT_FIELD.finditer(text)}
    try:
        names |= {
            field.split(".")[0].split("[")[0]
            for _, field, _, _ in BRACE_FIELD.parse(text)
            if field is not None
        }
    except ValueError:
        names.add("<unbalanced braces>")
    return names


def check_language(lang: str, template: dict[Key, Message], problems: list[str]) -> None:
    domains = load_domains(lang)
    if not domains:
        problems.append(f"{lang}: no catalogue in {LOCALE_DIR / lang / 'LC_MESSAGES'}")
        return
    complete = lang in COMPLETE
    where: dict[Key, str] = {}
    plural_forms = {domain.catalog.plural_forms for domain in domains}
    if len(plural_forms) > 1:
        problems.append(f"{lang}: the domains disagree on Plural-Forms: {sorted(plural_forms)}")
    for domain in domains:
        label = f"{lang}/{domain.name}.po"
        if str(domain.catalog.locale) != lang:
            problems.append(f"{label}: Language is {domain.catalog.locale}, expected {lang}")
        for message in domain.catalog.obsolete.values():
            problems.append(f"{label}: obsolete entry {shown(key(message))} (run make messages)")
        for message in entries(domain.catalog):
            problems += check_message(label, message, template.get(key(message)))
            if key(message) in where:
                problems.append(f"{label}: {shown(key(message))} is also in {where[key(message)]}")
            where[key(message)] = label
        problems += check_compiled(domain)
    for message_key, message in sorted(template.items()):
        needed = complete or not isinstance(message.id, str)
        if needed and message_key not in where:
            problems.append(
                f"{lang}: missing {shown(message_key)} (run make messages, then translate)"
            )


def stray_percent(text: str) -> bool:
    """True when ``text`` has a % that is neither %% nor a %(name)s field."""
    return "%" in PERCENT_FIELD.sub("", PERCENT_ESCAPE.sub("", text))


def check_message(label: str, message: Message, extracted: Message | None) -> list[str]:
    name = shown(key(message))
    if extracted is None:
        return [f"{label}: {name} is not used any more (run make messages)"]
    problems = []
    if isinstance(extracted.id, str) != isinstance(message.id, str) or (
        not isinstance(message.id, str) and tuple(message.id) != tuple(extracted.id)
    ):
        problems.append(f"{label}: {name} differs from the code in its plural (run make messages)")
    forms = _strings(message.string)
    if not forms or not all(forms):
        problems.append(f"{label}: {name} is not translated")
    if message.fuzzy:
        problems.append(f"{label}: {name} is marked fuzzy: check the translation, drop the flag")
    allowed = set().union(*(placeholders(text) for text in _strings(message.id)))
    in_template = any(filename.startswith("templates/") for filename, _ in extracted.locations)
    for form in forms:
        extra = placeholders(form) - allowed
        if extra:
            problems.append(f"{label}: {name} translation uses unknown values {sorted(extra)}")
        if in_template and stray_percent(form):
            problems.append(f"{label}: {name} is used in a template: write a % as %%")
    return problems


def check_compiled(domain: Domain) -> list[str]:
    label = f"{domain.lang}/{domain.name}"
    if not domain.mo_path.exists():
        return [f"{label}.mo is missing (run make messages)"]
    current = _mo_messages(domain.mo_path.read_bytes())
    if current != _mo_messages(compiled(domain.catalog)):
        return [f"{label}.mo is older than {label}.po (run make messages)"]
    return []


def check(pot: Path) -> list[str]:
    """Every problem of the catalogues, as lines for people; empty when all is well."""
    template = {key(message): message for message in entries(read_template(pot))}
    problems: list[str] = []
    for lang in LANGUAGES:
        if not (LOCALE_DIR / lang).is_dir():
            problems.append(f"{lang}: the catalogue is missing")
    for lang in languages():
        check_language(lang, template, problems)
        for mo in (LOCALE_DIR / lang / "LC_MESSAGES").glob("*.mo"):
            if not mo.with_suffix(".po").exists():
                problems.append(f"{lang}/{mo.name} has no .po (delete it)")
    return problems


# --------------------------------------------------------------------------- update


def domain_for(message: Message, override: str | None) -> str:
    if override:
        return override
    for filename, _ in sorted(message.locations):
        for pattern, domain in DOMAIN_RULES:
            if fnmatch.fnmatch(filename, pattern):
                return domain
    return DEFAULT_DOMAIN


def _initial_string(lang: str, message: Message, guess: Message | None, plurals: int) -> Any:
    ids = _strings(message.id)
    if lang not in COMPLETE:  # the language of the ids: its own words, one per plural form
        return (
            ids[0]
            if isinstance(message.id, str)
            else tuple(ids[min(form, len(ids) - 1)] for form in range(plurals))
        )
    if guess is not None and isinstance(guess.id, str) == isinstance(message.id, str):
        return guess.string
    return "" if isinstance(message.id, str) else ("",) * plurals


def update_language(lang: str, template: dict[Key, Message], override: str | None) -> list[str]:
    """Bring one language in line with the code; returns what changed, for people."""
    domains = {domain.name: domain for domain in load_domains(lang)}
    complete = lang in COMPLETE
    changes: list[str] = []
    present: dict[Key, Domain] = {}
    dropped: dict[Key, Message] = {}
    for domain in domains.values():
        domain.catalog.obsolete.clear()
        for message in list(entries(domain.catalog)):
            extracted = template.get(key(message))
            if extracted is None or key(message) in present:
                domain.catalog.delete(message.id, message.context)
                dropped[key(message)] = message
                changes.append(f"{lang}/{domain.name}: dropped {shown(key(message))}")
                continue
            if extracted.id != message.id:  # the plural form of the id changed
                domain.catalog.delete(message.id, message.context)
                domain.catalog.add(
                    extracted.id,
                    tuple(_strings(message.string)),
                    flags={"fuzzy"},
                    context=message.context,
                )
                changes.append(f"{lang}/{domain.name}: plural of {shown(key(message))} changed")
            present[key(message)] = domain
    for message_key, message in sorted(template.items()):
        if message_key in present or not (complete or not isinstance(message.id, str)):
            continue
        name = domain_for(message, override)
        if name not in domains:
            domains[name] = Domain(lang, name, new_catalog(lang, name))
        similar = {
            candidate[1]: candidate for candidate in dropped if candidate[0] == key(message)[0]
        }
        close = difflib.get_close_matches(message_key[1], list(similar), n=1, cutoff=0.8)
        guess = dropped[similar[close[0]]] if close and complete else None
        if guess is not None and isinstance(guess.id, str) != isinstance(message.id, str):
            guess = None  # a plural is not guessed from a singular, nor the other way round
        plurals = domains[name].catalog.num_plurals
        initial = _initial_string(lang, message, guess, plurals)
        domains[name].catalog.add(
            message.id, initial, flags={"fuzzy"} if guess else set(), context=message.context
        )
        present[message_key] = domains[name]
        state = (
            "its own words"
            if not complete
            else "guessed from a similar one, fuzzy"
            if guess
            else "to translate"
        )
        changes.append(f"{lang}/{name}: added {shown(message_key)} ({state})")
    for domain in domains.values():
        write_domain(domain)
    return changes


def update(pot: Path, override: str | None) -> list[str]:
    template = {key(message): message for message in entries(read_template(pot))}
    changes = []
    for lang in sorted({*languages(), *LANGUAGES}):
        changes += update_language(lang, template, override)
    return changes


def compile_all() -> None:
    for lang in languages():
        for domain in load_domains(lang):
            compile_domain(domain)


def import_json(paths: Iterable[Path]) -> list[str]:
    """Take the translations of ``<lang>/<domain>.json`` files ({id: text}, the catalogue
    format before gettext) into the .po files: an id the language lacks, or has without a
    translation, gets the file's text (in the domain named like the file when it is new).
    Run ``make messages`` afterwards to drop what the code no longer uses."""
    changes = []
    for path in paths:
        lang, name = path.parent.name, path.stem
        domains = {domain.name: domain for domain in load_domains(lang)}
        owners = {
            key(message): (domain.name, message)
            for domain in domains.values()
            for message in entries(domain.catalog)
        }
        touched = set()
        for message_id, text in json.loads(path.read_text(encoding="utf-8")).items():
            owner, existing = owners.get(("", message_id), ("", None))
            if existing is None:
                if name not in domains:
                    domains[name] = Domain(lang, name, new_catalog(lang, name))
                domains[name].catalog.add(message_id, text)
                touched.add(name)
                changes.append(f"{lang}/{name}: added {message_id!r}")
            elif not all(_strings(existing.string)) or existing.fuzzy:
                existing.string = text
                existing.flags.discard("fuzzy")
                touched.add(owner)
                changes.append(f"{lang}: translated {message_id!r}")
        for name in touched:
            write_domain(domains[name])
    return changes


def check_wheel(wheel: Path) -> list[str]:
    """The compiled catalogues of the source tree that ``wheel`` does not carry."""
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
    expected = sorted(
        path.relative_to(ROOT).as_posix() for path in LOCALE_DIR.glob("*/LC_MESSAGES/*.mo")
    )
    if not expected:
        return [f"no compiled catalogue under {LOCALE_DIR}"]
    return [f"{wheel.name} lacks {name}" for name in expected if name not in names]


# --------------------------------------------------------------------------- command line


def _print(lines: Iterable[str]) -> None:
    for line in lines:
        print(line)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.messages", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    check_command = commands.add_parser("check", help="fail on a problem of the catalogues")
    check_command.add_argument("pot", type=Path)
    update_command = commands.add_parser("update", help="add new ids, drop unused ones")
    update_command.add_argument("pot", type=Path)
    update_command.add_argument("--domain", help="put every new id in this domain")
    commands.add_parser("compile", help="compile every .po to its .mo")
    wheel_command = commands.add_parser("wheel", help="fail if the wheel lacks a .mo")
    wheel_command.add_argument("wheel", type=Path)
    json_command = commands.add_parser("import-json", help="take translations from JSON files")
    json_command.add_argument("files", type=Path, nargs="+")
    args = parser.parse_args(argv)
    if args.command == "check":
        problems = check(args.pot)
        if problems:
            _print(problems)
            print(f"FAIL: {len(problems)} problem(s) in the message catalogues (docs/i18n.md)")
            return 1
        print("OK: the message catalogues match the code")
        return 0
    if args.command == "update":
        changes = update(args.pot, args.domain or None)
        _print(changes)
        untranslated = sum("to translate" in change or "fuzzy" in change for change in changes)
        print(f"{len(changes)} change(s); {untranslated} entr(ies) to translate or review")
        return 0
    if args.command == "import-json":
        changes = import_json(args.files)
        _print(changes)
        print(f"{len(changes)} change(s); now run make messages")
        return 0
    if args.command == "wheel":
        missing = check_wheel(args.wheel)
        _print(missing)
        if missing:
            print("FAIL: the wheel lacks compiled catalogues (package-data in pyproject.toml)")
            return 1
        print(f"OK: {args.wheel.name} carries every compiled catalogue")
        return 0
    compile_all()
    return 0


if __name__ == "__main__":
    sys.exit(main())
