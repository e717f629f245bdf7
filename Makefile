# reviewbot: `make run` and `make test` work on a fresh machine with Python 3.11+.
UV := python3 -m uv
BABEL_KEYWORDS := -k _ -k gettext -k ngettext:1,2

.PHONY: install run test lint locales migrate bench docker-test

install:
	@python3 -m uv --version >/dev/null 2>&1 || python3 -m pip install --quiet uv
	$(UV) sync --frozen

run: install
	$(UV) run reviewbot run

migrate: install
	$(UV) run reviewbot migrate

lint: install
	$(UV) run ruff check .
	$(UV) run ruff format --check .
	$(UV) run mypy
	$(UV) run hadolint Dockerfile

test: lint
	$(UV) run pytest

# The image built on a local Debian base and run as migrate, bot and worker containers against
# this machine's PostgreSQL and Redis (needs root: starts Debian's dockerd when none answers;
# see README "Container image").
docker-test: install
	$(UV) run pytest -p no:cacheprovider --durations=5 tests/docker

# Speed and memory against their baselines (needs PostgreSQL and Redis; see README "Performance").
bench: install
	$(UV) run python -m bench.checks
	$(UV) run python -m bench.checks --sqlite
	$(UV) run python -m bench.deliveries
	$(UV) run python -m bench.latency
	$(UV) run python -m bench.bot
	$(UV) run python -m bench.memory

# After changing a text: refresh the template and the catalogues, then translate what is new.
locales: install
	$(UV) run pybabel extract -F babel.cfg $(BABEL_KEYWORDS) --no-location --sort-output \
		--omit-header -o locales/messages.pot .
	$(UV) run pybabel update -i locales/messages.pot -d locales -D messages \
		--no-fuzzy-matching --ignore-obsolete
