# searchbench: every target installs what it needs into .venv first (from requirements.lock).
# What is installed is byte-compiled: tests start many processes, and where Python may not write
# bytecode (PYTHONDONTWRITEBYTECODE) an uncompiled install recompiles every import in every one.
# pip compiles one file at a time, so it installs without compiling and compileall then uses
# every core (47 s instead of 57 s for both locks on two cores). The venv's own pip installs
# the locks (upgrading it first took time and changed nothing).
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# files that do not compile here (torch ships one in Python 3.12's syntax) stay uncompiled, as pip
# leaves them: compileall's exit status says only that some file did not compile
COMPILE := $(PY) -m compileall -q -j 0 $(VENV)/lib > /dev/null 2>&1 || true
TORCH_STAMP := $(VENV)/.installed-torch
RUN := $(PY) -m bench
# the packages pinned in requirements-torch.lock, which `make lock` leaves out of requirements.lock
TORCH_ONLY := $(shell sed -n 's/==.*//p' requirements-torch.lock | paste -sd'|' -)

.PHONY: install install-torch bench bench-quick bench-generative test perf lock clean

$(STAMP): pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --no-compile -r requirements.lock
	$(PY) -m pip install --quiet --no-deps -e .
	$(COMPILE)
	touch $(STAMP)

install: $(STAMP)

# The torch extra (searchbench[torch]), pinned exactly in its own lock: torch==2.13.0 is the CPU
# build (pip takes it from the local wheel cache; an unpinned torch pulls a CUDA build of GBs).
$(TORCH_STAMP): $(STAMP) requirements-torch.lock
	$(PY) -m pip install --quiet --no-compile -r requirements-torch.lock
	$(COMPILE)
	touch $(TORCH_STAMP)

install-torch: $(TORCH_STAMP)

## bench: run the default suite (resuming, skipping what is done) and write results/default/
bench: install
	$(RUN) run default; status=$$?; $(RUN) report default && exit $$status

## bench-quick: the CI-sized suite, written to results/quick/
bench-quick: install
	$(RUN) run quick; status=$$?; $(RUN) report quick && exit $$status

## bench-generative: VAEs, GANs and the other generative problems, written to results/generative/
bench-generative: install-torch
	$(RUN) run generative; status=$$?; $(RUN) report generative && exit $$status

# the tests cover the deep problems and the torch-based strategies, so they install the extra.
# Three phases that together run every test, the next starting even when one fails (the exit
# status is the first failure's): the bulk on two processes (pytest-xdist; the costliest shared
# fixtures are computed by one, see computed_once in tests/conftest.py); the tests that import torch into the test
# process (marked torch), on two processes of their own, since a process holding torch is never
# forked again and would start a fresh interpreter for every later evaluation; then the
# timing-sensitive ones (marked serial: Ctrl-C, time limits, Dask) one at a time, so
# that no other test competes with their deadlines.
XDIST := -n 2
# the last phase collects only the files that mark a test serial (collecting all takes seconds)
SERIAL_FILES := $(shell grep -l 'pytest.mark.serial' tests/test_*.py)
test: install-torch
	status=0; \
	$(PY) -m pytest $(XDIST) -m "not serial and not torch"; s=$$?; [ $$status -ne 0 ] || status=$$s; \
	$(PY) -m pytest $(XDIST) -m "torch and not serial"; s=$$?; [ $$status -ne 0 ] || status=$$s; \
	$(PY) -m pytest -m serial $(SERIAL_FILES); s=$$?; [ $$status -ne 0 ] || status=$$s; \
	exit $$status

## perf: benchmarks of the harness itself (pytest-benchmark), the parallel efficiency script and
## a small job against a bare loop doing the same evaluations
perf: install
	$(PY) -m pytest perf --benchmark-enable --benchmark-columns=median,iqr,mean,rounds -p no:cacheprovider
	$(PY) perf/efficiency.py
	$(PY) perf/vs_bare_loop.py

## lock: write requirements.lock from the current environment (the torch extra's lines left out)
lock: install
	$(PY) -m pip freeze --exclude-editable | grep -v '^searchbench' \
		| grep -v -i -E '^($(TORCH_ONLY))==' > requirements.lock.new
	mv requirements.lock.new requirements.lock

clean:
	rm -rf $(VENV) .searchbench
