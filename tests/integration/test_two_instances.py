"""Two machines' worth: two web processes and two workers on one PostgreSQL and one Redis.

Each process is the production one (``uvicorn inspect_app.asgi:create_app`` and
``inspect-app worker``, cron schedule included) on its own port, sharing the database, the
Redis database and the folder of report files, as separate hosts would. The web app keeps
nothing of its own: a session made on one is valid on the other and ends on both; a job
asked for twice runs once; totals refreshed by two racing workers end equal to a live
recomputation; a report is generated once and served alike by both.
"""

from __future__ import annotations

import asyncio
import json
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from arq import create_pool
from arq.connections import RedisSettings

from inspect_app.security import hash_password
from jobs.totals import check_totals, dirty_periods
from models.tables import AppUser, Execution, Measure, Report
from tests.factories import concluded_case, make_measure, make_subject, make_tree, make_user
from tests.integration.jobs_support import project_env

pytestmark = pytest.mark.slow

PROJECT_ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "two-hosts-password-1"
READY_S = 60


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Process:
    name: str
    popen: subprocess.Popen[bytes]
    log: Path

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")


@dataclass
class Fleet:
    web: list[str]
    workers: list[Process]
    processes: list[Process]

    def logs(self) -> str:
        return "\n".join(f"--- {p.name}\n{p.output()[-3000:]}" for p in self.processes)


def _start(name: str, command: list[str], env: dict[str, str], folder: Path) -> Process:
    log = folder / f"{name}.log"
    with log.open("wb") as out:
        popen = subprocess.Popen(
            command, cwd=PROJECT_ROOT, env=env, stdin=subprocess.DEVNULL, stdout=out, stderr=out
        )
    return Process(name, popen, log)


def _wait_until_up(base_url: str, process: Process) -> None:
    deadline = time.monotonic() + READY_S
    while time.monotonic() < deadline:
        if process.popen.poll() is not None:
            raise AssertionError(f"{process.name} exited:\n{process.output()[-3000:]}")
        try:
            if httpx.get(base_url + "/login", timeout=2).status_code < 500:
                return
        except httpx.TransportError:
            time.sleep(0.2)
    raise AssertionError(f"{process.name} did not answer in {READY_S}s")


def _wait_until_working(worker: Process) -> None:
    deadline = time.monotonic() + READY_S
    while "Starting worker for" not in worker.output():
        if worker.popen.poll() is not None or time.monotonic() > deadline:
            raise AssertionError(f"{worker.name} did not start:\n{worker.output()[-3000:]}")
        time.sleep(0.2)


def _stop(process: Process) -> None:
    if process.popen.poll() is None:
        process.popen.terminate()
        try:
            process.popen.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.popen.kill()
            process.popen.wait()


@pytest.fixture
def fleet(db: str, redis_url: str, tmp_path: Path) -> Iterator[Fleet]:
    """Two web processes and two workers; report files in one shared folder."""
    shared = tmp_path / "shared"
    env = project_env() | {
        "REPORT_DIR": str(shared / "reports"),
        "UPLOAD_DIR": str(shared / "uploads"),
        "REDIS_URL": redis_url,
        # As in production: pages and principals kept per process under the shared version.
        "PAGE_CACHE_SECONDS": "60",
        "PRINCIPAL_CACHE_SECONDS": "10",
    }
    processes: list[Process] = []
    try:
        web: list[str] = []
        for name in ("web-a", "web-b"):
            port = _free_port()
            base_url = f"http://127.0.0.1:{port}"
            command = [sys.executable, "-m", "uvicorn", "--factory", "inspect_app.asgi:create_app"]
            command += ["--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"]
            processes.append(_start(name, command, env | {"BASE_URL": base_url}, tmp_path))
            web.append(base_url)
        workers = [
            _start(name, [sys.executable, "-m", "inspect_app.cli", "worker"], env, tmp_path)
            for name in ("worker-1", "worker-2")
        ]
        processes += workers
        for base_url, process in zip(web, processes[:2], strict=True):
            _wait_until_up(base_url, process)
        for worker in workers:
            _wait_until_working(worker)
        yield Fleet(web=web, workers=workers, processes=processes)
    finally:
        for process in processes:
            _stop(process)


@pytest.fixture
async def world(db: str) -> dict[str, Any]:
    tree = await make_tree()
    head = await make_user(tree["P"], "head", "Trần Thị Chánh")
    lead = await make_user(tree["A"], "lead", "Nguyễn Văn Đoàn")
    await AppUser.update({AppUser.password_hash: hash_password(PASSWORD)}).where(
        AppUser.id == head.principal.id
    )
    subject = await make_subject()
    case = await concluded_case(lead, [subject])
    measure = await make_measure(lead, case, amount_vnd=100_000_000)
    return {"tree": tree, "head": head, "lead": lead, "measure": measure}


async def _until(condition: Any, timeout_s: float, fleet: Fleet, what: str) -> None:
    deadline = time.monotonic() + timeout_s
    while not await condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} not reached in {timeout_s:.0f}s\n{fleet.logs()}")
        await asyncio.sleep(0.25)


async def test_a_session_made_on_one_host_is_valid_on_the_other_and_ends_on_both(
    fleet: Fleet, world: dict[str, Any]
) -> None:
    host_a, host_b = fleet.web
    username = world["head"].principal.username
    async with httpx.AsyncClient(base_url=host_a, timeout=10) as on_a:
        login = await on_a.post(
            "/api/auth/login", json={"username": username, "password": PASSWORD}
        )
        assert login.status_code == 200, login.text
        cookies = dict(on_a.cookies)

    async with httpx.AsyncClient(base_url=host_b, cookies=cookies, timeout=10) as on_b:
        me = await on_b.get("/api/me")
        assert me.status_code == 200, me.text
        assert me.json()["username"] == username
        # The request's log line is written once by the real server (not a second time by
        # a root handler the framework would set up).
        await asyncio.sleep(0.3)
        request_id = me.headers["x-request-id"]
        lines = [ln for ln in fleet.processes[1].output().splitlines() if request_id in ln]
        assert len(lines) == 1, lines
        assert json.loads(lines[0])["route"] == "/api/me"
        page = await on_b.get("/follow-ups")
        assert page.status_code == 200 and "Trần Thị Chánh" in page.text
        csrf = on_b.cookies.get("csrftoken") or ""
        assert (await on_b.post("/api/auth/logout", headers={"x-csrftoken": csrf})).status_code in (
            204,
            200,
        )

    async with httpx.AsyncClient(base_url=host_a, cookies=cookies, timeout=10) as back_on_a:
        assert (await back_on_a.get("/api/me")).status_code == 401


async def test_payments_on_both_hosts_leave_totals_equal_to_the_records_after_racing_workers(
    fleet: Fleet, world: dict[str, Any]
) -> None:
    lead, measure = world["lead"], world["measure"]
    clients = [
        httpx.AsyncClient(base_url=url, headers=lead.headers, timeout=30) for url in fleet.web
    ]
    try:
        responses = await asyncio.gather(
            *[
                clients[n % 2].post(
                    f"/api/measures/{measure['id']}/executions",
                    json={
                        "date": f"2026-0{4 + n % 3}-{10 + n % 15:02d}",
                        "amount_vnd": 2_000_000,
                        "document_no": f"GNT-{n}",
                    },
                )
                for n in range(40)
            ]
        )
        assert [r.status_code for r in responses] == [201] * 40, [
            r.text for r in responses if r.status_code != 201
        ]
        views = [(await c.get(f"/api/measures/{measure['id']}")).json() for c in clients]
    finally:
        for c in clients:
            await c.aclose()
    assert views[0]["done_vnd"] == views[1]["done_vnd"] == 80_000_000

    async def drained() -> bool:
        return not await dirty_periods()

    # Each write marked its periods and queued the one refresh job; the two workers race
    # for it (and the per-minute catch-up scan). No marker may be left, and no period
    # refreshed before a later write may keep its old figures.
    await _until(drained, 90, fleet, "every totals marker refreshed")
    assert await check_totals() == []
    assert await Execution.count() == 40
    stored = await Measure.select(Measure.done_vnd).where(Measure.id == measure["id"]).first()
    assert stored == {"done_vnd": 80_000_000}


async def test_a_report_asked_for_twice_on_two_hosts_is_generated_once_and_served_by_both(
    fleet: Fleet, world: dict[str, Any], redis_url: str
) -> None:
    head = world["head"]
    host_a, host_b = fleet.web
    async with httpx.AsyncClient(base_url=host_a, headers=head.headers, timeout=30) as on_a:
        queued = await on_a.post(
            "/api/reports", json={"agency_id": world["tree"]["P"]["id"], "period": "2026-Q2"}
        )
    assert queued.status_code == 202, queued.text
    report_id = queued.json()["id"]
    # The same job asked for again, as a second host or a retry would: the job id is the
    # report's, so arq keeps one in the queue.
    pool = await create_pool(RedisSettings.from_dsn(redis_url))
    try:
        again = await asyncio.gather(
            *[
                pool.enqueue_job("generate_report_job", report_id, _job_id=f"report:{report_id}")
                for _ in range(5)
            ]
        )
    finally:
        await pool.aclose()
    assert sum(job is not None for job in again) <= 1

    async def done() -> bool:
        row = await Report.select(Report.status).where(Report.id == report_id).first()
        return row is not None and row["status"] in ("done", "failed")

    await _until(done, 120, fleet, "the report done")
    row = await Report.select(Report.status, Report.error).where(Report.id == report_id).first()
    assert row is not None and row["status"] == "done" and not row["error"], row

    ref = re.escape(f"report:{report_id}:generate_report_job")
    finished = [
        line
        for worker in fleet.workers
        for line in worker.output().splitlines()
        if re.search(ref + r" ● ", line)
    ]
    assert sum("'done'" in line for line in finished) == 1, "\n".join(finished)

    bodies = []
    for url in (host_a, host_b):
        async with httpx.AsyncClient(base_url=url, headers=head.headers, timeout=30) as c:
            response = await c.get(f"/api/reports/{report_id}/file.xlsx")
            assert response.status_code == 200, response.text
            bodies.append(response.content)
    assert bodies[0] == bodies[1] and bodies[0][:2] == b"PK"


LEFT = re.compile(r'data-testid="follow-up-left">.*?<strong class="nowrap">([^<]*)</strong>', re.S)


async def test_what_each_host_keeps_follows_a_write_made_on_the_other(
    fleet: Fleet, world: dict[str, Any]
) -> None:
    """Each web process keeps the board it rendered and who is asking (page_cache,
    services/identity.py); a payment recorded on A shows on B's board, and a token revoked
    on A is refused by B, on the very next request."""
    host_a, host_b = fleet.web
    lead, measure = world["lead"], world["measure"]
    username = world["head"].principal.username
    async with (
        httpx.AsyncClient(base_url=host_a, timeout=30) as on_a,
        httpx.AsyncClient(base_url=host_b, timeout=30) as on_b,
    ):
        login = await on_b.post(
            "/api/auth/login", json={"username": username, "password": PASSWORD}
        )
        assert login.status_code == 200, login.text
        for _ in range(2):  # rendered, then kept
            board = await on_b.get("/follow-ups")
            assert LEFT.findall(board.text) == ["100.000.000 ₫"], fleet.logs()
        paid = await on_a.post(
            f"/api/measures/{measure['id']}/executions",
            json={"date": "2026-04-02", "amount_vnd": 30_000_000},
            headers=lead.headers,
        )
        assert paid.status_code == 201, paid.text
        board = await on_b.get("/follow-ups")
        assert LEFT.findall(board.text) == ["70.000.000 ₫"]

        # A second token of the lead, used on B (kept there), revoked on A.
        created = await on_a.post("/api/tokens", json={"name": "script"}, headers=lead.headers)
        assert created.status_code == 201, created.text
        script = {"Authorization": f"Bearer {created.json()['token']}"}
        for _ in range(2):
            assert (await on_b.get("/api/me", headers=script)).status_code == 200
        revoked = await on_a.delete(f"/api/tokens/{created.json()['id']}", headers=lead.headers)
        assert revoked.status_code == 204
        assert (await on_b.get("/api/me", headers=script)).status_code == 401
