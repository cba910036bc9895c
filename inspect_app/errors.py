"""The errors services raise on purpose, free of the web framework.

Services, jobs and the importer raise these with people-readable messages (message ids of
the i18n catalogue) and the values those carry; the web layer (:mod:`inspect_app.exceptions`)
turns them into JSON answers and error pages with ``status_code``.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any


class AppError(Exception):
    """Base of the errors services raise on purpose."""

    status_code: int = HTTPStatus.BAD_REQUEST

    def __init__(self, message: str, **values: Any) -> None:
        super().__init__(message)
        self.message = message
        self.values = values


class NotFound(AppError):
    """Unknown, or outside the caller's scope (existence is not revealed)."""

    status_code: int = HTTPStatus.NOT_FOUND

    def __init__(self, message: str = "Not found.", **values: Any) -> None:
        super().__init__(message, **values)


class Forbidden(AppError):
    """Visible, but the caller's role may not do this."""

    status_code: int = HTTPStatus.FORBIDDEN

    def __init__(self, message: str = "You are not allowed to do this.", **values: Any) -> None:
        super().__init__(message, **values)


class Conflict(AppError):
    """A stale version or an illegal transition; ``code`` is machine-readable."""

    status_code: int = HTTPStatus.CONFLICT

    def __init__(self, message: str, code: str = "conflict", **values: Any) -> None:
        super().__init__(message, **values)
        self.code = code


class InvalidInput(AppError):
    """Bad input; ``errors`` maps each field to what is wrong with it."""

    status_code: int = HTTPStatus.UNPROCESSABLE_ENTITY

    def __init__(self, errors: dict[str, str], message: str = "Please correct the fields.") -> None:
        super().__init__(message)
        self.errors = errors


class Throttled(AppError):
    """Too many attempts; try again after ``retry_after`` seconds."""

    status_code: int = HTTPStatus.TOO_MANY_REQUESTS

    def __init__(
        self, retry_after: int, message: str = "Too many attempts.", **values: Any
    ) -> None:
        super().__init__(message, **values)
        self.retry_after = retry_after
