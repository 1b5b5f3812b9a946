# Run `make help` to see the targets.
PY ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000

.DEFAULT_GOAL := help

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-12s %s\n", $$1, $$2}'

$(BIN)/python:
	$(PY) -m venv $(VENV)

install: $(BIN)/python ## Create the virtualenv and install the project with dev tools
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'

messages: ## Compile the translation catalogues (installs gettext if missing)
	@command -v msgfmt >/dev/null || (apt-get update -qq && apt-get install -y -qq gettext >/dev/null)
	$(BIN)/python manage.py compilemessages --ignore=.venv -v 0

browser: ## Install Debian's chromium and a CJK font for the end-to-end tests (if missing)
	@(command -v chromium >/dev/null && fc-list :lang=zh | grep -q .) || (apt-get update -qq && apt-get install -y -qq chromium fonts-wqy-microhei >/dev/null)

setup: install messages ## Install, migrate, collect static; guide, demo accounts and demo batch only where missing (never overwrites data)
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py collectstatic --noinput -v 0
	$(BIN)/python manage.py load_demo

run: setup ## Set everything up and serve the app at http://127.0.0.1:$(PORT)
	$(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

demo: install messages ## Import and screen the demo batch even into a database with data (replaces its registries with the demo ones)
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_demo --force

worker: ## Start a Celery worker for checks (queues checks first, then celery, screening; needs REDIS_URL), with its outbox relay
	$(BIN)/celery -A config worker -l info -Q checks,celery,screening -n screening@%h

worker-extraction: ## Start a Celery worker for uploaded drafts (queue extraction), so long reads never delay checks
	$(BIN)/celery -A config worker -l info -Q extraction -n extraction@%h --concurrency 1

test: install messages browser ## Run the whole test suite (uses DATABASE_URL / REDIS_URL when set)
	$(BIN)/ruff check .
	$(BIN)/python -m pytest

lint: ## ruff check and format check
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

bench: ## Run the benchmarks in bench/ (each on a throwaway database: PostgreSQL if DATABASE_URL says so, else SQLite)
	$(BIN)/python bench/run_all.py

load: ## Deadline-rush load test: starts gunicorn, 2 Celery workers, beat, its own Redis and PostgreSQL db; bounded (LOAD_ARGS="--duration 60")
	$(BIN)/python bench/load.py $(LOAD_ARGS)

.PHONY: help install messages browser setup run demo worker worker-extraction test lint bench load
