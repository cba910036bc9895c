"""A warm WeasyPrint process that renders the reports' PDFs one after another.

WeasyPrint is CPU-bound, single-threaded and keeps memory after rendering, so a PDF is never
drawn in the web or job process itself. Starting a child per PDF cost about 0.6 s (Python,
WeasyPrint's import, fontconfig) of the 1.8 s the demo province's report took; the child
now stays up between PDFs. It reads one request per line on its standard input (a JSON
``[html_path, pdf_path]``) and answers one line on the protocol pipe (``{"ok": true,
"pdf": pdf_path}`` or ``{"error": "..."}``; an answer naming another PDF is refused);
anything the libraries print goes to its standard error. The parent replaces it after
:data:`MAX_RENDERS` PDFs (its memory) and after an error, and kills it when a PDF takes
longer than the time allowed or the caller is cancelled mid-way (its late answer must not be
read as the next one's). One child per process and event loop, one PDF at a time: waiting
for the PDF before counts in the time allowed.

The same HTML gives the same bytes in a warm child as in a fresh one (``SOURCE_DATE_EPOCH``
fixes the fonts' time stamps), which a signed report's files rely on.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import sys
from pathlib import Path
from typing import IO

# PDFs a child renders before it is replaced (WeasyPrint keeps caches between documents).
MAX_RENDERS = 25


class PdfFailed(RuntimeError):
    """WeasyPrint's child process failed; the message carries its error."""


class _ChildGone(PdfFailed):
    """The child was gone before it answered."""


class PdfWorker:
    """The warm child of the current event loop; :func:`render` is the way in."""

    def __init__(self) -> None:
        self.process: asyncio.subprocess.Process | None = None
        self.loop: asyncio.AbstractEventLoop | None = None
        self.lock: asyncio.Lock | None = None
        self.renders = 0
        self.started = 0  # children started, for tests and the log

    def _for_this_loop(self) -> asyncio.Lock:
        loop = asyncio.get_running_loop()
        if self.loop is not loop or self.lock is None:
            # A child of another (closed) event loop cannot be driven from this one.
            self._kill()
            self.loop, self.lock, self.renders = loop, asyncio.Lock(), 0
        return self.lock

    def _kill(self) -> None:
        process, self.process = self.process, None
        if process is None:
            return
        if process.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(process.pid, signal.SIGKILL)
        # Its pipes are closed now, not when the garbage collector finds them (asyncio
        # warns of a transport left open); a child of a closed event loop just goes.
        transport = getattr(process, "_transport", None)
        if transport is not None:
            with contextlib.suppress(RuntimeError):
                transport.close()

    async def _stop(self) -> None:
        """Kill the child and wait until it is gone (its exit reaped, its pipes closed)."""
        process = self.process
        self._kill()
        if process is not None:
            with contextlib.suppress(TimeoutError, ProcessLookupError):
                await asyncio.wait_for(process.wait(), 5)

    async def close(self) -> None:
        """Stop the child of this event loop, if any (a shutdown, the end of a test)."""
        if self.loop is asyncio.get_running_loop():
            await self._stop()
        else:
            self._kill()

    async def _child(self) -> asyncio.subprocess.Process:
        if self.process is not None and self.process.returncode is None:
            return self.process
        self.process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "inspect_app.services.pdf_worker",
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            # fontTools stamps each embedded font subset with the time of rendering unless
            # this is set: a fixed stamp makes the same HTML give the same PDF bytes.
            env=os.environ | {"SOURCE_DATE_EPOCH": "0"},
        )
        self.renders = 0
        self.started += 1
        return self.process

    async def warm(self) -> None:
        """Start the child now (it imports WeasyPrint while the caller does other work);
        nothing to do while a PDF is being drawn: the child is up."""
        lock = self._for_this_loop()
        if lock.locked():
            return
        async with lock:
            await self._child()

    async def render(self, html_path: Path, pdf_path: Path, limit_s: float) -> None:
        """Draw ``html_path`` into ``pdf_path``; PdfFailed with the reason otherwise. A
        child found dead (killed, out of memory) is replaced and asked once more."""
        try:
            await self._render(html_path, pdf_path, limit_s)
        except _ChildGone:
            await self._render(html_path, pdf_path, limit_s)

    async def _render(self, html_path: Path, pdf_path: Path, limit_s: float) -> None:
        lock = self._for_this_loop()
        try:
            # Waiting for another PDF counts in the time allowed, as drawing does.
            await asyncio.wait_for(lock.acquire(), limit_s)
        except TimeoutError:
            raise PdfFailed(f"PDF rendering took longer than {limit_s:.0f} s") from None
        try:
            await self._exchange(html_path, pdf_path, limit_s)
        finally:
            lock.release()

    async def _exchange(self, html_path: Path, pdf_path: Path, limit_s: float) -> None:
        process = await self._child()
        assert process.stdin is not None and process.stdout is not None
        request = json.dumps([str(html_path), str(pdf_path)]) + "\n"
        try:
            process.stdin.write(request.encode())
            await process.stdin.drain()
            line = await asyncio.wait_for(process.stdout.readline(), limit_s)
            answer = json.loads(line) if line else None
        except TimeoutError:
            await self._stop()
            raise PdfFailed(f"PDF rendering took longer than {limit_s:.0f} s") from None
        except (BrokenPipeError, ConnectionResetError):
            answer = None
        except BaseException:
            # Cancelled (a job's time limit, a shutdown) or an answer that cannot be read:
            # the child may still be drawing, and its answer must never be taken for the
            # next request's.
            self._kill()
            raise
        if answer is None:
            await self._stop()
            raise _ChildGone("the PDF process stopped; see the log for its error")
        self.renders += 1
        if "error" in answer or answer.get("pdf") != str(pdf_path):
            await self._stop()
            raise PdfFailed(str(answer.get("error", ""))[-2000:] or "PDF rendering failed")
        if self.renders >= MAX_RENDERS:
            await self._stop()


_WORKER = PdfWorker()


async def render(html_path: Path, pdf_path: Path, limit_s: float) -> None:
    """Draw ``html_path`` into ``pdf_path`` in the warm WeasyPrint child."""
    await _WORKER.render(html_path, pdf_path, limit_s)


async def warm() -> None:
    """Have the child started before the first PDF is asked for."""
    await _WORKER.warm()


async def close() -> None:
    """Stop the warm child of this event loop (at shutdown)."""
    await _WORKER.close()


def _serve(requests: IO[str], answers: IO[str]) -> None:
    from weasyprint import HTML  # imported once: the point of keeping the child

    for line in requests:
        try:
            html_path, pdf_path = json.loads(line)
            HTML(filename=html_path, base_url=str(Path(html_path).parent)).write_pdf(pdf_path)
            answer: dict[str, object] = {"ok": True, "pdf": pdf_path}
        except Exception as exc:  # reported to the parent, which replaces this child
            answer = {"error": f"{type(exc).__name__}: {exc}"}
        answers.write(json.dumps(answer) + "\n")
        answers.flush()


def main() -> None:
    """The child: answers on a copy of standard output, which itself goes to standard
    error, so that nothing a library prints can be taken for an answer."""
    answers = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)
    _serve(sys.stdin, answers)


if __name__ == "__main__":
    main()
