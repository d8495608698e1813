"""Costs measured the way trials are timed (protocol v3): each trial's CPU seconds beside its
wall seconds, cost curves in those CPU seconds on the trials' own evaluation path, and run keys
that change with the cost curve and ref_random a run is charged by and told."""

import dataclasses
import hashlib
import json
import statistics
import time

import pytest

from bench.costcurve import charge, measure_curve, rungs
from bench.evaluator import ChildEvaluator, Outcome, evaluate_here
from bench.plan import build_plan, make_task, run_specs, select_strategies
from bench.problem import TrialFailed
from bench.records import RunOutcome, RunSpec, problem_terms, run_terms
from bench.registry import discover
from bench.runner import execute_run
from bench.store import open_store
from bench.suite import Suite


class _Evaluation:
    score, score_std, test_score, extras = 0.5, 0.0, 0.5, None


class Sleeping:
    """An evaluation that waits without computing: wall seconds, next to no CPU seconds."""

    def evaluate(self, config, fidelity=1.0):
        time.sleep(0.3)
        return _Evaluation()


class Busy:
    """An evaluation that computes for 0.1 CPU seconds."""

    def evaluate(self, config, fidelity=1.0):
        start = time.process_time()
        while time.process_time() - start < 0.1:
            pass
        return _Evaluation()


class Failing:
    def evaluate(self, config, fidelity=1.0):
        raise TrialFailed("no")


def test_an_evaluation_records_its_cpu_seconds_beside_its_wall_seconds():
    asleep = evaluate_here(Sleeping(), {}, 1.0)
    assert asleep.status == "ok" and asleep.seconds >= 0.3
    assert asleep.cpu_seconds is not None and asleep.cpu_seconds < 0.1  # waiting is not compute
    busy = evaluate_here(Busy(), {}, 1.0)
    assert busy.cpu_seconds >= 0.1
    failed = evaluate_here(Failing(), {}, 1.0)
    assert failed.status == "failed" and failed.cpu_seconds is not None


def test_the_child_reports_the_cpu_seconds_of_its_evaluation_and_none_for_a_timeout(tiny):
    child = ChildEvaluator()
    try:
        ok = child(tiny.problems["tree-blobs"], {"max_depth": 3, "criterion": "gini",
                                                 "min_impurity_decrease": 0.0}, 1.0)
        stopped = child(tiny.problems["slow-line"], {"alpha": 2.5}, 1.0)
    finally:
        child.close()
    assert ok.status == "ok" and ok.cpu_seconds is not None and ok.cpu_seconds > 0
    assert stopped.status == "timeout" and stopped.cpu_seconds is None  # killed: unknown


def test_a_trial_record_keeps_the_cpu_seconds_through_the_store_and_a_replay(tiny, tmp_path):
    def evaluate(problem, params, fidelity):
        return Outcome("ok", 0.5, 0.0, 0.5, seconds=0.9, cpu_seconds=0.25)

    spec = RunSpec("tree-blobs", "random", "v", 0, 3, "fp")
    records = []
    info = discover()["random"]
    execute_run(spec, tiny.problems["tree-blobs"], info, evaluate, records.append)
    assert [(r.eval_seconds, r.eval_cpu_seconds) for r in records] == [(0.9, 0.25)] * 3
    store = open_store(tmp_path / "s.sqlite", "fp")
    store.start_run(spec)
    for r in records:
        store.add_trial(r)
    assert store.trials(spec.run_id) == records
    assert list(store.trials_frame([spec.run_id])["eval_cpu_seconds"]) == [0.25] * 3
    store.close()

    calls = []

    def counted(problem, params, fidelity):
        calls.append(params)
        return evaluate(problem, params, fidelity)

    again = []
    outcome = execute_run(dataclasses.replace(spec, budget=4), tiny.problems["tree-blobs"], info,
                          counted, again.append, prior=records)
    # the 3 stored trials are replayed (told, not evaluated again), then 1 new one is evaluated
    assert outcome.status == "complete" and len(calls) == 1 and len(again) == 1
    assert again[0].trial == 3 and again[0].eval_cpu_seconds == 0.25


class Timed:
    """An evaluator that reports made-up seconds: CPU seconds with a fixed overhead below full
    fidelity (as subsampling the folds costs), and a wall time that says nothing."""

    def __init__(self, fail_at=None):
        self.calls = []
        self.fail_at = fail_at

    def cpu(self, params, fidelity):
        size = 1.0 + params["alpha"] % 1.0  # configurations differ in cost
        return 0.01 * size * (0.5 + 0.5 * fidelity) + (0.006 if fidelity < 1 else 0.0)

    def __call__(self, problem, params, fidelity):
        self.calls.append((params, fidelity))
        if self.fail_at is not None and params == self.fail_at and fidelity < 1:
            return Outcome("failed", seconds=5.0, cpu_seconds=0.001, error="no")
        return Outcome("ok", 0.5, 0.0, 0.5, seconds=5.0, cpu_seconds=self.cpu(params, fidelity))


def test_a_curve_is_the_ratio_of_mean_cpu_seconds_that_the_evaluator_reports(tiny):
    problem = tiny.problems["ridge-line"]  # fidelities down to 0.25
    timed = Timed()
    measured = measure_curve(problem, timed, configs=4)
    configs = [c for c, f in timed.calls[1:] if f == 1.0]  # the first call is not measured
    assert len(configs) == 5 and measured["configs"] == 5
    full = statistics.fmean(timed.cpu(c, 1.0) for c in configs)
    for f, c in measured["curve"]:
        expected = statistics.fmean(timed.cpu(p, f) for p in configs) / full
        assert c == pytest.approx(expected, abs=1e-6)
    assert [f for f, _ in measured["curve"]] == pytest.approx(rungs(0.25))
    # the overhead makes 1/3 dearer than a full evaluation: it is charged so, not clipped to 1
    assert charge(1 / 3, measured["curve"]) > 1.0
    assert measured["seconds"]["1"] == pytest.approx(full, abs=1e-6)


def test_a_configuration_that_fails_at_some_fidelity_is_left_out_of_every_rung(tiny):
    problem = tiny.problems["ridge-line"]
    first = Timed()
    measure_curve(problem, first, configs=4)
    configs = [c for c, f in first.calls[1:] if f == 1.0]
    measured = measure_curve(problem, Timed(fail_at=configs[2]), configs=4)
    assert measured["configs"] == 4


def test_the_curve_in_the_child_is_the_child_s_cpu_seconds(tiny):
    """Through the runs' evaluator the seconds per rung are those its child reports."""
    seen = []
    child = ChildEvaluator()

    def watched(problem, params, fidelity):
        outcome = child(problem, params, fidelity)
        seen.append((fidelity, outcome.cpu_seconds))
        return outcome

    try:
        measured = measure_curve(tiny.problems["ridge-line"], watched, configs=1)
    finally:
        child.close()
    full = statistics.fmean(t for f, t in seen[1:] if f == 1.0)
    assert measured["seconds"]["1"] == pytest.approx(full, abs=1e-6)
    assert measured["curve"][-1] == [1.0, 1.0] and all(c > 0 for _, c in measured["curve"])


# -- the run key covers the terms a run is charged by and told ------------------------------
def test_run_terms_change_with_the_curve_or_ref_random_and_are_empty_without_either():
    curve = ((1 / 9, 0.4), (1.0, 1.0))
    base = run_terms(0.5, curve)
    assert base == run_terms(0.5, [[1 / 9, 0.4], [1.0, 1.0]])  # lists or tuples alike
    assert run_terms(0.5, ((1 / 9, 0.41), (1.0, 1.0))) != base
    assert run_terms(0.51, curve) != base
    assert run_terms(0.5, None) not in (base, "")
    assert run_terms(None, None) == ""


def test_a_run_spec_keyed_by_terms_is_another_run_and_without_them_keeps_its_old_id():
    spec = RunSpec("p", "s", "v", 0, 10, "fp")
    old = json.dumps({"problem": "p", "strategy": "s", "strategy_version": "v", "seed": 0,
                      "budget": 10, "fingerprint": "fp"}, sort_keys=True)
    assert spec.run_id == hashlib.sha256(old.encode()).hexdigest()[:20]
    a = dataclasses.replace(spec, terms=run_terms(0.5, None))
    b = dataclasses.replace(spec, terms=run_terms(0.6, None))
    assert len({spec.run_id, a.run_id, b.run_id}) == 3


SUITE = Suite("tiny", ("ridge-line",), ("random", "successive_halving"), seeds=1, budget=2)


def _refreshed(catalogue, **changes):
    refs = dict(catalogue.references)
    refs["ridge-line"] = dataclasses.replace(refs["ridge-line"], **changes)
    return dataclasses.replace(catalogue, references=refs)


def _done(catalogue, strategies, store):
    return {s.strategy for s in build_plan(SUITE, catalogue, strategies, store).done}


def test_a_run_made_under_another_curve_or_ref_random_is_not_taken_as_done(tiny, tmp_path):
    strategies = select_strategies(SUITE.strategies, discover())
    assert [s.multi_fidelity for s in strategies] == [False, True]
    store = open_store(tmp_path / "s.sqlite", tiny.fingerprint)
    for spec in run_specs(SUITE, tiny, strategies):
        assert spec.terms != ""
        store.start_run(spec)
        store.finish_run(RunOutcome(spec.run_id, "complete", "", 0, 2.0))
    assert _done(tiny, strategies, store) == {"random", "successive_halving"}
    # a new curve: the multi-fidelity run was charged by the old one and is made again; random
    # search is charged 1 per trial under any curve, and its run stands
    curve = _refreshed(tiny, cost_curve=((0.25, 0.6), (1.0, 1.0)))
    assert _done(curve, strategies, store) == {"random"}
    plan = build_plan(SUITE, curve, strategies, store)
    (task,) = plan.todo
    assert task.cost_curve == ((0.25, 0.6), (1.0, 1.0))
    assert task.spec.terms == run_terms(task.ref_random, task.cost_curve)
    # a new ref_random: every run was told it (on a failed trial) and is made again
    told = _refreshed(tiny, ref_random=0.8)
    assert _done(told, strategies, store) == set()
    assert {t.ref_random for t in build_plan(SUITE, told, strategies, store).todo} == {0.8}
    store.close()


def test_a_task_is_never_given_other_terms_than_its_key_says(tiny):
    strategies = select_strategies(["random"], discover())
    (spec,) = run_specs(SUITE, tiny, strategies)
    ref = tiny.reference("ridge-line")
    make_task(spec, tiny, strategies[0], (), ref.ref_random, None, ref.cost_curve)  # agrees
    with pytest.raises(ValueError, match="keyed for other terms"):
        make_task(spec, tiny, strategies[0], (), ref.ref_random + 0.1, None, ref.cost_curve)


def test_a_report_records_cpu_seconds_and_terms_that_seed_its_runs_again(tmp_path, cli, tiny):
    """End to end: the report's trial table carries each trial's CPU seconds, and its manifest
    the terms its runs were made under, so that its runs seed a fresh store (and only under
    those terms)."""
    import pandas as pd

    from bench.seeding import seed_store

    args = ("--strategies", "random,successive_halving", "--problems", "ridge-line", "--seeds",
            "1", "--budget", "3")
    store, out = tmp_path / "made.sqlite", tmp_path / "out"
    cli("run", "tiny", *args, "--store", store, "--jobs", "1", "--no-progress",
        catalogue="tiny_catalogue", check=0)
    cli("report", "tiny", *args, "--store", store, "--out", out, catalogue="tiny_catalogue",
        check=0)
    trials = pd.read_parquet(out / "trials.parquet")
    ok = trials[trials["status"] == "ok"]
    assert len(ok) and (ok["eval_cpu_seconds"] > 0).all()
    manifest = json.loads((out / "manifest.json").read_text())
    ref = tiny.reference("ridge-line")
    assert manifest["run_terms"] == {"ridge-line": {"ref_random": ref.ref_random,
                                                    "cost_curve": None}}

    suite = Suite("tiny", ("ridge-line",), ("random", "successive_halving"), seeds=1, budget=3)
    strategies = select_strategies(suite.strategies, discover())

    def seeded(catalogue, name):
        fresh = open_store(tmp_path / name, catalogue.fingerprint)
        said = []
        count = seed_store(fresh, suite, catalogue, strategies,
                           run_specs(suite, catalogue, strategies), out, said.append)
        fresh.close()
        return count, said

    assert seeded(tiny, "same.sqlite")[0] == 2
    # a curve frozen since: successive halving's run was charged f, not c(f), and is not copied
    count, said = seeded(_refreshed(tiny, cost_curve=((0.25, 0.6), (1.0, 1.0))), "curve.sqlite")
    assert count == 1 and any("another cost curve or ref_random now" in s for s in said), said
