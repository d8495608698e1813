"""Store writes: one transaction per finished trial, as the owner commits them. Timings are
reported, never asserted."""

from __future__ import annotations

import itertools

import pytest

from bench.records import RunOutcome, RunSpec, TrialRecord
from bench.store import open_store


@pytest.fixture
def store(tmp_path):
    store = open_store(tmp_path / "s.sqlite", "perf")
    yield store
    store.close()


def record(run_id: str, trial: int) -> TrialRecord:
    return TrialRecord(run_id, trial, {"C": 1.5, "gamma": 0.001, "kernel": "rbf"}, 1.0, 1.0,
                       0.93, 0.02, 0.91, 0.05, 0.001, "ok", "", "2026-01-01T00:00:00.000+00:00")


def test_commit_a_trial(benchmark, store):
    spec = RunSpec("p", "s", "v", 0, 10**9, "perf")
    store.start_run(spec)
    trials = itertools.count()
    benchmark(lambda: store.add_trial(record(spec.run_id, next(trials))))


def test_a_copy_of_a_stored_trial_is_ignored(benchmark, store):
    spec = RunSpec("p", "s", "v", 0, 10, "perf")
    store.start_run(spec)
    store.add_trial(record(spec.run_id, 0))
    benchmark(lambda: store.add_trial(record(spec.run_id, 0)))


def test_start_and_finish_a_run(benchmark, store):
    seeds = itertools.count()

    def run():
        spec = RunSpec("p", "s", "v", next(seeds), 10, "perf")
        store.start_run(spec)
        store.finish_run(RunOutcome(spec.run_id, "complete", "", 10, 10.0))

    benchmark(run)


def test_read_back_the_trials_of_a_run(benchmark, store):
    spec = RunSpec("p", "s", "v", 0, 100, "perf")
    store.start_run(spec)
    for k in range(100):
        store.add_trial(record(spec.run_id, k))
    benchmark(lambda: store.trials(spec.run_id))
