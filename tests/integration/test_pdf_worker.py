"""The warm WeasyPrint child: one process for many PDFs, the same bytes as a fresh one, and
a new child after a failure, a timeout, a crash or its quota of PDFs."""

from __future__ import annotations

import hashlib
import os
import signal
from pathlib import Path

import pytest

from inspect_app.services import pdf_worker
from inspect_app.services.pdf_worker import PdfFailed, PdfWorker

HTML = """<!doctype html><html lang="vi"><head><meta charset="utf-8">
<style>@page { size: A4; margin: 20mm } body { font-family: "Liberation Serif", serif }</style>
</head><body><h1>BÁO CÁO</h1><p>Kết quả công tác thanh tra quý I năm 2026.</p>
<table><tr><td>Tổng số</td><td>12</td></tr></table></body></html>"""


@pytest.fixture
def page(tmp_path: Path) -> Path:
    path = tmp_path / "report.html"
    path.write_text(HTML, encoding="utf-8")
    return path


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


async def test_one_child_draws_many_pdfs_with_the_bytes_of_a_fresh_one(
    page: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    warm = PdfWorker()
    for n in range(3):
        await warm.render(page, tmp_path / f"warm{n}.pdf", 60)
    assert warm.started == 1 and warm.renders == 3
    # A child for each PDF (the quota at one) draws the very same bytes.
    monkeypatch.setattr(pdf_worker, "MAX_RENDERS", 1)
    fresh = PdfWorker()
    for n in range(2):
        await fresh.render(page, tmp_path / f"fresh{n}.pdf", 60)
    assert fresh.started == 2
    digests = {_digest(tmp_path / f"{kind}{n}.pdf") for kind, n in [("warm", 0), ("warm", 2)]}
    digests |= {_digest(tmp_path / f"fresh{n}.pdf") for n in (0, 1)}
    assert len(digests) == 1
    assert (tmp_path / "warm0.pdf").read_bytes().startswith(b"%PDF-")
    await warm.close()
    await fresh.close()


async def test_a_failure_a_timeout_and_a_crash_each_get_a_new_child(
    page: Path, tmp_path: Path
) -> None:
    worker = PdfWorker()
    with pytest.raises(PdfFailed) as missing:
        await worker.render(tmp_path / "missing.html", tmp_path / "x.pdf", 60)
    assert "missing.html" in str(missing.value)
    await worker.render(page, tmp_path / "after-error.pdf", 60)
    assert worker.started == 2  # the failed child was replaced
    with pytest.raises(PdfFailed) as slow:
        await worker.render(page, tmp_path / "slow.pdf", 0.000_1)
    assert "longer than" in str(slow.value)
    await worker.render(page, tmp_path / "after-timeout.pdf", 60)
    assert worker.started == 3
    # Killed from outside between two PDFs (out of memory, an operator): asked once more.
    assert worker.process is not None
    os.kill(worker.process.pid, signal.SIGKILL)
    await worker.render(page, tmp_path / "after-crash.pdf", 60)
    assert worker.started == 4 and (tmp_path / "after-crash.pdf").stat().st_size > 0
    await worker.close()


async def test_a_cancelled_render_never_hands_its_answer_to_the_next(
    page: Path, tmp_path: Path
) -> None:
    import asyncio

    worker = PdfWorker()
    task = asyncio.create_task(worker.render(page, tmp_path / "cancelled.pdf", 60))
    await asyncio.sleep(0.3)  # the child is started and drawing
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert worker.process is None  # killed: its answer will never be read
    await worker.render(page, tmp_path / "next.pdf", 60)
    assert (tmp_path / "next.pdf").read_bytes().startswith(b"%PDF-")
    assert worker.started == 2
    await worker.close()
