"""The Python extractor of babel.cfg: translation calls, and the sentences of the web layer.

Babel's own Python extractor reads calls such as ``translate("...")`` token by token; this one
reads the syntax tree, so that it also finds the message ids the application passes around
without a translation call:

- calls named in the ``keywords`` of babel.cfg (``translate``, ``N_``, ``N_plural``,
  ``NotFound``, ``done``...): their string arguments;
- a ``message=`` keyword argument of any call (``save(..., message="The plan was created.")``);
- the values of a dict literal given to ``InvalidInput`` (``{"field": "message id"}``);
- with ``sentences = true`` (services, controllers, forms): every string literal that reads
  as a sentence (a capital letter first, a space, a full stop or question mark last), except
  docstrings and the arguments of logging calls. Services keep their error messages as plain
  literals (``errors["date"] = "Enter a date."``): this rule is what makes them part of the
  catalogue.

Anything else a person reads (labels of codes, headings) is marked with ``N_()``.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Collection, Iterator, Mapping
from typing import IO, Any

SENTENCE = re.compile(r"^[A-Z][^\n]* [^\n]*[.?]$")
LOG_METHODS = frozenset({"debug", "info", "warning", "error", "exception", "critical"})
# Errors whose first argument is a dict of field -> message id.
FIELD_ERRORS = frozenset({"InvalidInput"})

Result = tuple[int, str | None, tuple[str | None, ...], list[str]]


def _name(func: ast.expr) -> str | None:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return None


def _text(node: ast.AST) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def _docstrings(tree: ast.AST) -> set[int]:
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and _text(body[0].value) is not None:
                found.add(id(body[0].value))
    return found


def _log_arguments(tree: ast.AST) -> set[int]:
    return {
        id(argument)
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in LOG_METHODS
        for argument in node.args
    }


def _enabled(options: Mapping[str, Any], name: str) -> bool:
    return str(options.get(name, "")).lower() in {"1", "true", "yes", "on"}


def messages_in(source: str, keywords: Collection[str], sentences: bool) -> Iterator[Result]:
    """(line, keyword or None, arguments, comments) of every message id in ``source``."""
    tree = ast.parse(source)
    seen: set[int] = set()
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        name = _name(node.func)
        if name in keywords:
            arguments = tuple(_text(argument) for argument in node.args)
            seen.update(id(argument) for argument in node.args)
            if any(argument is not None for argument in arguments):
                yield node.lineno, name, arguments, []
        for keyword in node.keywords:
            text = _text(keyword.value)
            if keyword.arg == "message" and text is not None:
                seen.add(id(keyword.value))
                yield keyword.value.lineno, None, (text,), []
        if name in FIELD_ERRORS and node.args and isinstance(node.args[0], ast.Dict):
            for value in node.args[0].values:
                text = _text(value)
                if text is not None:
                    seen.add(id(value))
                    yield value.lineno, None, (text,), []
    if not sentences:
        return
    skip = seen | _docstrings(tree) | _log_arguments(tree)
    for node in ast.walk(tree):
        text = _text(node)
        if text is not None and id(node) not in skip and SENTENCE.match(text):
            yield node.lineno, None, (text,), []  # type: ignore[attr-defined]


def extract_python(
    fileobj: IO[bytes],
    keywords: Collection[str],
    comment_tags: Collection[str],
    options: Mapping[str, Any],
) -> Iterator[Result]:
    """Babel extraction method (see the module docstring)."""
    source = fileobj.read().decode(str(options.get("encoding") or "utf-8"))
    yield from messages_in(source, keywords, _enabled(options, "sentences"))
