# Fresh machine: `make run` (set up .venv, run the example) and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
SHARED ?= ../shared
SEEDS  := $(SHARED)/corpus/seeds

.PHONY: install run test score clean

install: $(STAMP)

# The stamp is newer than pyproject.toml once the install went through, so a
# second `make install` does nothing.
$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --disable-pip-version-check -q -e '.[test]'
	@touch $(STAMP)

run: install
	@mkdir -p out
	$(BIN)/claimledger extract examples/corpus --out out/example-claims.jsonl --emit-docs out/example-docs.jsonl
	@echo "$$(wc -l < out/example-claims.jsonl) claims from $$(wc -l < out/example-docs.jsonl) documents" \
	      "in out/example-claims.jsonl (documents: out/example-docs.jsonl). First claims:"
	@head -n 3 out/example-claims.jsonl

test: install
	$(BIN)/python -m pytest -q tests

score: install
	@mkdir -p out
	$(BIN)/claimledger extract $(SEEDS)/docs --out out/seeds.jsonl
	python3 $(SHARED)/eval/score.py --gold $(SEEDS)/gold.jsonl --pred out/seeds.jsonl --docs $(SEEDS)/docs --errors

clean:
	rm -rf out
