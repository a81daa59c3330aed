# Fresh machine: `make run` (set up .venv, run the example) and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
SHARED ?= ../shared
SEEDS  := $(SHARED)/corpus/seeds

.PHONY: install browser run test score bench clean

install: $(STAMP)

# The stamp is newer than pyproject.toml once the install went through, so a
# second `make install` does nothing.
$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --disable-pip-version-check -q -e '.[test]'
	@touch $(STAMP)

run: install
	@mkdir -p out
	$(BIN)/claimledger ingest examples/corpus --db out/example.duckdb
	$(BIN)/claimledger check --db out/example.duckdb --out out/example-findings.jsonl \
	    --figures out/example-figures.jsonl
	$(BIN)/claimledger export --db out/example.duckdb --what claims --format csv --out out/example-claims.csv
	$(BIN)/claimledger report --db out/example.duckdb --out out/report.html --serve-url http://127.0.0.1:8000
	@echo
	@echo "Situation report: $(CURDIR)/out/report.html (one file, works offline)"
	@echo "Ledger: out/example.duckdb; findings: out/example-findings.jsonl; claims: out/example-claims.csv"
	@echo "Browse it:  $(BIN)/claimledger serve --db out/example.duckdb   then open http://127.0.0.1:8000/"

# The browser tests drive Debian's chromium through Playwright (never `playwright install`).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	    echo "installing chromium (apt-get) for the browser tests"; \
	    SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	    $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium; }

test: install browser
	$(BIN)/python -m pytest -q tests

score: install
	@mkdir -p out
	$(BIN)/claimledger extract $(SEEDS)/docs --out out/seeds.jsonl
	$(BIN)/claimledger check --claims out/seeds.jsonl --docs $(SEEDS)/docs --out out/seeds-findings.jsonl
	python3 $(SHARED)/eval/score.py --gold $(SEEDS)/gold.jsonl --pred out/seeds.jsonl --docs $(SEEDS)/docs --errors \
	    --gold-findings $(SEEDS)/findings.jsonl --pred-findings out/seeds-findings.jsonl

# Speed (one core each, load included) and seed accuracy against quantulum3 and spaCy; options via
# BENCH_ARGS, e.g. make bench BENCH_ARGS="--repeat 3 --workers-scaling --profile" (see bench/run.py --help).
bench: install
	@$(BIN)/python -c 'import quantulum3, pyinstrument' 2>/dev/null || \
	    $(BIN)/python -m pip install --disable-pip-version-check -q -e '.[bench]'
	$(BIN)/python bench/run.py --shared $(SHARED) $(BENCH_ARGS)

clean:
	rm -rf out
