"""Password hashing and token generation."""

from __future__ import annotations

import hashlib
import os
import secrets

from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

# The test suite signs in hundreds of times: there (APP_ENV=test only) hashes use argon2id's
# cheapest parameters. Verification reads the parameters from each hash, so a hash made
# with either setting verifies everywhere.
_hasher = (
    PasswordHasher.from_parameters(profiles.CHEAPEST)
    if os.environ.get("APP_ENV") == "test"
    else PasswordHasher()
)

# A valid hash of a random password: verifying against it when the user does not exist keeps
# the response time of "unknown user" equal to "wrong password".
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))

TOKEN_PREFIX = "itk_"
MIN_PASSWORD_LENGTH = 10


def hash_password(password: str) -> str:
    """Hash a password with argon2id."""
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Check a password against its hash; always costs one argon2 verification."""
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and bool(password_hash)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def password_problem(password: str) -> str | None:
    """Why a new password is not acceptable, or None (message id for the i18n catalogue)."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return "The password must have at least 10 characters."
    if password.isdigit() or password.isalpha():
        return "The password must mix letters with digits or symbols."
    return None


def new_api_token() -> tuple[str, str, str]:
    """A new bearer token: (token shown once, its SHA-256, a display prefix)."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    return token, token_digest(token), token[:12]


def token_digest(token: str) -> str:
    """SHA-256 hex digest of a bearer token, as stored."""
    return hashlib.sha256(token.encode()).hexdigest()
