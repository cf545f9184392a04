# Two commands do all set-up on a fresh machine that has Python 3.11:
#   make demo   - install, migrate, seed the sandbox, serve http://127.0.0.1:8000 with a
#                 Celery worker and beat beside it
#   make test   - ruff, then the test suite (installs Debian's chromium for browser tests)
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell sha1sum pyproject.toml | cut -c1-12)
DEV_ENV := DJANGO_DEBUG=true
PG_URL ?= postgres://postgres@127.0.0.1:5432/test
REDIS_URL ?= redis://127.0.0.1:6379

.PHONY: install demo test lint test-services chromium clean

$(STAMP):
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	rm -f $(VENV)/.installed-* && touch $(STAMP)

install: $(STAMP)

demo: install
	$(DEV_ENV) $(BIN)/python manage.py migrate --noinput
	$(DEV_ENV) $(BIN)/python manage.py demo_setup
	$(DEV_ENV) $(BIN)/python manage.py demo_serve 127.0.0.1:8000

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

chromium:
	@bash scripts/ensure-chromium

test: lint chromium
	$(BIN)/pytest -n 2 --dist loadgroup

# The same suite on PostgreSQL and a Redis cache (this machine's and CI's services), plus
# tests/services: a real Celery worker process on a Redis broker, end to end to a browser.
test-services: install chromium
	DATABASE_URL=$(PG_URL) CACHE_URL=$(REDIS_URL)/1 $(BIN)/pytest -n 2 --dist loadgroup -m "not browser or services"

clean:
	rm -rf $(VENV) staticfiles .demo .pytest_cache .ruff_cache
