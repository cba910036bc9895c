#!/usr/bin/env bash
# CI check that the built wheel is a complete, working application (`make wheel-check`).
#
# Copies the files the Docker image is built from (SOURCES, the same list as the builder
# stage's COPY lines of the Dockerfile; tests/unit/test_deploy_files.py keeps them equal)
# into a scratch directory, builds and installs the wheel there with deploy/install-wheel.sh
# (as the Dockerfile does), checks that the wheel carries every compiled message catalogue
# of the checkout (`python -m tools.messages wheel`, run by CHECK_PYTHON: a Python with the
# project's tools installed, the checkout's .venv by default), then, from outside the
# checkout: applies the migrations to a scratch SQLite database, serves the app, and checks
# that the sign-in page comes back in Vietnamese and that a static file is served
# (deploy/smoke_check.py).
set -euo pipefail

SOURCES="pyproject.toml setup.py MANIFEST.in README.md inspect_app models jobs templates deploy/install-wheel.sh"

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
python=${PYTHON:-python3}
check_python=${CHECK_PYTHON:-$root/.venv/bin/python}
scratch=$(mktemp -d)
server_pid=""
cleanup() {
    if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
        kill "$server_pid" 2>/dev/null || true
        wait "$server_pid" 2>/dev/null || true
    fi
    rm -rf "$scratch"
}
trap cleanup EXIT

mkdir -p "$scratch/src"
for item in $SOURCES; do
    mkdir -p "$scratch/src/$(dirname "$item")"
    cp -R "$root/$item" "$scratch/src/$item"
done
find "$scratch/src" -name __pycache__ -prune -exec rm -rf {} +

started=$SECONDS
bash "$scratch/src/deploy/install-wheel.sh" "$scratch/venv" "$scratch/src" "$python" "$scratch/dist"
echo "wheel built and installed in $((SECONDS - started)) s"
rm -rf "$scratch/src"  # nothing of the sources is left to read from

# Every .mo of the checkout is in the wheel (pyproject.toml's package data).
(cd "$root" && "$check_python" -m tools.messages wheel "$scratch"/dist/inspect_app-*.whl)

cd "$scratch"
unset REDIS_URL PICCOLO_CONF PYTHONPATH
export APP_ENV=production \
    SECRET_KEY=wheel-check-secret-0123456789abcdefghijklmnopqrstuvwxyz \
    DATABASE_URL="sqlite:///$scratch/var/check.sqlite3" \
    VAR_DIR="$scratch/var"

# The application is the installed package, not a checkout.
"$scratch/venv/bin/python" - "$scratch/venv" <<'PY'
import sys
from pathlib import Path

import inspect_app
from inspect_app.paths import template_dir

venv = Path(sys.argv[1]).resolve()
for path in (Path(inspect_app.__file__), template_dir()):
    if venv not in path.resolve().parents:
        raise SystemExit(f"FAIL: {path} is not inside the virtualenv {venv}")
print(f"installed package: {Path(inspect_app.__file__).parent}")
PY

"$scratch/venv/bin/inspect-app" migrate
port=$("$scratch/venv/bin/python" -c \
    'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$scratch/venv/bin/inspect-app" serve --host 127.0.0.1 --port "$port" >"$scratch/serve.log" 2>&1 &
server_pid=$!
if ! "$scratch/venv/bin/python" "$root/deploy/smoke_check.py" "http://127.0.0.1:$port"; then
    echo "--- serve log"; cat "$scratch/serve.log"
    exit 1
fi
echo "OK: the installed wheel serves the sign-in page in Vietnamese and its static files"
