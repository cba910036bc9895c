"""Check a running installation: the sign-in page in Vietnamese and a static file.

Usage: ``python deploy/smoke_check.py BASE_URL``. Standard library only, so that it runs
with any Python (it is run by deploy/wheel-check.sh against the installed wheel). Exits 1
with the reason when a check fails.
"""

from __future__ import annotations

import re
import sys
import time
import urllib.error
import urllib.request

TIMEOUT_S = 90


def fetch(url: str) -> tuple[int, str, bytes]:
    """(status, content type, body) of a GET."""
    request = urllib.request.Request(url, headers={"Accept-Language": "vi"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.headers.get("content-type", ""), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers.get("content-type", ""), exc.read()


def wait_until_up(base_url: str) -> None:
    deadline = time.monotonic() + TIMEOUT_S
    while True:
        try:
            fetch(base_url + "/health")
            return
        except (urllib.error.URLError, ConnectionError, TimeoutError) as exc:
            if time.monotonic() > deadline:
                raise SystemExit(
                    f"FAIL: nothing answers on {base_url} after {TIMEOUT_S} s"
                ) from exc
            time.sleep(0.5)


def main(base_url: str) -> None:
    wait_until_up(base_url)
    status, content_type, body = fetch(base_url + "/login")
    page = body.decode("utf-8", "replace")
    if status != 200 or "text/html" not in content_type:
        raise SystemExit(f"FAIL: /login answered {status} {content_type}")
    for expected in ('lang="vi"', "Đăng nhập", "Tên đăng nhập", "Mật khẩu"):
        if expected not in page:
            raise SystemExit(f"FAIL: /login is not in Vietnamese ({expected!r} missing)")
    stylesheets = re.findall(r'href="(/static/[^"]+\.css)"', page)
    scripts = re.findall(r'src="(/static/[^"]+\.js)"', page)
    if not stylesheets:
        raise SystemExit("FAIL: /login links no stylesheet under /static/")
    for path in stylesheets + scripts:
        status, content_type, body = fetch(base_url + path)
        if status != 200 or not body:
            raise SystemExit(f"FAIL: {path} answered {status}")
        print(f"ok: {path} ({content_type}, {len(body)} bytes)")
    print("ok: /login in Vietnamese")


if __name__ == "__main__":
    main(sys.argv[1].rstrip("/"))
