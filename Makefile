# Two commands do all set-up: `make run` and `make test`. Everything installs into .venv.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip
STAMP := .make
# The default native build of llama.cpp crashes inside decode on these CPUs; OpenMP is off
# so that the wheel has no runtime dependency beyond libc. pip caches the built wheel.
LLAMA_CMAKE_ARGS := -DGGML_NATIVE=OFF -DGGML_OPENMP=OFF
MODEL := emulator/models/SmolLM2-135M-Instruct.Q4_1.gguf
EMULATOR_PORT ?= 8765
APP_PORT ?= 8501
# What mypy checks (`make typecheck`, and `make test` before pytest); pages/ are scripts.
TYPED := core/ ui/ emulator/ bench/ pages/ streamlit_app.py

.PHONY: run test test-fast lint typecheck format bench model chromium clean help

help:
	@echo "make run        install everything, start the local endpoint and the app"
	@echo "make test       install everything, run the whole test suite"
	@echo "make test-fast  ruff, then every test but the browser, llama and soak ones"
	@echo "make lint       ruff check + format check"
	@echo "make typecheck  mypy over core/, ui/, emulator/, bench/ and the pages"
	@echo "make bench      benchmarks (not part of make test)"

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

$(STAMP)/runtime: requirements.txt constraints.txt | $(PY)
	@mkdir -p $(STAMP)
	CMAKE_ARGS="$(LLAMA_CMAKE_ARGS)" $(PIP) install --quiet -r requirements.txt -c constraints.txt
	@touch $@

$(STAMP)/dev: requirements-dev.txt $(STAMP)/runtime
	$(PIP) install --quiet -r requirements-dev.txt -c constraints.txt
	@touch $@

$(MODEL): | $(STAMP)/runtime
	$(PY) -m emulator.fetch_model

model: $(MODEL)

# Debian's Chromium for the browser tests (Playwright cannot download a browser here).
chromium:
	@if ! command -v chromium >/dev/null; then \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq chromium >/dev/null; \
	fi
	@chromium --version

run: $(STAMP)/runtime $(MODEL)
	@EMULATOR_PORT=$(EMULATOR_PORT) APP_PORT=$(APP_PORT) PY=$(PY) scripts/run.sh

test: $(STAMP)/dev $(MODEL) chromium
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m mypy $(TYPED)
	$(PY) -m pytest

# The quick loop while working: no Chromium, no model, no soak.
test-fast: $(STAMP)/dev
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m pytest -m "not browser and not llama and not soak"

lint: $(STAMP)/dev
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

typecheck: $(STAMP)/dev
	$(PY) -m mypy $(TYPED)

format: $(STAMP)/dev
	$(PY) -m ruff check --fix .
	$(PY) -m ruff format .

bench: $(STAMP)/dev $(MODEL)
	$(PY) -m bench

clean:
	rm -rf $(VENV) $(STAMP) .pytest_cache .ruff_cache test-artifacts
