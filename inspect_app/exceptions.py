"""How the web layer turns the errors services raise into responses.

Services raise the errors of :mod:`inspect_app.errors` with people-readable messages
(message ids of the i18n catalogue); JSON routes answer ``{"status_code", "detail",
"errors": [{"field", "message"}]}`` and pages answer a rendered error page, or a redirect to
the login page when nobody is signed in.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from litestar import MediaType, Request, Response
from litestar.exceptions import (
    HTTPException,
    NotAuthorizedException,
    NotFoundException,
    PermissionDeniedException,
    ValidationException,
)
from litestar.response import Redirect, Template
from litestar.status_codes import (
    HTTP_401_UNAUTHORIZED,
    HTTP_403_FORBIDDEN,
    HTTP_404_NOT_FOUND,
    HTTP_405_METHOD_NOT_ALLOWED,
    HTTP_413_REQUEST_ENTITY_TOO_LARGE,
    HTTP_422_UNPROCESSABLE_ENTITY,
    HTTP_500_INTERNAL_SERVER_ERROR,
)

from inspect_app.errors import AppError, Conflict, InvalidInput, Throttled
from inspect_app.i18n import translate
from inspect_app.request_bounds import JSON_NUL, JSON_TOO_DEEP
from inspect_app.request_log import request_id
from inspect_app.schemas.bounds import FREE_TEXT_PATTERN, SINGLE_LINE_PATTERN

log = logging.getLogger(__name__)


def request_language(request: Request[Any, Any, Any]) -> str:
    """The language chosen for this request by the language middleware."""
    return str(getattr(request.state, "lang", "vi"))


def _is_api(request: Request[Any, Any, Any]) -> bool:
    path = request.url.path
    return path.startswith("/api/") or path == "/health" or path.startswith("/schema")


def _json_error(
    status_code: int,
    detail: str,
    errors: list[dict[str, str]] | None = None,
    headers: dict[str, str] | None = None,
    extra: dict[str, Any] | None = None,
) -> Response[dict[str, Any]]:
    content: dict[str, Any] = {"status_code": status_code, "detail": detail}
    if errors is not None:
        content["errors"] = errors
    if extra:
        content.update(extra)
    return Response(content, status_code=status_code, media_type=MediaType.JSON, headers=headers)


def _page_error(
    request: Request[Any, Any, Any], status_code: int, detail: str
) -> Response[Any] | Template:
    if status_code == HTTP_401_UNAUTHORIZED:
        return Redirect(path=f"/login?next={request.url.path}")
    return Template(
        template_name="error.html",
        context={"status_code": status_code, "detail": detail},
        status_code=status_code,
    )


_MISSING_FIELD = re.compile(r"missing required field `(?P<field>[^`]+)`")
_WRONG_TYPE = re.compile(r"^Expected `(?P<expected>[^`]+)`, got `[^`]+`")
# msgspec's words for the bounds of schemas/bounds.py and the schemas' Meta constraints.
_OUT_OF_RANGE = re.compile(r"^Expected `(int|float|decimal)` [<>]=? ")
_LENGTH = re.compile(r"^Expected `(?P<kind>str|array|object)` of length (?P<op>[<>])=")
_NO_MATCH = re.compile(r"^Expected `str` matching regex")
# How msgspec quotes the control-character patterns of schemas/bounds.py in its message.
_TEXT_PATTERNS = (repr(SINGLE_LINE_PATTERN), repr(FREE_TEXT_PATTERN))
_LENGTH_MESSAGES = {
    ("str", "<"): "This text is too long.",
    ("str", ">"): "This text is too short.",
    ("array", "<"): "This list has too many items.",
    ("array", ">"): "This list has too few items.",
    ("object", "<"): "This object has too many fields.",
    ("object", ">"): "This object has too few fields.",
}
_TYPE_MESSAGES = {
    "int": "Enter a whole number.",
    "str": "Enter text.",
    "bool": "Enter true or false.",
    "array": "Enter a list.",
    "object": "Enter an object.",
    "date": "Enter a date as YYYY-MM-DD.",
}


def describe_decode_problem(key: str, message: str) -> tuple[str, str]:
    """The field at fault and a message id for a request decoding error.

    msgspec reports a missing field against the whole body ("data") and words type errors
    for programmers; the API promises the field's own name and a sentence for people.
    """
    missing = _MISSING_FIELD.search(message)
    if missing:
        return missing.group("field"), "This field is required."
    if _OUT_OF_RANGE.match(message):
        return key, "This number is out of the allowed range."
    length = _LENGTH.match(message)
    if length:
        return key, _LENGTH_MESSAGES[(length.group("kind"), length.group("op"))]
    if any(pattern in message for pattern in _TEXT_PATTERNS):
        return key, "Remove the control characters from the text."
    if message.startswith("Invalid enum value"):
        return key, "Choose a value from the list."
    if _NO_MATCH.match(message):
        return key, "This value is not in the expected format."
    if "Invalid RFC3339 encoded date" in message:
        return key, "Enter a date as YYYY-MM-DD."
    wrong_type = _WRONG_TYPE.match(message)
    if wrong_type:
        expected = wrong_type.group("expected").split(" ")[0].split("|")[0]
        return key, _TYPE_MESSAGES.get(expected, "This value has the wrong type.")
    return key, message


# A value of the right type that breaks a bound is refused as the services refuse a broken
# rule (422); a value of the wrong type or a malformed body stays 400.
_RULE_PROBLEMS = frozenset(
    {
        "This number is out of the allowed range.",
        *_LENGTH_MESSAGES.values(),
        "This value is not in the expected format.",
        "Choose a value from the list.",
        "Remove the control characters from the text.",
    }
)


def _validation_errors(exc: ValidationException, lang: str) -> tuple[int, list[dict[str, str]]]:
    """The status (400 or 422) and the field-named errors of a decoding failure."""
    errors = []
    problems = set()
    for item in exc.extra if isinstance(exc.extra, list) else []:
        if isinstance(item, dict):
            key = str(item.get("key") or item.get("source") or "body")
            field, message = describe_decode_problem(key, str(item.get("message", "")))
            problems.add(message)
            errors.append({"field": field, "message": translate(message, lang)})
    if not errors:
        errors.append({"field": "body", "message": translate("Invalid request body.", lang)})
    rule_broken = bool(problems) and problems <= _RULE_PROBLEMS
    return (HTTP_422_UNPROCESSABLE_ENTITY if rule_broken else exc.status_code), errors


def app_error_handler(request: Request[Any, Any, Any], exc: AppError) -> Response[Any] | Template:
    """Render an error raised by a service."""
    lang = request_language(request)
    detail = translate(exc.message, lang, **exc.values)
    if _is_api(request):
        headers: dict[str, str] | None = None
        errors: list[dict[str, str]] | None = None
        extra: dict[str, Any] = {}
        if isinstance(exc, InvalidInput):
            errors = [
                {"field": field, "message": translate(message, lang)}
                for field, message in exc.errors.items()
            ]
        if isinstance(exc, Throttled):
            headers = {"Retry-After": str(exc.retry_after)}
        if isinstance(exc, Conflict):
            extra["code"] = exc.code
        return _json_error(exc.status_code, detail, errors, headers, extra)
    if isinstance(exc, Throttled):
        response = _page_error(request, exc.status_code, detail)
        response.headers["Retry-After"] = str(exc.retry_after)
        return response
    return _page_error(request, exc.status_code, detail)


def http_error_handler(
    request: Request[Any, Any, Any], exc: HTTPException
) -> Response[Any] | Template:
    """Render Litestar's own HTTP errors (validation, auth, not found) in our shape."""
    lang = request_language(request)
    status_code = exc.status_code
    if isinstance(exc, ValidationException):
        status_code, errors = _validation_errors(exc, lang)
        if _is_api(request):
            return _json_error(status_code, translate("Please correct the fields.", lang), errors)
        return _page_error(request, status_code, translate("Please correct the fields.", lang))
    messages = {
        HTTP_401_UNAUTHORIZED: "Please sign in.",
        HTTP_403_FORBIDDEN: "You are not allowed to do this.",
        HTTP_404_NOT_FOUND: "Not found.",
        HTTP_405_METHOD_NOT_ALLOWED: "This method is not allowed here.",
        HTTP_413_REQUEST_ENTITY_TOO_LARGE: "The request is too large.",
    }
    if isinstance(exc, NotAuthorizedException):
        status_code = HTTP_401_UNAUTHORIZED
    elif isinstance(exc, PermissionDeniedException):
        status_code = HTTP_403_FORBIDDEN
    elif isinstance(exc, NotFoundException):
        status_code = HTTP_404_NOT_FOUND
    detail = translate(messages.get(status_code, str(exc.detail)), lang)
    body_problem = None
    if str(exc.detail).startswith("JSON is malformed"):
        body_problem = "The request body is not valid JSON."
    elif str(exc.detail) in (JSON_TOO_DEEP, JSON_NUL):
        body_problem = str(exc.detail)
    elif status_code == HTTP_413_REQUEST_ENTITY_TOO_LARGE:
        body_problem = "The request is too large."
    if body_problem is not None:
        detail = translate(body_problem, lang)
        if _is_api(request):
            return _json_error(status_code, detail, [{"field": "body", "message": detail}])
    if _is_api(request):
        headers = dict(exc.headers or {})
        return _json_error(status_code, detail, headers=headers or None)
    return _page_error(request, status_code, detail)


def internal_error_handler(
    request: Request[Any, Any, Any], exc: Exception
) -> Response[Any] | Template:
    """Log an unexpected error and answer without leaking internals."""
    rid = request_id(request.scope)
    log.exception(
        "unhandled error on %s %s (request %s)",
        request.method,
        request.url.path,
        rid,
        exc_info=exc,
    )
    lang = request_language(request)
    detail = translate("An unexpected error occurred. It has been logged.", lang)
    if _is_api(request):
        return _json_error(HTTP_500_INTERNAL_SERVER_ERROR, detail, extra={"request_id": rid})
    return _page_error(request, HTTP_500_INTERNAL_SERVER_ERROR, detail)


EXCEPTION_HANDLERS: dict[type[Exception] | int, Any] = {
    AppError: app_error_handler,
    HTTPException: http_error_handler,
    HTTP_500_INTERNAL_SERVER_ERROR: internal_error_handler,
}
