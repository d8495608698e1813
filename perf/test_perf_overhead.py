"""The harness's own cost per trial, on a problem whose objective returns at once and a strategy
that costs nothing: the runner's loop, the evaluation child's round trip, the events and the
store's commit. Timings are reported, never asserted."""

from __future__ import annotations

import itertools
import statistics

import pytest

from bench.evaluator import ChildEvaluator, evaluate_here
from bench.backends import LokyBackend, SerialBackend
from bench.owner import execute
from bench.records import Task
from bench.records import RunSpec
from bench.runner import execute_run
from bench.store import open_store
from bench.strategy import describe
from null_problem import NullProblem, NullStrategy
from perf_notes import NOTES

TRIALS = 200  # per run
INFO = describe(NullStrategy, "null", __file__)
SEEDS = itertools.count()


def null_task(trials: int = TRIALS) -> Task:
    spec = RunSpec("null", "null", INFO.version, next(SEEDS), trials, "perf")
    return Task(spec, NullProblem(), INFO)


def note(name: str, benchmark, store, trials_per_round: int, workers: int = 1) -> None:
    """Per trial: wall x workers, less the evaluation and suggestion time the trials recorded."""
    frame = store.trials_frame()
    rounds = len(frame) / trials_per_round
    recorded = (frame["eval_seconds"].sum() + frame["suggest_seconds"].sum()) / rounds
    median = benchmark.stats.stats.median
    per_trial = (median * workers - recorded) / trials_per_round
    NOTES.append(f"{name}: {per_trial * 1e3:.3f} ms per trial (median round {median:.3f} s "
                 f"for {trials_per_round} trials on {workers} worker(s))")


def test_runner_loop_in_process(benchmark):
    """The runner alone: ask, check, evaluate in process, tell, emit (per run of TRIALS)."""
    problem = NullProblem()

    def run():
        records = []
        execute_run(null_task().spec, problem, INFO, evaluate_here, records.append)
        return records

    records = benchmark.pedantic(run, rounds=20, warmup_rounds=1)
    spent = sum(r.eval_seconds + r.suggest_seconds for r in records)
    per_trial = (benchmark.stats.stats.median - spent) / TRIALS
    NOTES.append(f"runner loop, in process: {per_trial * 1e3:.3f} ms per trial")


@pytest.mark.parametrize("fork", [True, False], ids=["forked-child", "fresh-child"])
def test_evaluation_child_round_trip(benchmark, fork):
    """One evaluation through the child process that enforces time limits (per trial)."""
    problem, child = NullProblem(), ChildEvaluator(fork=fork)
    config = problem.space.default()
    child(problem, config, 1.0)  # start it and load the problem
    try:
        seconds = []

        def once():
            outcome = child(problem, config, 1.0)
            seconds.append(outcome.seconds)

        benchmark.pedantic(once, rounds=500, warmup_rounds=20)
    finally:
        child.close()
    overhead = benchmark.stats.stats.median - statistics.median(seconds)
    NOTES.append(f"evaluation child round trip ({'fork' if fork else 'exec'}): "
                 f"{overhead * 1e3:.3f} ms per trial")


def test_whole_pipeline_serial(benchmark, tmp_path):
    """execute() with the serial backend: runner, child, events, one commit per trial."""
    store = open_store(tmp_path / "s.sqlite", "perf")
    backend = SerialBackend()
    try:
        benchmark.pedantic(lambda: execute([null_task()], store, backend, progress=False),
                           rounds=10, warmup_rounds=1)
        note("whole pipeline, serial", benchmark, store, TRIALS)
    finally:
        backend.close()
        store.close()


def test_whole_pipeline_two_local_workers(benchmark, tmp_path):
    """execute() on two loky workers: the same, plus the socket events and the scheduling."""
    store = open_store(tmp_path / "s.sqlite", "perf")
    backend = LokyBackend(2)
    try:
        benchmark.pedantic(lambda: execute([null_task(), null_task()], store, backend,
                                           progress=False), rounds=10, warmup_rounds=1)
        note("whole pipeline, 2 loky workers", benchmark, store, 2 * TRIALS, workers=2)
    finally:
        backend.close()
        store.close()


def test_short_runs_on_two_local_workers(benchmark, tmp_path):
    """Many short runs: what starting a run costs (dispatch, the strategy's set-up, the events)."""
    runs, trials = 40, 5
    store = open_store(tmp_path / "s.sqlite", "perf")
    backend = LokyBackend(2)
    try:
        benchmark.pedantic(lambda: execute([null_task(trials) for _ in range(runs)], store,
                                           backend, progress=False), rounds=5, warmup_rounds=1)
        frame = store.trials_frame()
        recorded = (frame["eval_seconds"].sum() + frame["suggest_seconds"].sum()) / 6
        per_run = (benchmark.stats.stats.median * 2 - recorded) / runs
        NOTES.append(f"short runs on 2 loky workers: {per_run * 1e3:.2f} ms per run of {trials} "
                     f"trials, all included ({per_run / trials * 1e3:.2f} ms per trial)")
    finally:
        backend.close()
        store.close()
