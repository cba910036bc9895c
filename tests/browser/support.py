"""Helpers shared by the browser tests."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import IO

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
