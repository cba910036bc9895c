"""Helpers every page controller shares: reading the form, saving, and the stale-edit page.

A page handler reads the request, calls a function of ``inspect_app.forms`` and a service,
then renders or redirects; the steps they all repeat (a save that comes back with errors
beside the fields or as a stale edit, the flash and redirect after it) live here.

A stale edit (someone saved the record after the form was opened) is answered with a page
showing what they changed and the user's own values, ready to be applied again.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from litestar import Request
from litestar.datastructures import UploadFile
from litestar.response import Redirect, Template

from inspect_app.domain.measures import MEASURE_STATUS_LABELS
from inspect_app.errors import Conflict, InvalidInput
from inspect_app.exceptions import request_language
from inspect_app.forms.common import changed_fields, parse_form, read_version
from inspect_app.i18n import translate
from inspect_app.pages import flash, render
from inspect_app.principal import Principal
from inspect_app.services import agencies, audit

ShowErrors = Callable[[dict[str, str]], Awaitable[Template]]
ShowStale = Callable[[], Awaitable[Template]]

R = TypeVar("R")  # a record shown on an edit form


async def read_form(request: Request[Any, Any, Any]) -> dict[str, Any]:
    """The posted form: lists for the multi-valued keys, the last value for the others."""
    form = await request.form()
    return parse_form(form.multi_items())


async def posted_action(request: Request[Any, Any, Any]) -> str:
    """The value of the ``_action`` button that submitted the form ("" for the main one)."""
    form = await request.form()
    value = form.get("_action")
    return value if isinstance(value, str) else ""


def message_text(request: Request[Any, Any, Any], message: str, **values: Any) -> str:
    """A message id in the request's language."""
    return translate(message, request_language(request), **values)


def local_path(url: Any, default: str = "/") -> str:
    """``url`` when it is a path of this site, else ``default``: never a redirect elsewhere.

    "//x" and "/\\x" are read by browsers as another host; control characters could split
    the Location header.
    """
    if (
        isinstance(url, str)
        and url.startswith("/")
        and not url.startswith(("//", "/\\"))
        and "\\" not in url
        and url.isprintable()
    ):
        return url
    return default


def done(request: Request[Any, Any, Any], message: str, path: str) -> Redirect:
    """Flash ``message`` (a message id) and go to ``path`` (303, so a reload does not resend)."""
    flash(request, message_text(request, message))
    return Redirect(path=path, status_code=303)


async def save(
    request: Request[Any, Any, Any],
    write: Callable[[], Awaitable[Any]],
    *,
    errors: ShowErrors,
    stale: ShowStale | None = None,
    message: str | Callable[[Any], str],
    then: str | Callable[[Any], str],
) -> Template | Redirect:
    """Run ``write()``; its errors re-render the form, a stale version shows the stale page.

    On success ``message`` is flashed and the user goes to ``then`` (a path, or a function of
    what the service returned). Conflicts other than a stale version go to the error page.
    """
    try:
        result = await write()
    except InvalidInput as exc:
        return await errors(exc.errors)
    except Conflict as exc:
        if stale is None or exc.code != "stale_version":
            raise
        return await stale()
    text = message(result) if callable(message) else message
    return done(request, text, then(result) if callable(then) else then)


def measure_status_labels(request: Request[Any, Any, Any]) -> dict[str, str]:
    """Measure statuses in the request's language."""
    lang = request_language(request)
    return {key: translate(label, lang) for key, label in MEASURE_STATUS_LABELS.items()}


def translated_labels(request: Request[Any, Any, Any], labels: dict[str, str]) -> dict[str, str]:
    """Code -> label in the request's language: for tables that show a label on every row."""
    return dict(translated_choices(request, labels))


def translated_choices(
    request: Request[Any, Any, Any], labels: dict[str, str], blank: str | None = None
) -> list[tuple[str, str]]:
    """A select box's (code, label) pairs in the request's language, after an optional blank."""
    lang = request_language(request)
    choices = [(code, translate(label, lang)) for code, label in labels.items()]
    return [("", translate(blank, lang)), *choices] if blank else choices


async def agency_choices(principal: Principal, indent: str = "— ") -> list[tuple[str, str]]:
    """Agencies in scope in tree order, indented, for a select box."""
    return [
        (str(row["id"]), indent * row["indent"] + row["name"])
        for row in await agencies.tree_options(principal)
    ]


def _hidden_inputs(submitted: dict[str, Any], current_version: int) -> list[tuple[str, str]]:
    hidden: list[tuple[str, str]] = []
    for key, value in submitted.items():
        if key == "version" or isinstance(value, UploadFile):
            continue
        if isinstance(value, list):
            hidden.append((f"_{key}_sent", "1"))
            hidden += [(key, str(item)) for item in value]
        else:
            hidden.append((key, str(value)))
    hidden.append(("version", str(current_version)))
    return hidden


async def stale_page(
    request: Request[Any, Any, Any],
    principal: Principal,
    template: str,
    *,
    entity_type: str,
    entity_id: int,
    current_version: int,
    submitted: dict[str, Any],
    differences: list[dict[str, str]],
    action: str,
    reload_url: str,
    title: str,
) -> Template:
    """The 409 page of a stale save: others' changes since the form was read, and a re-apply."""
    read = read_version(submitted)
    rows = await audit.visible_history(principal, entity_type, entity_id, limit=50)
    since = [
        row
        for row in rows
        if isinstance(row.after, dict)
        and isinstance(row.after.get("version"), int)
        and row.after["version"] > read
    ]
    return await render(
        request,
        template,
        status_code=409,
        title=title,
        others=list(reversed(since)),
        differences=differences,
        hidden=_hidden_inputs(submitted, current_version),
        action=action,
        reload_url=reload_url,
    )


def stale_edit(
    request: Request[Any, Any, Any],
    principal: Principal,
    template: str,
    *,
    entity_type: str,
    entity_id: int,
    current: Callable[[], Awaitable[R]],
    fields: tuple[tuple[str, str], ...],
    values: Callable[[R], dict[str, Any]],
    submitted: dict[str, Any],
    edit_url: str,
    title: Callable[[R], str],
) -> ShowStale:
    """The ``stale`` of :func:`save` for a form whose fields compare one by one.

    It reads the record again (``current()``), lists the ``fields`` whose ``values`` differ
    from what was submitted, and offers to apply the submission again at ``edit_url``.
    """

    async def show() -> Template:
        record = await current()
        shown = values(record)  # with the version the form would send
        return await stale_page(
            request,
            principal,
            template,
            entity_type=entity_type,
            entity_id=entity_id,
            current_version=int(shown["version"]),
            submitted=submitted,
            differences=changed_fields(fields, shown, submitted),
            action=edit_url,
            reload_url=edit_url,
            title=title(record),
        )

    return show
