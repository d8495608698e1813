"""Bayesian optimization with bayesian-optimization (``bayes_opt``), the widely used GP library:
its ``BayesianOptimization`` driven by ``suggest``/``register``, with its default Gaussian
process (Matern 2.5 kernel) and the acquisition its ``maximize`` uses by default (upper
confidence bound, kappa = 2.576). Version 1.4.0, the one nevergrad pins.

The library takes only a continuous box: the space is the unit box of
:class:`bench.codec.UnitBox` (one coordinate per numeric dimension on its own scale, one per
choice of a categorical dimension, the largest wins; every dimension searched, the inactive ones
dropped). The first ``N_INITIAL`` points are uniform random draws from the run's seed, as the
library's own ``maximize(init_points=5)`` starts. A candidate on a forbidden combination is
registered with the worst score so far (before any score, it is simply drawn again) and the
strategy asks again, without spending the harness's budget.

The library has no failed state for a point: a trial whose evaluation failed is registered with
the worst score of the run so far (the default of :meth:`bench.strategy.Strategy.tell_failure`),
which keeps the GP from proposing the failed point again (its model holds it, at the worst score);
a draw that lands on a failed configuration all the same is refused like a forbidden one
(``_failed.py``).
"""

import numpy as np

from bench.codec import UnitBox, redraw
from bench.strategies._failed import FailedConfigurations
from bench.strategy import Strategy

N_INITIAL = 5
MAX_REDRAWS = 100


class BayesOpt(Strategy):
    library = "bayesian-optimization"
    learns = True  # its suggestions follow the scores it is told (checked by the contract test)

    def __init__(self, space, budget, seed, min_fidelity=1.0):
        super().__init__(space, budget, seed, min_fidelity)
        from bayes_opt import BayesianOptimization, UtilityFunction

        self.box = UnitBox(space)
        self.keys = [f"x{i:03d}" for i in range(self.box.dim)]
        self.opt = BayesianOptimization(
            f=None, pbounds={k: (0.0, 1.0) for k in self.keys}, random_state=seed,
            allow_duplicate_points=True, verbose=0)
        self.utility = UtilityFunction(kind="ucb", kappa=2.576, xi=0.0)
        self.rng = np.random.default_rng(seed)
        self._x, self._worst, self._told = None, None, 0
        self.failed = FailedConfigurations(space)

    @classmethod
    def initial_design(cls, space, budget):
        """The uniform random draws before the GP is used (:data:`N_INITIAL`)."""
        return min(N_INITIAL, budget)

    def ask(self):
        self._x, config = redraw(self._draw, self.failed, self._refused, MAX_REDRAWS)
        return config

    def _draw(self):
        if self._told < N_INITIAL:
            x = self.rng.random(self.box.dim)
        else:
            suggested = self.opt.suggest(self.utility)
            x = np.array([suggested[k] for k in self.keys])
        return x, self.box.decode(x)

    def _refused(self, x):
        if self._worst is not None:
            self._register(x, self._worst)

    def tell(self, suggestion, score):
        self._worst = score if self._worst is None else min(self._worst, score)
        self._told += 1
        self._register(self._x, score)

    def tell_failure(self, suggestion, score):
        self.failed.add(suggestion.params)
        super().tell_failure(suggestion, score)

    def _register(self, x, score):
        self.opt.register(params=dict(zip(self.keys, map(float, x))), target=float(score))
