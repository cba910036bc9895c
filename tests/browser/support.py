"""Helpers shared by the browser tests."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import IO, Any

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def start_burst_worker(log: IO[bytes]) -> subprocess.Popen[bytes]:
    """The real background worker (arq, burst mode: it exits once the queue is empty)."""
    return subprocess.Popen(
        [sys.executable, "-m", "inspect_app.cli", "worker", "--burst"],
        cwd=PROJECT_ROOT,
        env=os.environ.copy(),
        stdin=subprocess.DEVNULL,
        stdout=log,
        stderr=subprocess.STDOUT,
    )


async def sign_in(page: Any, username: str, password: str) -> None:
    """Sign in through the login page (cookies cleared first) and land on the dashboard."""
    await page.context.clear_cookies()
    await page.goto("/login")
    await page.fill("#username", username)
    await page.fill("#password", password)
    await page.click("form button[type=submit]")
    await page.wait_for_url(re.compile(r".*/$"))


async def record_event(page: Any, event: str, **fields: str) -> None:
    """Open a lifecycle step's small form on the case page, fill it and submit it."""
    form = page.locator(f"details[data-event={event}]")
    await form.locator("summary").click()
    for name, value in fields.items():
        await form.locator(f"#ev-{event}-{name}").fill(value)
    await form.locator(f"[data-testid=submit-{event}]").click()
    await page.wait_for_url(re.compile(r".*/inspections/\d+#timeline$"))


async def overflow(page: Any) -> int:
    """How many CSS pixels the page is wider than the viewport (0: no sideways scrolling)."""
    return int(
        await page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
    )
