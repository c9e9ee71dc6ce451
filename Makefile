# actionq: the README's commands. `make run` serves on the embedded default;
# `make test` installs everything from this repository's files and runs every check.

SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
BUF := proto/node_modules/.bin/buf
PY_SOURCES := server/actionq_server cli/actionctl clients/python/actionq clients/python/conformance.py clients/python/gen_sync.py clients/python/examples bench

.PHONY: run test install tools browser setup-clients client-tests lint gen check-gen pytest conformance bench clean

run: install
	ACTIONQ_HTTP_LISTEN=$${ACTIONQ_HTTP_LISTEN:-127.0.0.1:8080} $(VENV)/bin/actionq-server

test: install tools setup-clients lint check-gen client-tests pytest

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

tools: $(BUF)
	bash scripts/install_grpcurl.sh
	bash scripts/install_tmux.sh

# Debian's chromium and its driver for the dashboard's browser tests (only when missing).
browser:
	bash scripts/install_browser.sh

$(BUF): proto/package.json
	npm install --prefix proto --no-audit --no-fund --silent
	touch $@

setup-clients: tools
	bash scripts/each_client.sh setup

# Each client's own unit tests (clients/<lang>/test.sh); the live ones run in pytest's conformance.
client-tests: setup-clients
	bash scripts/each_client.sh test

lint: install tools
	$(VENV)/bin/ruff check server cli clients/python tests bench
	$(VENV)/bin/ruff format --check server cli clients/python/actionq clients/python/conformance.py clients/python/gen_sync.py clients/python/examples tests bench
	$(VENV)/bin/mypy $(PY_SOURCES)
	$(VENV)/bin/hadolint Dockerfile
	$(VENV)/bin/check-jsonschema --builtin-schema vendor.compose-spec compose.yaml
	cd proto && node_modules/.bin/buf lint
	@tag=$$(git describe --tags --abbrev=0 --match 'v*' 2>/dev/null); \
	if [ -n "$$tag" ]; then \
	  echo "buf breaking against the last release tag $$tag"; \
	  cd proto && node_modules/.bin/buf breaking --against "../.git#tag=$$tag,subdir=proto"; \
	else \
	  echo "buf breaking: no release tag (v*) in this clone; nothing to compare against"; \
	fi

gen: install tools
	PYTHON=$(PY) bash scripts/gen_python.sh
	$(PY) clients/python/gen_sync.py
	bash scripts/each_client.sh gen

check-gen: gen
	@if [ -n "$$(git status --porcelain -- clients proto)" ]; then \
	  git status --porcelain -- clients proto; git --no-pager diff --stat -- clients proto; \
	  echo "generated code is stale: run 'make gen' and commit the result" >&2; exit 1; \
	fi

pytest: install browser
	$(VENV)/bin/pytest

conformance: install tools setup-clients
	$(VENV)/bin/pytest -m conformance --durations=0

# The benchmark's peers (PGQueuer) come from the 'bench' group; River is built by the bench when Go is present.
bench: install $(VENV)/.bench-installed
	$(PY) -m bench $(BENCH_ARGS)

$(VENV)/.bench-installed: pyproject.toml
	$(PY) -m pip install --quiet -e '.[dev,bench]'
	touch $@

clean:
	rm -rf $(VENV) proto/node_modules
