"""HTTP load: the servers under test, wrk runs and the memory of the processes meanwhile."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = ROOT / ".venv" / "bin"
LUA = Path(__file__).parent / "wrk" / "report.lua"


@dataclass
class Server:
    """A process started by the bench, stopped by its own id when the bench ends."""

    name: str
    process: subprocess.Popen[bytes]
    port: int | None = None
    log: Path | None = None

    def pids(self) -> list[int]:
        """The process and its descendants (uvicorn's supervisor has one child per worker)."""
        found = [self.process.pid]
        for pid in found:
            children = Path(f"/proc/{pid}/task/{pid}/children")
            if children.exists():
                found += [int(p) for p in children.read_text().split()]
        return found

    def stop(self) -> None:
        """SIGTERM to our process group, then SIGKILL after 10 s."""
        if self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()


def start(
    name: str, args: list[str], env: dict[str, str], log_dir: Path, port: int | None
) -> Server:
    """Start a server in its own process group, its output in ``log_dir/name.log``."""
    log = log_dir / f"{name}.log"
    handle = log.open("wb")
    process = subprocess.Popen(
        args, env=env, cwd=ROOT, stdout=handle, stderr=subprocess.STDOUT, start_new_session=True
    )
    return Server(name, process, port, log)


def _listening(port: int, workers: int) -> list[str]:
    """The options both servers take alike: where to listen, how many processes, uvloop."""
    listen = ["--host", "127.0.0.1", "--port", str(port)]
    return [*listen, "--workers", str(workers), "--loop", "uvloop"]


def uvicorn(
    app: str, port: int, workers: int, env: dict[str, str], log_dir: Path, name: str
) -> Server:
    """uvicorn as in production: uvloop, httptools, no access log, ``workers`` processes."""
    args = [str(VENV_BIN / "uvicorn"), "--factory", app, *_listening(port, workers)]
    args += ["--http", "httptools", "--no-access-log", "--log-level", "warning"]
    return start(name, args, env, log_dir, port)


def granian(
    app: str, port: int, workers: int, env: dict[str, str], log_dir: Path, name: str
) -> Server:
    """Granian (its HTTP in Rust, the app through its ASGI interface) with the same
    processes and event loop as :func:`uvicorn`: the server compared with it (installed
    by ``pip install -e '.[bench]'``)."""
    if not (VENV_BIN / "granian").exists():
        raise SystemExit("granian is not installed: .venv/bin/pip install -e '.[bench]'")
    args = [str(VENV_BIN / "granian"), "--interface", "asgi", "--factory"]
    args += [*_listening(port, workers), "--no-ws", "--log-level", "warning", app]
    return start(name, args, env, log_dir, port)


SERVERS = {"uvicorn": uvicorn, "granian": granian}


def wait_ready(server: Server, path: str, timeout: float = 60) -> None:
    """Wait until ``path`` answers (any status below 500) or fail with the server's log."""
    deadline = time.monotonic() + timeout
    url = f"http://127.0.0.1:{server.port}{path}"
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            break
        try:
            with urllib.request.urlopen(url, timeout=5) as answer:
                if answer.status < 500:
                    return
        except urllib.error.HTTPError as exc:
            if exc.code < 500:
                return
        except OSError:
            pass
        time.sleep(0.3)
    log = server.log.read_text(errors="replace")[-3000:] if server.log else ""
    raise RuntimeError(f"{server.name} did not start:\n{log}")


def drain(port: int, limit_s: float = 120) -> float:
    """Wait until the server has worked off the requests wrk left queued; seconds waited.

    wrk stops at its deadline, but a saturated server still holds the requests it accepted:
    without this wait they would slow the next run down.
    """
    start = time.monotonic()
    while time.monotonic() - start < limit_s:
        began = time.monotonic()
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=limit_s):
                pass
        except OSError:
            pass
        if time.monotonic() - began < 0.05:
            break
        time.sleep(0.5)
    return round(time.monotonic() - start, 1)


def rss_mb(pid: int) -> float:
    """Resident set size of a process in MB (VmRSS from /proc)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except FileNotFoundError:
        pass
    return 0.0


@dataclass
class MemorySampler:
    """Samples the RSS of the given processes every 0.25 s; keeps each one's maximum."""

    groups: dict[str, Server]
    peak: dict[str, dict[int, float]] = field(default_factory=dict)
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def __enter__(self) -> MemorySampler:
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def _run(self) -> None:
        while not self._stop.is_set():
            self.sample()
            self._stop.wait(0.25)

    def sample(self) -> None:
        """One sample of every process."""
        for name, server in self.groups.items():
            for pid in server.pids():
                value = rss_mb(pid)
                seen = self.peak.setdefault(name, {})
                seen[pid] = max(seen.get(pid, 0.0), value)

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._thread:
            self._thread.join()
        self.sample()


# A request not answered within this many seconds (or half the run, when that is shorter)
# counts as timed out: an error, which fails the run's target. wrk counts only requests it
# sees time out before it stops; ``settle`` catches the ones still queued then.
TIMEOUT_S = 5


def wrk(
    url: str, auth: str, connections: int, seconds: int, timeout_s: int | None = None
) -> dict[str, Any]:
    """One wrk run: latency percentiles (ms), requests per second, errors."""
    if timeout_s is None:
        timeout_s = max(1, min(TIMEOUT_S, seconds // 2))
    threads = max(1, min(connections, 2))
    env = {**os.environ, "BENCH_AUTH": auth}
    result = subprocess.run(
        [
            "wrk",
            f"-t{threads}",
            f"-c{connections}",
            f"-d{seconds}s",
            f"--timeout={timeout_s}s",
            "-s",
            str(LUA),
            url,
        ],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    line = [ln for ln in result.stdout.splitlines() if ln.startswith("{")][-1]
    raw = json.loads(line)
    duration = raw["duration_us"] / 1e6
    errors = sum(raw[k] for k in ("connect_errors", "read_errors", "write_errors", "timeouts"))
    # wrk reports zeros when nothing completed: no latency then, rather than "0.0 ms".
    done = raw["requests"] > 0

    def ms(key: str) -> float | None:
        return round(raw[key] / 1000, 1) if done else None

    return {
        "connections": connections,
        "requests": raw["requests"],
        "rps": round(raw["requests"] / duration, 1) if duration else 0.0,
        "p50_ms": ms("p50_us"),
        "p95_ms": ms("p95_us"),
        "p99_ms": ms("p99_us"),
        "max_ms": ms("max_us"),
        "kb_per_request": round(raw["bytes"] / raw["requests"] / 1024, 1) if raw["requests"] else 0,
        "status_errors": raw["status_errors"],
        "socket_errors": errors,
        "timeouts": raw["timeouts"],
        "timeout_s": timeout_s,
    }


def settle(run: dict[str, Any], port: int) -> None:
    """After a wrk run: wait until the server has worked off what wrk left queued
    (``drain_s``), and mark the run ``stalled`` when that took the time-out or longer — a
    request still waiting when wrk stopped then waited at least that long, and wrk, having
    stopped, never counted it."""
    run["drain_s"] = drain(port)
    run["stalled"] = run["drain_s"] >= run["timeout_s"]


def clean(run: dict[str, Any]) -> bool:
    """A run that counts: something completed, and no error, time-out included (also one
    wrk could not see: ``stalled``)."""
    return (
        bool(run["requests"])
        and not run["status_errors"]
        and not run["socket_errors"]
        and not run.get("stalled")
    )


def errors_shown(run: dict[str, Any], unit: str = "") -> str:
    """A run's errors for the tables: HTTP and socket errors (time-outs among them), then
    "stalled" when requests were still queued past the time-out as wrk stopped; ``unit``
    names the count ("0 errors") where the column does not."""
    shown = f"{run['status_errors'] + run['socket_errors']}{' ' + unit if unit else ''}"
    return f"{shown}, stalled {run['drain_s']} s" if run.get("stalled") else shown


def shown(value: float | None) -> str:
    """A latency for the tables: "—" when no request completed."""
    return "—" if value is None else str(value)


def fetch(
    url: str, auth: str, method: str = "GET", body: bytes | None = None
) -> tuple[int, Any, Any]:
    """One request from the bench itself: status, headers and decoded JSON (or text)."""
    headers = {"Accept": "application/json"}
    if auth:
        name, value = auth.split(":", 1)
        headers[name] = value.strip()
    if body is not None:
        headers["Content-Type"] = "application/json"
    request = urllib.request.Request(url, data=body, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=120) as answer:
            data = answer.read()
            status, response_headers = answer.status, answer.headers
    except urllib.error.HTTPError as exc:
        data, status, response_headers = exc.read(), exc.code, exc.headers
    text = data.decode(errors="replace")
    try:
        return status, response_headers, json.loads(text)
    except ValueError:
        return status, response_headers, text


@dataclass
class Writer:
    """Committed writes at a steady rate while the load runs: every ``1 / per_second`` s one
    payment of ``amount_vnd`` on a measure, through the API as a user of the scope. Each
    moves the data version, so every process renders its kept parts again on their next
    request, and marks the period's totals for the worker's refresh — what a working
    inspectorate does to the pages it reads."""

    url: str
    auth: str
    per_second: float
    day: str
    amount_vnd: int = 1_000
    ok: int = 0
    failed: list[int] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def __enter__(self) -> Writer:
        """Start writing; the counts are of this run only."""
        self.ok, self.failed = 0, []
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def _run(self) -> None:
        body = json.dumps({"date": self.day, "amount_vnd": self.amount_vnd}).encode()
        while not self._stop.wait(1 / self.per_second):
            status, _, _ = fetch(self.url, self.auth, method="POST", body=body)
            if status == 201:
                self.ok += 1
            else:
                self.failed.append(status)

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._thread:
            self._thread.join()

    def figures(self) -> dict[str, Any]:
        """What was written: per second asked, payments recorded, statuses of the refused."""
        return {"per_second": self.per_second, "ok": self.ok, "failed": self.failed[:20]}
