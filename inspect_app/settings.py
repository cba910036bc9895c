"""Settings, read once from the environment (see docs/configuration.md)."""

from __future__ import annotations

import ipaddress
import os
import secrets
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class ConfigurationError(RuntimeError):
    """A setting is missing or invalid; the message names the variable."""


def _env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    return raw.strip().lower() in {"1", "true", "yes", "on"}


def _env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ConfigurationError(f"{name} must be a whole number, got {raw!r}") from exc


def _env_int_between(name: str, default: int, low: int, high: int) -> int:
    value = _env_int(name, default)
    if not low <= value <= high:
        raise ConfigurationError(f"{name} must be between {low} and {high}, got {value}")
    return value


ProxyNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_trusted_proxies(raw: str) -> tuple[ProxyNetwork, ...]:
    """TRUSTED_PROXIES: addresses or CIDR networks separated by commas or spaces."""
    networks = []
    for item in raw.replace(",", " ").split():
        try:
            networks.append(ipaddress.ip_network(item, strict=False))
        except ValueError as exc:
            raise ConfigurationError(
                f"TRUSTED_PROXIES must list IP addresses or networks (CIDR), got {item!r}"
            ) from exc
    return tuple(networks)


def _var_dir() -> Path:
    # A checkout keeps its data in ./var of the project; an installed package (a wheel in a
    # virtualenv) has no project directory, so it uses ./var of the working directory.
    if os.environ.get("VAR_DIR"):
        return Path(os.environ["VAR_DIR"])
    if (PROJECT_ROOT / "pyproject.toml").is_file():
        return PROJECT_ROOT / "var"
    return Path.cwd() / "var"


def _development_secret(var_dir: Path) -> str:
    """A secret generated once and kept under var/ so sessions survive restarts."""
    path = var_dir / "secret_key"
    if path.exists():
        return path.read_text().strip()
    var_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    path.write_text(key)
    path.chmod(0o600)
    return key


@dataclass(frozen=True)
class Settings:
    """Every knob of the application; built by :func:`get_settings`."""

    app_env: str
    database_url: str
    redis_url: str | None
    secret_key: str
    time_zone: str
    default_language: str
    var_dir: Path
    upload_dir: Path
    report_dir: Path
    max_upload_mb: int
    smtp_host: str | None
    smtp_port: int
    smtp_user: str | None
    smtp_password: str | None
    smtp_from: str
    smtp_starttls: bool
    holidays_file: str | None
    base_url: str
    web_workers: int
    debug: bool
    session_max_age: int = 8 * 3600
    # Peers whose forwarded headers (X-Forwarded-For, X-Real-IP, Forwarded) are believed.
    trusted_proxies: tuple[ProxyNetwork, ...] = ()
    # Sign-in lock of one account, whatever the address: after this many failures...
    login_account_max_failures: int = 10
    # ...the account waits this long, doubled at each further failure, up to the maximum.
    login_lock_base_s: int = 60
    login_lock_max_s: int = 3600
    # A recommendation reminded by letter again within this many days asks for confirmation.
    reminder_repeat_days: int = 7
    # How long a page part rendered for many readers (the follow-up board) may be reused
    # while no write was committed (inspect_app/page_cache.py); 0 turns the reuse off.
    page_cache_seconds: int = 60
    # How long who is asking (the principal of a session or token) is reused per process
    # while no write was committed (inspect_app/services/identity.py); 0 turns it off.
    principal_cache_seconds: int = 10
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def production(self) -> bool:
        return self.app_env == "production"

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def sqlite_path(self) -> str:
        """The file path of a ``sqlite:///path`` URL."""
        return self.database_url[len("sqlite:///") :]


def load_settings() -> Settings:
    """Read the environment; raise ConfigurationError naming the variable at fault."""
    app_env = os.environ.get("APP_ENV", "development").strip().lower()
    if app_env not in {"development", "production", "test"}:
        raise ConfigurationError("APP_ENV must be development, production or test")
    var_dir = _var_dir()
    database_url = os.environ.get("DATABASE_URL") or f"sqlite:///{var_dir / 'inspect.sqlite3'}"
    if not database_url.startswith(("sqlite:///", "postgres://", "postgresql://")):
        raise ConfigurationError(
            "DATABASE_URL must start with sqlite:///, postgres:// or postgresql://"
        )
    secret_key = os.environ.get("SECRET_KEY", "")
    if not secret_key:
        if app_env == "production":
            raise ConfigurationError("SECRET_KEY is required when APP_ENV=production")
        secret_key = _development_secret(var_dir)
    language = os.environ.get("DEFAULT_LANGUAGE", "vi")
    if language not in {"vi", "en"}:
        raise ConfigurationError("DEFAULT_LANGUAGE must be vi or en")
    return Settings(
        app_env=app_env,
        database_url=database_url,
        redis_url=os.environ.get("REDIS_URL") or None,
        secret_key=secret_key,
        time_zone=os.environ.get("TIME_ZONE", "Asia/Ho_Chi_Minh"),
        default_language=language,
        var_dir=var_dir,
        upload_dir=Path(os.environ.get("UPLOAD_DIR") or var_dir / "uploads"),
        report_dir=Path(os.environ.get("REPORT_DIR") or var_dir / "reports"),
        max_upload_mb=_env_int("MAX_UPLOAD_MB", 20),
        smtp_host=os.environ.get("SMTP_HOST") or None,
        smtp_port=_env_int("SMTP_PORT", 25),
        smtp_user=os.environ.get("SMTP_USER") or None,
        smtp_password=os.environ.get("SMTP_PASSWORD") or None,
        smtp_from=os.environ.get("SMTP_FROM", "thanhtra@localhost"),
        smtp_starttls=_env_bool("SMTP_STARTTLS", False),
        holidays_file=os.environ.get("HOLIDAYS_FILE") or None,
        base_url=os.environ.get("BASE_URL", "http://127.0.0.1:8000"),
        web_workers=_env_int("WEB_WORKERS", 1),
        debug=_env_bool("DEBUG", False),
        session_max_age=_env_int("SESSION_MAX_AGE", 8 * 3600),
        trusted_proxies=parse_trusted_proxies(os.environ.get("TRUSTED_PROXIES", "")),
        login_account_max_failures=_env_int_between("LOGIN_ACCOUNT_MAX_FAILURES", 10, 3, 1000),
        login_lock_base_s=_env_int_between("LOGIN_LOCK_BASE_S", 60, 1, 24 * 3600),
        login_lock_max_s=_env_int_between("LOGIN_LOCK_MAX_S", 3600, 1, 7 * 24 * 3600),
        reminder_repeat_days=_env_int_between("REMINDER_REPEAT_DAYS", 7, 0, 365),
        # Off under test: the suite writes rows straight to the tables, past the version.
        page_cache_seconds=_env_int_between(
            "PAGE_CACHE_SECONDS", 0 if app_env == "test" else 60, 0, 3600
        ),
        principal_cache_seconds=_env_int_between("PRINCIPAL_CACHE_SECONDS", 10, 0, 300),
    )


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read on first use."""
    return load_settings()
