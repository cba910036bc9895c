# Build, test and CI entry points. `make help` lists the targets.
#
# Every install step lives here or in pyproject.toml: a fresh Debian/Ubuntu machine with
# Python >= 3.11 needs nothing else (`make test` even brings its own PostgreSQL and Redis
# when none is running; see docs/operations.md).

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip
# The first of these that is Python >= 3.11.
PYTHON ?= $(shell for p in python3.11 python3.12 python3.13 python3; do \
	command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
	2>/dev/null && { command -v $$p; break; }; done)
# Debian packages the tests use: the browser, pdftotext, the fonts and WeasyPrint's pango.
# Reports print in Liberation Serif (metric-compatible with Times New Roman, which Decree
# 30/2020/NĐ-CP asks for), DejaVu as the fallback.
SYSTEM_PACKAGES := chromium poppler-utils fonts-liberation2 fonts-dejavu-core libpango-1.0-0 \
	libpangoft2-1.0-0
MIGRATIONS_DIR := models/piccolo_migrations

export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: help install venv demo test system-packages lint messages messages-check wheel-check \
	migrations-check fuzz bench bench-import bench-follow-up bench-portal mutate mutate-domain mutate-sql mutate-ci

help: ## list the targets
	@echo "Targets:"
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sort \
		| awk 'BEGIN {FS = ":.*## "} {printf "  make %-18s %s\n", $$1, $$2}'

venv: $(PY)

$(PY):
	@if [ -z "$(PYTHON)" ]; then echo "Python >= 3.11 is required (python3.11 or python3)" >&2; exit 1; fi
	@echo "Creating $(VENV) with $(PYTHON)"
	@if ! "$(PYTHON)" -m venv "$(VENV)"; then \
		rm -rf "$(VENV)"; \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
			echo "venv support is missing: installing python3-venv"; \
			DEBIAN_FRONTEND=noninteractive apt-get update -q; \
			DEBIAN_FRONTEND=noninteractive apt-get install -y -q python3-venv; \
			"$(PYTHON)" -m venv "$(VENV)"; \
		else \
			echo "'$(PYTHON) -m venv' failed: install your distribution's python3-venv" >&2; \
			exit 1; \
		fi; \
	fi
	$(PIP) install -q --upgrade pip

# Reinstalled whenever pyproject.toml changes; `make install` forces it.
$(VENV)/.installed-test: pyproject.toml | $(PY)
	$(PIP) install -q -e '.[test]'
	@touch $@

# mutmut, for `make mutate`: not needed by the suite itself.
$(VENV)/.installed-mutation: pyproject.toml | $(PY)
	$(PIP) install -q -e '.[test,mutation]'
	@touch $(VENV)/.installed-test $@

install: $(PY) ## create .venv (python3.11 or python3 >= 3.11) and install the app with test tools
	$(PIP) install -q -e '.[test]'
	@touch $(VENV)/.installed-test

demo: $(PY) ## install the runtime dependencies and serve the app with demo data
	$(PIP) install -q -e .
	$(VENV)/bin/inspect-app serve --demo

system-packages: ## install the Debian packages the tests need (when missing and root)
	@missing=""; \
	[ -x /usr/bin/chromium ] || missing="$$missing chromium"; \
	command -v pdftotext >/dev/null || missing="$$missing poppler-utils"; \
	[ -e /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || missing="$$missing fonts-dejavu-core"; \
	[ -e /usr/share/fonts/truetype/liberation2/LiberationSerif-Regular.ttf ] \
		|| missing="$$missing fonts-liberation2"; \
	{ /sbin/ldconfig -p 2>/dev/null || true; } | grep -q 'libpangoft2-1.0' \
		|| missing="$$missing libpango-1.0-0 libpangoft2-1.0-0"; \
	if [ -z "$$missing" ]; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "Installing system packages:$$missing"; \
		export DEBIAN_FRONTEND=noninteractive; \
		apt-get update -q; \
		apt-get install -y -q --no-install-recommends $$missing; \
	else \
		echo "Missing system packages:$$missing (need root and apt-get to install them)" >&2; \
	fi

test: $(VENV)/.installed-test system-packages ## run the suite on PostgreSQL, then the storage tests on SQLite
	$(PY) -m tests.run $(PYTEST_ARGS)

lint: $(VENV)/.installed-test ## ruff check, ruff format --check, mypy, the typed service boundary, the message catalogues
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy inspect_app models jobs tools bench
	$(PY) -m tools.typed_boundary --check
	@$(MAKE) --no-print-directory messages-check

# Message ids are extracted by `pybabel extract` (babel.cfg; its Python extractor lives in
# tools/, hence PYTHONPATH) into a scratch template; tools/messages.py compares the
# catalogues of inspect_app/locale/ with it. See docs/i18n.md.
EXTRACT_MESSAGES = PYTHONPATH=. $(VENV)/bin/pybabel --quiet extract -F babel.cfg \
	--sort-by-file -o "$$scratch/messages.pot" .

messages-check: $(VENV)/.installed-test ## fail if a message id is missing, untranslated or unused in the catalogues, or a .mo is stale
	@scratch=$$(mktemp -d); trap 'rm -rf "$$scratch"' EXIT; \
	$(EXTRACT_MESSAGES); \
	$(PY) -m tools.messages check "$$scratch/messages.pot"

messages: $(VENV)/.installed-test ## add new message ids to the catalogues, drop unused ones, compile the .mo files (DOMAIN=name to choose the domain)
	@scratch=$$(mktemp -d); trap 'rm -rf "$$scratch"' EXIT; \
	$(EXTRACT_MESSAGES); \
	$(PY) -m tools.messages update "$$scratch/messages.pot" $(if $(DOMAIN),--domain "$(DOMAIN)")

# Fails when `piccolo migrations new models --auto` would write a file, i.e. when
# models/tables.py changed without a migration. Runs on a scratch SQLite database.
migrations-check: $(VENV)/.installed-test ## fail if models/tables.py needs a migration not yet committed
	@scratch=$$(mktemp -d); trap 'rm -rf "$$scratch"' EXIT; \
	export DATABASE_URL="sqlite:///$$scratch/check.sqlite3" VAR_DIR="$$scratch" \
		SECRET_KEY=migrations-check APP_ENV=development; \
	ls -1 $(MIGRATIONS_DIR)/*.py | sort > "$$scratch/before"; \
	$(VENV)/bin/piccolo migrations forwards models < /dev/null; \
	$(VENV)/bin/piccolo migrations new models --auto --auto_input=n < /dev/null; \
	ls -1 $(MIGRATIONS_DIR)/*.py | sort > "$$scratch/after"; \
	created=$$(comm -13 "$$scratch/before" "$$scratch/after"); \
	if [ -n "$$created" ]; then \
		echo; echo "A migration is pending. Piccolo would generate:"; \
		for file in $$created; do echo "--- $$file"; cat "$$file"; rm -f "$$file"; done; \
		echo; echo "FAIL: run '$(VENV)/bin/piccolo migrations new models --auto'," \
			"review the file and commit it." >&2; \
		exit 1; \
	fi; \
	echo "OK: no migration pending"

# The wheel is what production runs: build it from the files the Docker image copies and
# install it exactly as the Dockerfile does (deploy/install-wheel.sh), fail if it lacks a
# compiled message catalogue (tools/messages.py, run by the checkout's venv), then, outside
# the checkout, migrate a scratch SQLite database, serve it and check a page. Its own CI step
# (.ci/run), not part of `make lint`.
wheel-check: $(VENV)/.installed-test ## build and install the wheel as the Docker image does; fail if it lacks a .mo; serve it, check /login in Vietnamese
	@if [ -z "$(PYTHON)" ]; then echo "Python >= 3.11 is required (python3.11 or python3)" >&2; exit 1; fi
	PYTHON="$(PYTHON)" CHECK_PYTHON="$(abspath $(PY))" bash deploy/wheel-check.sh

fuzz: $(VENV)/.installed-test ## Schemathesis over the whole API, every check, 50 examples per operation, as admin and head
	FUZZ_EXAMPLES=$${FUZZ_EXAMPLES:-50} FUZZ_SEED=$${FUZZ_SEED:-$$RANDOM} $(PY) -m tests.run \
		tests/integration/test_fuzz_api.py -p no:randomly -s

bench: $(VENV)/.installed-test ## run the benchmarks (bench/run.py)
	$(PY) -m bench.run

bench-import: $(VENV)/.installed-test ## the import of a 110,000-row workbook on PostgreSQL (bench/imports.py)
	$(PY) -m bench.imports

bench-follow-up: $(VENV)/.installed-test ## the dashboard and the follow-up board on the national data set (bench/follow_up.py)
	$(PY) -m bench.follow_up

bench-portal: $(VENV)/.installed-test ## the public portal of conclusions on the national data set (bench/portal.py)
	$(PY) -m bench.portal

# Mutation testing (docs/testing.md): small faults put into the code one at a time; the
# tests must fail on at least 95 % of them, and every mutant that survives is listed with
# its reason in tests/mutation/accepted.py. The domain's by mutmut (in a copy, mutants/),
# the report counters' SQL by tests/mutation/sql_counters.py on PostgreSQL.
MUTATE_CI_DOMAIN := "inspect_app.domain.clock.*" "inspect_app.domain.periods.*"
MUTATE_CI_SQL_SAMPLE := 60

mutate: mutate-domain mutate-sql ## mutation testing of domain/ and the report counters (slow)

# mutmut runs `mypy` (type_check_command in pyproject.toml) from the venv.
MUTMUT := PATH="$(CURDIR)/$(VENV)/bin:$$PATH" $(VENV)/bin/mutmut

mutate-domain: $(VENV)/.installed-mutation ## mutmut over inspect_app/domain/, killed by tests/unit
	rm -rf mutants
	$(MUTMUT) run --max-children 2
	$(PY) -m tests.mutation.domain_report

mutate-sql: $(VENV)/.installed-mutation ## SQL mutants of the report counters, killed by the totals tests
	$(PY) -m tests.mutation.sql_counters

mutate-ci: $(VENV)/.installed-mutation ## the short mutation run of CI: the legal clock, periods, a sample of SQL
	rm -rf mutants
	$(MUTMUT) run --max-children 2 $(MUTATE_CI_DOMAIN)
	$(PY) -m tests.mutation.domain_report $(addprefix --only ,$(MUTATE_CI_DOMAIN))
	$(PY) -m tests.mutation.sql_counters --sample $(MUTATE_CI_SQL_SAMPLE)
