#!/usr/bin/env bash
# The Python layer of the application: build the wheel from a source tree and install it,
# with its dependencies, into a new virtualenv. The Dockerfile runs this to make the image's
# /opt/venv, and `make wheel-check` runs it to prove that what the image installs serves
# pages (deploy/wheel-check.sh): one script, so the two cannot drift apart.
#
#   deploy/install-wheel.sh VENV [SOURCE_DIR] [PYTHON] [WHEEL_DIR]
#
# WHEEL_DIR, when given, keeps the built wheel there (the check reads what it carries);
# otherwise it is built in a scratch directory and removed.
set -euo pipefail

venv=$1
source_dir=${2:-.}
python=${3:-python3}
if [ -n "${4:-}" ]; then
    wheels=$4
    mkdir -p "$wheels"
else
    wheels=$(mktemp -d)
    trap 'rm -rf "$wheels"' EXIT
fi

export PIP_DISABLE_PIP_VERSION_CHECK=1
"$python" -m venv "$venv"
"$venv/bin/pip" install --quiet --upgrade pip
"$venv/bin/pip" wheel --quiet --no-deps --wheel-dir "$wheels" "$source_dir"
"$venv/bin/pip" install --quiet "$wheels"/inspect_app-*.whl
