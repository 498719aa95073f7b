# Flywheel: the Makefile is the interface. `make demo` and `make test` do all set-up on a fresh clone.
SHELL := /bin/bash
.SHELLFLAGS := -eo pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp

export DAGSTER_HOME := $(CURDIR)
export FLYWHEEL_DAGSTER_STORAGE := $(CURDIR)/.dagster
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export HF_DATASETS_OFFLINE := 1
export DO_NOT_TRACK := 1
export DBT_SEND_ANONYMOUS_USAGE_STATS := false
export PIP_DISABLE_PIP_VERSION_CHECK := 1
# A run over a range of days records ONE planned event per asset with the range, not one per asset per day: a
# backfill of 90 days otherwise writes ~6,000 of them into the instance before its first step (~1 min here). Dagster's
# documented trade-off: a failed run marks its assets' days missing rather than failed.
export DAGSTER_EMIT_PARTITION_SUBSET_IN_PLANNED_EVENTS := 1

# pip's notes about local index folders it skips are noise here; errors still fail the step (pipefail).
PIP_QUIET := grep -v -e 'is ignored: it is neither' -e '^\s*$$' || true

.PHONY: help install demo test dev bench lint clean

help:
	@echo "make demo   - create .venv, install, run the whole pipeline on the built-in demo data, print a summary"
	@echo "make test   - create .venv, install, run the test suite"
	@echo "make dev    - the Dagster UI on http://127.0.0.1:3000 (demo resources unless FLYWHEEL_ENV=prod)"
	@echo "make bench  - benchmarks, figures printed (BENCH=roster, adoption, logs or pii for one)"

# torch first, pinned: its CPU wheel lies on local disk; left to the resolver it pulls a multi-GB CUDA build.
# setup.py builds the C core of redaction (python_assets/privacy/_core.c): a change there reinstalls
$(STAMP): pyproject.toml setup.py python_assets/privacy/_core.c
	@echo "==> creating $(VENV) and installing (first time only, a few minutes)"
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q -U pip 2>&1 | { $(PIP_QUIET); }
	$(PY) -m pip install -q torch==2.13.0 2>&1 | { $(PIP_QUIET); }
	$(PY) -m pip install -q -e '.[dev]' 2>&1 | { $(PIP_QUIET); }
	touch $(STAMP)

install: $(STAMP)

demo: install
	mkdir -p .dagster
	$(PY) -m orchestration.demo

test: install
	mkdir -p .dagster
	$(PY) -m pytest

dev: install
	mkdir -p .dagster
	trap - INT; exec $(VENV)/bin/dagster dev -m orchestration.definitions -h 127.0.0.1 -p 3000

# BENCH=roster (or adoption, logs, pii) runs one; each prints its figures
BENCH ?= roster adoption logs pii
bench: install
	for b in $(BENCH); do $(PY) -m bench.$$b; done

lint: install
	$(VENV)/bin/ruff check python_assets orchestration training tests bench

clean:
	rm -rf lake/raw lake/*.duckdb lake/backups .dagster dbt_project/target dbt_project/logs
