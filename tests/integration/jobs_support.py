"""Helpers for the background-job tests: a small world with deadlines, and a burst worker.

Agencies:  P "Thanh tra tỉnh" /P/ (head ``chanh``), D "Phòng Nghiệp vụ 1" /P/D/ (no head:
escalations climb to P), R "Sở Tài chính" /P/R/ (lead ``tc_lead``, responsible for a measure).
Users of D: ``truong_doan`` (lead, leads the cases), ``tv_an`` (inspector, team member).
Case I1 (D) awaits its conclusion, due ``DUE``; case I2 (D) is concluded, published and
directed, and its measure M1 (responsible: R) is due ``DUE`` too.
"""

from __future__ import annotations

import os
import warnings
from dataclasses import dataclass
from datetime import date
from typing import Any

from arq import create_pool
from arq.connections import RedisSettings
from arq.worker import Worker

from inspect_app.services.catalogues import ensure_catalogues
from jobs.worker import build_worker
from models.tables import (
    Agency,
    AppUser,
    DeadlineLadder,
    Inspection,
    InspectionMember,
    Measure,
    Notification,
)

DUE = date(2026, 3, 20)


@dataclass
class JobsWorld:
    """Ids of the records of the jobs world."""

    province: int
    division: int
    finance: int
    head: int
    lead: int
    member: int
    finance_lead: int
    awaiting_conclusion: int
    concluded: int
    measure: int


async def make_agency(code: str, name: str, parent: int | None) -> int:
    """An agency with its materialised path."""
    parent_path = "/"
    if parent is not None:
        row = await Agency.select(Agency.path).where(Agency.id == parent).first()
        parent_path = row["path"]
    agency = Agency(code=code, name=name, parent=parent, path="/", depth=parent_path.count("/") - 1)
    await agency.save()
    await Agency.update({Agency.path: f"{parent_path}{agency.id}/"}).where(Agency.id == agency.id)
    return int(agency.id)


async def make_user(
    username: str, role: str, agency: int, email: str | None = None, language: str = "vi"
) -> int:
    """An active user."""
    user = AppUser(
        username=username,
        full_name=username,
        role=role,
        agency=agency,
        email=email,
        language=language,
    )
    await user.save()
    return int(user.id)


async def build_jobs_world(emails: bool = False) -> JobsWorld:
    """The world described in the module docstring."""
    await ensure_catalogues()
    # Its due day (20/03/2026) is also the day units' Q1 reports are due to the province:
    # the units' report reminders (test_submissions.py) are switched off here, so that the
    # notices counted are the cases' alone.
    await DeadlineLadder.update({DeadlineLadder.active: False}).where(
        DeadlineLadder.deadline_type == "report"
    )
    province = await make_agency("TTT", "Thanh tra tỉnh", None)
    division = await make_agency("NV1", "Phòng Nghiệp vụ 1", province)
    finance = await make_agency("STC", "Sở Tài chính", province)
    head = await make_user("chanh", "head", province, "chanh@example.test" if emails else None)
    lead = await make_user("truong_doan", "lead", division, "doan@example.test" if emails else None)
    member = await make_user("tv_an", "inspector", division, None, language="en")
    finance_lead = await make_user("tc_lead", "lead", finance)
    awaiting = Inspection(
        code="TT-01/2026",
        agency=division,
        title="Thanh tra việc quản lý đất đai",
        status="reported",
        lead_user=lead,
        announced_on=date(2026, 1, 5),
        onsite_ended_on=date(2026, 2, 20),
        onsite_due=date(2026, 2, 25),
        conclusion_due=DUE,
    )
    await awaiting.save()
    await InspectionMember(inspection=awaiting.id, user=member).save()
    await InspectionMember(inspection=awaiting.id, user=lead, role="lead").save()
    concluded = Inspection(
        code="TT-02/2026",
        agency=division,
        title="Thanh tra thu chi ngân sách",
        status="concluded",
        lead_user=lead,
        announced_on=date(2025, 10, 1),
        onsite_ended_on=date(2025, 11, 10),
        concluded_on=date(2026, 1, 10),
        published_on=date(2026, 1, 15),
        directive_on=date(2026, 1, 20),
        conclusion_due=date(2026, 1, 15),
        publication_due=date(2026, 1, 20),
        directive_due=date(2026, 1, 25),
    )
    await concluded.save()
    measure = Measure(
        inspection=concluded.id,
        type="recover_money",
        description="Thu hồi 120.000.000 đ về ngân sách",
        amount_vnd=120_000_000,
        responsible="Sở Tài chính",
        responsible_agency=finance,
        due_on=DUE,
        status="open",
    )
    await measure.save()
    return JobsWorld(
        province=province,
        division=division,
        finance=finance,
        head=head,
        lead=lead,
        member=member,
        finance_lead=finance_lead,
        awaiting_conclusion=int(awaiting.id),
        concluded=int(concluded.id),
        measure=int(measure.id),
    )


def burst_worker(redis_url: str, **overrides: Any) -> Worker:
    """The real WorkerSettings in burst mode, without its cron schedule (tests pick the day)."""
    settings = {
        "burst": True,
        "poll_delay": 0,
        "handle_signals": False,
        "cron_jobs": [],
        "redis_settings": RedisSettings.from_dsn(redis_url),
        **overrides,
    }
    return build_worker(**settings)


async def close_worker(worker: Worker) -> None:
    """Worker.close(), which calls redis-py's deprecated close(): arq 0.28 on redis 5."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "Call to deprecated close", DeprecationWarning)
        await worker.close()


async def run_jobs(redis_url: str, *jobs: tuple[str, tuple[Any, ...], str | None]) -> Worker:
    """Queue ``(function, args, job id)`` jobs, then run a burst worker until the queue is empty."""
    pool = await create_pool(RedisSettings.from_dsn(redis_url))
    try:
        for function, args, job_id in jobs:
            await pool.enqueue_job(function, *args, _job_id=job_id)
    finally:
        await pool.aclose()
    worker = burst_worker(redis_url)
    try:
        await worker.main()
    finally:
        await close_worker(worker)
    assert worker.jobs_failed == 0, f"{worker.jobs_failed} jobs failed"
    return worker


async def notice_keys() -> set[tuple[int, str, int, str, str]]:
    """(user, entity type, entity id, deadline type, rung) of every notification."""
    rows = await Notification.select(
        Notification.user,
        Notification.entity_type,
        Notification.entity_id,
        Notification.deadline_type,
        Notification.rung,
    )
    return {
        (r["user"], r["entity_type"], r["entity_id"], r["deadline_type"], r["rung"]) for r in rows
    }


def project_env() -> dict[str, str]:
    """The environment of the test process, for worker subprocesses."""
    return dict(os.environ)


async def bearer(user_id: int) -> dict[str, str]:
    """Authorization headers with a fresh API token of ``user_id``."""
    from inspect_app.security import new_api_token
    from models.tables import ApiToken

    token, digest, prefix = new_api_token()
    await ApiToken(user=user_id, name="test", token_hash=digest, prefix=prefix).save()
    return {"Authorization": f"Bearer {token}"}


PASSWORD = "jobs-password-1"


async def sign_in(client: Any, user_id: int) -> str:
    """Sign ``client`` in as ``user_id`` (session cookie); the CSRF token for forms."""
    from inspect_app.security import hash_password

    await AppUser.update({AppUser.password_hash: hash_password(PASSWORD)}).where(
        AppUser.id == user_id
    )
    row = await AppUser.select(AppUser.username).where(AppUser.id == user_id).first()
    response = await client.post(
        "/api/auth/login", json={"username": row["username"], "password": PASSWORD}
    )
    assert response.status_code == 200, response.text
    await client.get("/notifications")
    return str(client.cookies.get("csrftoken"))
