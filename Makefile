# searchbench: every target installs what it needs into .venv first (from requirements.lock).
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
RUN := $(PY) -m bench

.PHONY: install bench bench-quick test perf lock clean

$(STAMP): pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.lock
	$(PY) -m pip install --quiet --no-deps -e .
	touch $(STAMP)

install: $(STAMP)

## bench: run the default suite (resuming, skipping what is done) and write results/default/
bench: install
	$(RUN) run default; status=$$?; $(RUN) report default && exit $$status

## bench-quick: the CI-sized suite, written to results/quick/
bench-quick: install
	$(RUN) run quick; status=$$?; $(RUN) report quick && exit $$status

test: install
	$(PY) -m pytest

## perf: benchmarks of the harness itself (pytest-benchmark), the parallel efficiency script and
## a small job against a bare loop doing the same evaluations
perf: install
	$(PY) -m pytest perf --benchmark-enable --benchmark-columns=median,iqr,mean,rounds -p no:cacheprovider
	$(PY) perf/efficiency.py
	$(PY) perf/vs_bare_loop.py

## lock: write requirements.lock from the current environment
lock: install
	$(PY) -m pip freeze --exclude-editable | grep -v '^searchbench' > requirements.lock.new
	mv requirements.lock.new requirements.lock

clean:
	rm -rf $(VENV) .searchbench
