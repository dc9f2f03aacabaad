# visitrack developer commands. `make demo` and `make test` work on a fresh machine.
PY ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SHARED ?= ../shared

.PHONY: install system-deps demo test test-quick lint typecheck eval bench fuzz clean

$(STAMP): pyproject.toml
	@command -v $(PY) >/dev/null 2>&1 || { echo "python3.11 not found on PATH"; exit 2; }
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

demo: install
	$(BIN)/visitrack extract --format table src/visitrack/examples

system-deps:
	bash scripts/system-deps.sh

# Everything, the slow tests included (about 20 minutes on 2 cores).
test: install system-deps
	$(BIN)/python -m pytest -q

# All but the tests marked slow (fuzzing, load runs, killed ingests, the browser): under five
# minutes on 2 cores. PostgreSQL tests run when PostgreSQL is installed (`make system-deps`).
test-quick: install
	$(BIN)/python -m pytest -q -m "not slow"

lint: install
	$(BIN)/ruff check src tests scripts
	$(BIN)/ruff format --check src tests scripts

typecheck: install
	$(BIN)/mypy

eval: install
	$(BIN)/python scripts/evaluate.py --shared $(SHARED)
	$(BIN)/python scripts/behaviour.py

bench: install
	$(BIN)/python scripts/bench.py
	$(BIN)/python scripts/bench_store.py
	$(BIN)/python scripts/bench_api.py
	$(BIN)/python scripts/bench_page.py
	$(BIN)/python scripts/bench_parallel.py
	$(BIN)/python scripts/bench_load.py
	$(BIN)/python scripts/bench_memory.py

# About 10-15 minutes on 2 cores; the extractor parses with spaCy, so it gets fewer inputs.
fuzz: install
	$(BIN)/python scripts/fuzz.py --target all --runs 60000 --runs readers=80000 \
		--runs timex=200000 --runs extractor=10000

clean:
	rm -rf $(VENV) build dist src/*.egg-info .pytest_cache .mypy_cache .ruff_cache
