"""The plug-in contract: every discovered strategy, including one a user drops into
``strategies/``, is checked here without writing a test of its own."""

import math

import numpy as np
import pytest

from bench.registry import discover
from bench.runner import RunSpec, execute_run
from bench.evaluator import Outcome
from bench.problem import Fidelity
from bench.space import Categorical, Integer, Real, Space, when
from bench.strategy import Suggestion

AVAILABLE = [info for info in discover().values() if info.available]
BUDGET = 12

SPACE = Space([
    Real("lr", 1e-4, 1.0, log=True),
    Integer("depth", 1, 12),
    Integer("width", 8, 512, log=True),
    Categorical("kind", ("a", "b", "c")),
    Categorical("flag", (True, False, None)),
    Real("momentum", 0.0, 0.99, condition=when("kind", "b")),
])


def objective(config):
    """A smooth, deterministic score (higher is better) with an optimum inside the space."""
    score = -(math.log10(config["lr"]) + 2) ** 2 - ((config["depth"] - 7) / 4) ** 2
    score -= {"a": 0.5, "b": 0.0, "c": 1.0}[config["kind"]]
    return score - (0.0 if config.get("momentum") is None else (config["momentum"] - 0.9) ** 2)


class SyntheticProblem:
    """Duck-typed problem: no model to fit, so the contract test stays fast."""

    id = "synthetic"
    space = SPACE
    fidelity = Fidelity(min_fraction=0.1)
    time_limit = 10.0

    def __init__(self, fail_every=0):
        self.fail_every = fail_every
        self.calls = 0

    def evaluate_outcome(self, config, fidelity):
        self.calls += 1
        if self.fail_every and self.calls % self.fail_every == 0:
            return Outcome("failed", error="synthetic failure")
        value = objective(config) * (0.5 + 0.5 * fidelity)
        return Outcome("ok", value, 0.0, value, 0.0)


def drive(info, seed=0, fail_every=0, budget=BUDGET):
    problem = SyntheticProblem(fail_every)
    records = []
    spec = RunSpec("synthetic", info.name, info.version, seed, budget, "fp")
    outcome = execute_run(
        spec, problem, info, lambda p, params, f: problem.evaluate_outcome(params, f),
        records.append, ref_random=-10.0,
    )
    return outcome, records


@pytest.fixture(params=AVAILABLE, ids=[i.name for i in AVAILABLE])
def strategy(request):
    return request.param


def test_at_least_the_foundation_strategies_are_available():
    assert {"grid", "random", "skopt_gp"} <= {i.name for i in AVAILABLE}


def test_suggestions_stay_inside_the_space(strategy):
    instance = strategy.cls(SPACE, BUDGET, 0, 0.1)
    for _ in range(BUDGET):
        suggestion = instance.ask()
        if suggestion is None:
            break
        if isinstance(suggestion, dict):
            suggestion = Suggestion(suggestion)
        params = {k: v.item() if isinstance(v, np.generic) else v for k, v in suggestion.params.items()}
        SPACE.validate(params)
        assert type(params["depth"]) is int and type(params["width"]) is int
        assert 0.1 <= suggestion.fidelity <= 1.0
        if not strategy.multi_fidelity:
            assert suggestion.fidelity == 1.0
        instance.tell(suggestion, objective(params))


def test_budget_is_respected(strategy):
    outcome, records = drive(strategy)
    assert outcome.status == "complete", outcome.error
    total = sum(r.cost for r in records)
    assert total <= BUDGET + 1e-9
    if strategy.multi_fidelity:
        assert total > BUDGET - 1 - 1e-9  # within one full evaluation of the budget
    elif strategy.name != "grid":
        assert len(records) == BUDGET


def test_fixed_seed_gives_the_same_configurations(strategy):
    _, first = drive(strategy, seed=3)
    _, second = drive(strategy, seed=3)
    assert [(r.params, r.fidelity) for r in first] == [(r.params, r.fidelity) for r in second]


def test_failed_trials_are_told_and_the_run_goes_on(strategy):
    outcome, records = drive(strategy, fail_every=3)
    assert outcome.status == "complete", outcome.error
    assert any(r.status == "failed" for r in records)
    assert outcome.n_trials == len(records)
