# Grappe — the two commands of the README, and a few helpers.
# `make demo`: install and start Grappe on SQLite with the demo cluster.  `make test`: install and run the suite.

SHELL := /bin/bash
VENV ?= .venv
HOST ?= 127.0.0.1
PORT ?= 8000
PY := $(VENV)/bin/python
GRAPPE := $(VENV)/bin/grappe

# The first Python >= 3.12 found: python3.13, python3.12, pyenv installs, then python3.
PYTHON_CANDIDATES := python3.13 python3.12 $(wildcard $(HOME)/.pyenv/versions/3.1[2-9]*/bin/python3) \
	$(wildcard /root/.pyenv/versions/3.1[2-9]*/bin/python3) $(wildcard /usr/local/bin/python3.1[2-9]) python3
FIND_PYTHON := for p in $(PYTHON_CANDIDATES); do \
	  if command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' 2>/dev/null; then \
	    command -v $$p; exit 0; fi; done; exit 1

.PHONY: demo test install install-test lint format run worker messages clean help

help:
	@echo "make demo   install, load the demo cluster and serve on http://$(HOST):$(PORT)"
	@echo "make test   install the test dependencies and run the whole suite (ruff + pytest)"

$(PY):
	@python=$$($(FIND_PYTHON)) || { \
	  echo "Grappe needs Python 3.12 or newer, and none was found (tried: python3.13, python3.12, ~/.pyenv/versions/3.12+, python3)." >&2; \
	  echo "Install one (e.g. 'apt-get install python3.12' or 'pyenv install 3.12') and run make again." >&2; exit 1; }; \
	echo "Creating $(VENV) with $$python ($$($$python --version))"; \
	$$python -m venv $(VENV) && $(PY) -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e .
	@touch $@

$(VENV)/.installed-test: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e ".[test]"
	@touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

demo: install
	$(GRAPPE) migrate --noinput
	$(GRAPPE) collectstatic --noinput --verbosity 0
	$(GRAPPE) demo
	@echo "Grappe is starting on http://$(HOST):$(PORT)/ (the background worker runs beside it; Ctrl-C stops both)"
	@trap 'kill 0' EXIT INT TERM; $(GRAPPE) worker --no-startup-delay >/dev/null 2>&1 & \
	  DEBUG=$${DEBUG:-1} $(GRAPPE) runserver $(HOST):$(PORT)

run: install
	DEBUG=$${DEBUG:-1} $(GRAPPE) runserver $(HOST):$(PORT)

worker: install
	$(GRAPPE) worker

test: install-test
	$(VENV)/bin/ruff check .
	$(VENV)/bin/pytest $(PYTEST_ARGS)

lint: install-test
	$(VENV)/bin/ruff check .

format: install-test
	$(VENV)/bin/ruff format .

messages: install-test
	cd src/grappe && ../../$(GRAPPE) makemessages -l en -l nl -l de --no-obsolete && ../../$(GRAPPE) compilemessages

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache
