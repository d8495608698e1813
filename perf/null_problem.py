"""A problem whose objective returns at once, and a strategy that costs nothing: what is left of
a trial's time is the harness's own (the loop, the evaluation child, the events, the store)."""

from __future__ import annotations

import numpy as np

from bench.problem import Evaluation, Fidelity
from bench.space import Categorical, Integer, Real, Space, when
from bench.strategy import Strategy

SPACE = Space([
    Categorical("kernel", ("rbf", "poly")),
    Real("C", 1e-2, 1e3, log=True),
    Real("gamma", 1e-5, 1e-1, log=True),
    Integer("degree", 2, 5, condition=when("kernel", "poly")),
])


class NullProblem:
    """Has what the runner and the evaluator use of a Problem, and an instant objective."""

    id = "null"
    space = SPACE
    fidelity = Fidelity()
    time_limit = 60.0
    requires = ()

    def prepare(self) -> None:
        pass  # no data to load

    def evaluate(self, config, fidelity=1.0) -> Evaluation:
        return Evaluation(0.5, 0.0, 0.5)


class NullStrategy(Strategy):
    """Proposes configurations drawn in advance: ask and tell cost microseconds."""

    library = "searchbench"

    def __init__(self, space, budget, seed, min_fidelity=1.0):
        super().__init__(space, budget, seed, min_fidelity)
        rng = np.random.default_rng(seed)
        self._configs = [space.sample(rng) for _ in range(min(budget, 64))]
        self._asked = 0

    def ask(self):
        self._asked += 1
        return self._configs[self._asked % len(self._configs)]

    def tell(self, suggestion, score):
        pass


def objective(config) -> float:
    """A cheap, deterministic score for the strategy benchmarks (higher is better)."""
    x = np.log10(config["C"]) - 1.0
    y = np.log10(config["gamma"]) + 3.0
    return float(-(x * x + y * y) - (0.3 if config["kernel"] == "poly" else 0.0))
