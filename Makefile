# reviewbot: `make run` and `make test` work on a fresh machine with Python 3.11+.
# `make` alone lists the targets.
UV := python3 -m uv
BABEL_KEYWORDS := -k _ -k gettext -k ngettext:1,2
# pytest-xdist workers for `test` and `test-fast`: the tests mostly wait (on the fake Telegram,
# mail, job intervals), so 4 beat 2 on 2 cores. `make test WORKERS=0` runs in one process.
WORKERS ?= 4
# One test at a time to each worker as it frees up: xdist's default first hands every worker a
# quarter of the first tests, which put the slow process tests (sorted first) on one worker.
# Bytecode is kept (PYTHONDONTWRITEBYTECODE set by the environment turns it off): each worker
# and each started `reviewbot` process compiles less, and pytest keeps its rewritten tests.
PYTEST := PYTHONDONTWRITEBYTECODE= $(UV) run pytest -n $(WORKERS) --maxschedchunk 1
# The fast tier: no `reviewbot` processes, no PostgreSQL or Redis, no browser (see
# docs/testing.md and docs/browser-tests.md).
FAST := not processes and not services and not browser

.DEFAULT_GOAL := help
.PHONY: help install run migrate format lint test test-fast check screenshots locales bench docker-test

help:  ## List the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-z-]+:.*## / {printf "  make %-12s %s\n", $$1, $$2}' \
		$(MAKEFILE_LIST)

install:  ## Install the locked dependencies (uv sync --frozen)
	@python3 -m uv --version >/dev/null 2>&1 || python3 -m pip install --quiet uv
	$(UV) sync --frozen

run: install  ## Run the bot and the worker in one process (reads .env)
	$(UV) run reviewbot run

migrate: install  ## Upgrade the database to the newest schema
	$(UV) run reviewbot migrate

format: install  ## Format the code and apply ruff's safe fixes
	$(UV) run ruff format .
	$(UV) run ruff check --fix .

lint: install  ## ruff, ruff format --check, mypy (strict) and hadolint
	$(UV) run ruff check .
	$(UV) run ruff format --check .
	$(UV) run mypy
	$(UV) run hadolint Dockerfile

# The browser tests run after the rest: Chromium's CPU would stretch the recovery-time bounds
# that the process tests measure on this 2-core machine.
test: install  ## Every test, both stacks (needs PostgreSQL and Redis; else they skip loudly)
	$(PYTEST) -m "not browser" --durations=15
	$(PYTEST) -m browser

# A service test that slipped into the fast tier fails here: the services' addresses point
# nowhere and REQUIRE_SERVICES turns their skip into a failure.
test-fast: install  ## The fast tier: embedded stack, no processes, no PostgreSQL/Redis needed
	TEST_POSTGRES_URL=postgresql://postgres@127.0.0.1:9/postgres \
	TEST_REDIS_URL=redis://127.0.0.1:9/15 BENCH_REDIS_URL=redis://127.0.0.1:9/14 \
	REQUIRE_SERVICES=1 $(PYTEST) -m "$(FAST)"

# The Mini App's pictures in docs/screenshots/ (light and dark, phone width), taken anew.
screenshots: install  ## Write docs/screenshots/*.png from the browser tests
	UPDATE_SCREENSHOTS=1 $(UV) run pytest -n 0 -m browser -k "theme or screenshot" tests/webapp

check: lint test  ## lint, then every test (what CI runs before docker-test)

# After changing a text: refresh the template and the catalogues, then translate what is new.
locales: install  ## Refresh locales/messages.pot and the catalogues from the code
	$(UV) run pybabel extract -F babel.cfg $(BABEL_KEYWORDS) --no-location --sort-output \
		--omit-header -o locales/messages.pot .
	$(UV) run pybabel update -i locales/messages.pot -d locales -D messages \
		--no-fuzzy-matching --ignore-obsolete

# Speed and memory against their baselines (needs PostgreSQL and Redis; see docs/performance.md).
bench: install  ## The benchmarks against their baselines (needs PostgreSQL and Redis)
	$(UV) run python -m bench.checks
	$(UV) run python -m bench.checks --sqlite
	$(UV) run python -m bench.deliveries
	$(UV) run python -m bench.latency
	$(UV) run python -m bench.bot
	$(UV) run python -m bench.bot_api
	$(UV) run python -m bench.webapp_report
	$(UV) run python -m bench.memory

# The image built on a local Debian base and run as migrate, bot and worker containers against
# this machine's PostgreSQL and Redis (needs root: starts Debian's dockerd when none answers;
# see docs/operations.md, "Container image").
docker-test: install  ## Build the image and run it against local PostgreSQL/Redis (root)
	$(UV) run pytest -p no:cacheprovider --durations=5 tests/docker
