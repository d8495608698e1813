"""The plug-in contract: every discovered strategy, including one a user drops into
``strategies/``, is checked here without writing a test of its own.

Each strategy runs through the real run loop (:func:`bench.runner.execute_run`) on a synthetic
problem whose space has every kind of dimension, nested conditions, categorical values that
libraries' encoders tend to merge, and forbidden combinations. The end-to-end tests at the bottom
drive the real command line with a strategy that breaks the rules.
"""

import functools
import gc
import hashlib
import inspect
import json
import math
import os
import subprocess
import sys
import tempfile
import warnings
from pathlib import Path

import pytest
from threadpoolctl import threadpool_limits

from conftest import computed_once

from bench.evaluator import Outcome
from bench.problem import Fidelity
from bench.registry import discover
from bench.records import RunSpec
from bench.runner import execute_run
from bench.space import Categorical, Forbidden, Integer, Real, Space, when
from bench.environment import distribution_version

ROOT = Path(__file__).resolve().parents[1]

FOUND = list(discover().values())
AVAILABLE = [info for info in FOUND if info.available]
BY_NAME = {info.name: info for info in AVAILABLE}
#: The smallest contract budget: enough trials for the checks that the space is explored (several
#: categorical values, both branches of the nested condition) and for a multi-fidelity strategy
#: to reach full fidelity.
MIN_BUDGET = 12
#: Trials past a strategy's declared initial design, so that its model is used in the contract
#: test (it proposes this many suggestions, and is told their scores).
PAST_DESIGN = 4
MIN_FIDELITY = 0.1

SPACE = Space([
    Real("lr", 1e-4, 1.0, log=True),
    Integer("depth", 1, 12),
    Integer("width", 8, 512, log=True),
    Categorical("kind", ("a", "b", "c")),
    Categorical("flag", (True, False, None)),
    Categorical("mixed", (1, True, 0.5, "1", None)),  # equal or alike values must stay apart
    Real("momentum", 0.0, 0.99, condition=when("kind", "b")),
    Categorical("nesterov", (True, False), condition=when("kind", "b", "c")),
    Real("dampening", 0.0, 0.5, condition=when("nesterov", False)),  # a condition on a condition
], forbidden=[Forbidden({"kind": "c", "flag": (True, None)}), Forbidden({"kind": "a", "width": 512})])


def objective(config):
    """A smooth, deterministic score (higher is better) with an optimum inside the space."""
    score = -(math.log10(config["lr"]) + 2) ** 2 - ((config["depth"] - 7) / 4) ** 2
    score -= {"a": 0.5, "b": 0.0, "c": 1.0}[config["kind"]]
    score -= 0.1 * (math.log2(config["width"]) - 6) ** 2 / 9
    score -= 0.0 if config.get("momentum") is None else (config["momentum"] - 0.9) ** 2
    return score - config.get("dampening", 0.0)


class SyntheticProblem:
    """Duck-typed problem: no model to fit, so the contract test stays fast."""

    id = "synthetic"
    space = SPACE
    fidelity = Fidelity(min_fraction=MIN_FIDELITY)
    time_limit = 10.0

    def __init__(self, fail_every=0):
        self.fail_every = fail_every
        self.calls = 0

    def evaluate_outcome(self, config, fidelity):
        self.calls += 1
        if self.fail_every and self.calls % self.fail_every == 0:
            return Outcome("failed", error="synthetic failure")
        value = objective(config) * (1.5 - 0.5 * fidelity)  # lower fidelity, worse score
        return Outcome("ok", value, 0.0, value, 0.0)


@functools.cache
def contract_budget(name):
    """The contract test's budget for strategy ``name``: the smallest from MIN_BUDGET up that
    leaves PAST_DESIGN trials past its declared initial design (which may grow with the budget:
    SMAC's is a quarter of it)."""
    cls = BY_NAME[name].cls
    budget = MIN_BUDGET
    while budget - cls.initial_design(SPACE, budget) < PAST_DESIGN:
        budget += 1
        assert budget < 1000, f"{name}'s initial design never leaves {PAST_DESIGN} trials"
    return budget


def run_once(name, seed=0, fail_every=0, budget=None):
    """One run of strategy ``name`` through the harness's own loop: (outcome, trial records);
    ``budget`` defaults to the strategy's :func:`contract_budget`."""
    info = BY_NAME[name]
    budget = contract_budget(name) if budget is None else budget
    problem = SyntheticProblem(fail_every)
    records = []
    spec = RunSpec("synthetic", info.name, info.version, seed, budget, "fp")
    with threadpool_limits(1):  # as the harness runs strategies: one BLAS thread per worker
        outcome = execute_run(
            spec, problem, info, lambda p, params, f: problem.evaluate_outcome(params, f),
            records.append, ref_random=-10.0,
        )
    return outcome, tuple(records)


#: The same runs, computed once for the several checks that read them.
drive = functools.cache(run_once)


def trace(records):
    """The configurations and fidelities a run proposed, as canonical JSON."""
    return json.dumps([[r.params, r.fidelity] for r in records], sort_keys=True)


def print_traces(names):
    """Entry point of the cross-process test's child processes: the traces of seed 0."""
    print(json.dumps({name: trace(drive(name)[1]) for name in names}))


@pytest.fixture(params=FOUND, ids=[i.name for i in FOUND])
def strategy(request):
    info = request.param
    if not info.available:  # shown, with its reason, rather than silently left out
        pytest.skip(f"{info.name} is unavailable: {info.reason}")
    return info


def test_at_least_twenty_strategies_from_nine_libraries_three_multi_fidelity():
    own = {"searchbench", "numpy", "scipy"}  # the project's own strategies count as one library
    libraries = {"searchbench" if i.library in own else i.library for i in AVAILABLE}
    assert len(AVAILABLE) >= 20 and len(libraries) >= 9
    assert sum(1 for info in AVAILABLE if info.multi_fidelity) >= 3
    assert {"grid", "random", "sobol", "skopt_gp", "optuna_tpe", "hyperopt_tpe", "smac",
            "ng_ngopt", "successive_halving", "hyperband", "smac_mf", "bayes_opt", "cmaes",
            "pycma", "hyperopt_anneal", "ng_pso", "ng_oneplusone"} <= set(BY_NAME)
    if all(distribution_version(d) for d in ("torch", "botorch")):  # the torch extra
        assert len(AVAILABLE) >= 22 and len(libraries) >= 10
        assert {"botorch", "optuna_gp"} <= set(BY_NAME)


def test_suggestions_stay_inside_the_space(strategy):
    outcome, records = drive(strategy.name)
    # the harness fails a run at the first suggestion outside the space, saying which rule broke
    assert outcome.status == "complete", outcome.error
    assert records
    for r in records:
        SPACE.validate(r.params)  # types, bounds, categories, conditions, forbidden combinations
        assert MIN_FIDELITY <= r.fidelity <= 1.0
        if not strategy.multi_fidelity:
            assert r.fidelity == 1.0
    # the space is explored, not only its first choices: several categorical values, and both
    # branches of the nested condition (grid search too: it keeps every choice, protocol v3)
    assert len({r.params["kind"] for r in records}) > 1
    assert any("momentum" in r.params for r in records)
    assert any("dampening" in r.params for r in records)


def test_budget_is_respected(strategy):
    outcome, records = drive(strategy.name)
    assert outcome.status == "complete", outcome.error
    assert all(r.cost == r.fidelity for r in records)
    total = sum(r.cost for r in records)
    budget = contract_budget(strategy.name)
    assert total <= budget + 1e-9
    if strategy.multi_fidelity:
        assert total > budget - 1 - 1e-9  # within one full evaluation of the budget
        assert any(r.fidelity < 1 for r in records) and any(r.fidelity == 1 for r in records)
    elif strategy.name != "grid":
        assert len(records) == budget


def test_an_initial_design_is_declared_only_by_a_strategy_that_learns(strategy):
    """The contract budgets are derived from it: a strategy whose suggestions ignore the scores
    has no model to wait for, and no design is longer than the run."""
    for budget in (1, 6, 50):
        design = strategy.cls.initial_design(SPACE, budget)
        assert isinstance(design, int) and 0 <= design <= budget
        if not strategy.cls.learns:
            assert design == 0


# A fixed seed gives the same configurations in a fresh strategy instance, as a resumed run gets:
# checked by test_same_configurations_in_another_process, whose child process runs a fresh
# instance of every strategy (the separate rerun in this process that was here repeated it).


def test_another_seed_gives_other_configurations(strategy):
    _, first = drive(strategy.name, seed=0, budget=6)
    _, other = drive(strategy.name, seed=1, budget=6)
    assert trace(other) != trace(first)


def test_failed_trials_are_told_and_the_run_goes_on(strategy):
    outcome, records = drive(strategy.name, fail_every=3)
    assert outcome.status == "complete", outcome.error
    assert any(r.status == "failed" for r in records)
    assert outcome.n_trials == len(records)


def test_nothing_is_left_in_the_working_or_temporary_folders(strategy, tmp_path, monkeypatch):
    """Libraries that write files (SMAC's output folder) must write them into a temporary folder
    and remove it with the strategy."""
    work, temporary = tmp_path / "work", tmp_path / "tmp"
    work.mkdir(), temporary.mkdir()
    monkeypatch.chdir(work)
    monkeypatch.setattr(tempfile, "tempdir", str(temporary))
    outcome, _ = run_once(strategy.name, budget=6)
    assert outcome.status == "complete", outcome.error
    gc.collect()  # a strategy caught in a reference cycle is freed here
    assert list(work.iterdir()) == [] and list(temporary.iterdir()) == []


@pytest.fixture(scope="module")
def traces_in_another_process(request, tmp_path_factory):
    """Traces of seed 0 computed by a fresh process whose string hashing differs from this one's
    (once per session, whichever test process asks first).

    Only the strategies whose cross-process test was collected are traced, so that ``-k name``
    stays quick."""
    names = sorted({
        item.callspec.params["strategy"].name for item in request.session.items
        if item.originalname == "test_same_configurations_in_another_process"
        and item.callspec.params["strategy"].available
    })

    def compute():
        # one child: with this process it makes two processes, two hash seeds, fresh instances
        hash_seed = "2" if os.environ.get("PYTHONHASHSEED") == "1" else "1"
        env = dict(os.environ, PYTHONHASHSEED=hash_seed)
        code = f"import test_strategies as t; t.print_traces({names!r})"
        child = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, text=True,
                               capture_output=True, timeout=600)
        assert child.returncode == 0, child.stderr
        return json.loads(child.stdout.strip().splitlines()[-1])

    key = hashlib.sha256(" ".join(names).encode()).hexdigest()[:16]  # a file name of any length
    return computed_once(tmp_path_factory, f"traces-{key}", compute)


def test_same_configurations_in_another_process(strategy, traces_in_another_process):
    """A resumed run replays its trials into a fresh strategy, possibly in another process: the
    strategy must propose the same configurations whatever the process's hash seed. The child
    runs a fresh instance with another hash seed than this process, so this also checks that a
    fixed seed gives a fresh instance the same configurations, as a resumed run needs."""
    assert traces_in_another_process[strategy.name] == trace(drive(strategy.name)[1])


# -- scores guide the search: a sign error in an adapter fails here ------------------------------

#: Strategies that declare that their suggestions follow their scores (``learns = True``).
LEARNERS = [info for info in AVAILABLE if info.cls.learns]
SMOOTH = Space([Real("x", -2.0, 2.0), Real("y", -2.0, 2.0)])
SIGN_SEEDS = (0, 1, 2)
#: A run's budget: twice the strategy's initial design, so that the second half of the trials,
#: which decides, is all past it (skopt's 10 random points: 20 trials), and at least 20.
SIGN_BUDGET = 20
#: Strategies whose first generation alone fills SIGN_BUDGET (nevergrad's DE draws 30 points,
#: its PSO 40, before any score can matter): three generations' worth.
SIGN_BUDGETS = {"ng_de": 90, "ng_pso": 120}


def sign_budget(info) -> int:
    if info.name in SIGN_BUDGETS:
        return SIGN_BUDGETS[info.name]
    budget = SIGN_BUDGET
    while 2 * info.cls.initial_design(SMOOTH, budget) > budget:
        budget += 1
    return budget


def smooth(config):
    """A smooth bowl with its top inside the box, off its centre (higher is better)."""
    return -((config["x"] - 0.7) ** 2 + (config["y"] + 0.4) ** 2)


class SmoothProblem:
    """The bowl, its scores told as they are (sign 1) or negated (sign -1)."""

    id = "smooth"
    space = SMOOTH
    fidelity = Fidelity(min_fraction=0.25)
    time_limit = 10.0

    def __init__(self, sign):
        self.sign = sign

    def evaluate_outcome(self, config, fidelity):
        value = self.sign * smooth(config)
        return Outcome("ok", value, 0.0, value, 0.0)


def best_late(info, sign, seed):
    """The best true score among the second half of a run's trials: what the strategy found once
    its initial design was behind it (the first half is the same whatever it is told)."""
    problem = SmoothProblem(sign)
    records = []
    spec = RunSpec("smooth", info.name, info.version, seed, sign_budget(info), "fp")
    with threadpool_limits(1):
        outcome = execute_run(spec, problem, info,
                              lambda p, params, f: problem.evaluate_outcome(params, f),
                              records.append, ref_random=-10.0)
    assert outcome.status == "complete", outcome.error
    return max(smooth(r.params) for r in records[len(records) // 2:])


@pytest.mark.parametrize("learner", LEARNERS, ids=[i.name for i in LEARNERS])
def test_true_scores_lead_higher_than_negated_ones(learner):
    """Told the true scores, a strategy that learns finds better points than told their negation
    (which leads it to the bowl's rim), on average over a few seeds. An adapter that forgets to
    negate for a minimizing library, or negates twice, fails here."""
    truth = [best_late(learner, 1, seed) for seed in SIGN_SEEDS]
    negated = [best_late(learner, -1, seed) for seed in SIGN_SEEDS]
    assert sum(truth) > sum(negated), (truth, negated)


# -- end to end: a strategy that breaks the rules, dropped into a copy of strategies/ ------------

OUTSIDE = '''"""Proposes its space's default configuration with the first numeric value above its bound."""

from bench.strategy import Strategy


class Outside(Strategy):
    def ask(self):
        config = self.space.default()
        dim = next(d for d in self.space if d.kind != "categorical" and d.name in config)
        config[dim.name] = int(dim.high) + 1
        return config

    def tell(self, suggestion, score):
        pass
'''


def test_a_strategy_outside_the_space_fails_only_its_own_runs(tmp_path, cli, strategies_copy):
    (strategies_copy / "outside.py").write_text(OUTSIDE)
    store = tmp_path / "store.sqlite"
    proc = cli("run", "tiny", "--strategies", "outside,random", "--problems", "tree-blobs,knn-blobs",
               "--store", store, "--jobs", "1", "--no-progress", catalogue="tiny_catalogue", check=1)
    assert "4 completed, 4 failed" in proc.stderr
    failed = [line for line in proc.stderr.splitlines() if " / seed " in line]
    assert len(failed) == 4 and all(" / outside / " in line for line in failed)
    origin = str(strategies_copy / "outside.py")
    assert f"tree-blobs / outside / seed 0: strategy 'outside' ({origin}) proposed a configuration " \
           "outside the space: max_depth=9 is outside [1, 8]" in proc.stderr
    assert "n_neighbors=16 is outside [1, 15]" in proc.stderr

    again = cli("run", "tiny", "--strategies", "random", "--problems", "tree-blobs,knn-blobs",
                "--store", store, "--jobs", "1", catalogue="tiny_catalogue", check=0)
    assert "4 runs (4 done" in again.stderr  # random's runs all finished the first time


def test_a_dropped_in_strategy_is_checked_by_the_contract_test(strategies_copy):
    """The contract test needs no edit to cover a new file: its parametrization is discovery."""
    (strategies_copy / "mine.py").write_text(
        (ROOT / "strategies" / "random.py").read_text().replace("RandomSearch", "Mine"))
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-k", "mine",
         str(ROOT / "tests" / "test_strategies.py")],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    per_strategy = [name for name, test in globals().items() if name.startswith("test_")
                    and "strategy" in inspect.signature(test).parameters]
    assert f"{len(per_strategy)} passed" in proc.stdout, proc.stdout


def test_smac_does_not_warn_on_a_real_run():
    """SMAC 2's local search averages an empty list of step times for a debug message; with real
    scores on svc-wine this happened within 50 trials of seed 0 and printed RuntimeWarnings over
    the progress bar. The adapter silences exactly that; any other warning fails the run here."""
    if not discover()["smac"].available:
        pytest.skip("smac is not installed")
    from bench.catalogue import load_catalogue
    from bench.evaluator import evaluate_here

    problem = load_catalogue("bench.datasets").problems["svc-wine"]
    spec = RunSpec(problem.id, "smac", "v", 0, 50, "fp")
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        outcome = execute_run(spec, problem, discover()["smac"], evaluate_here, lambda r: None)
    assert outcome.status == "complete", outcome.error
