"""Bayesian optimization with BoTorch: a Gaussian process (``SingleTaskGP``, its default Matern
5/2 kernel with priors, outcomes standardized) and log expected improvement
(``LogExpectedImprovement``, Ament et al., 2023), maximized by ``optimize_acqf`` over the unit
box.

The space is the unit box of :class:`bench.codec.UnitBox` (one coordinate per numeric dimension
on its own scale, one per choice of a categorical dimension, the largest wins; every dimension
searched, the inactive ones dropped). The first ``N_INITIAL`` points come from a scrambled
Sobol' sequence. The acquisition is maximized from 256 raw samples and 4 restarts (BoTorch's
tutorials use more; at this budget the suggestion time is what it costs). Every random draw comes
from a torch generator seeded from the run's seed and the number of points told, so a resumed
run proposes the same points. Needs PyTorch (the ``torch`` extra); one torch thread per worker.
A candidate on a forbidden combination is added to the model's data with the worst score so far
(before any score, it is simply drawn again) and the strategy asks again, without spending the
harness's budget.

BoTorch's ``SingleTaskGP`` has no notion of a failed point: a trial whose evaluation failed is
added to the model's data with the worst score of the run so far (the default of
:meth:`bench.strategy.Strategy.tell_failure`), which keeps the GP from proposing it again; a
draw that lands on a failed configuration all the same is refused like a forbidden one
(``_failed.py``).
"""

import numpy as np

from bench.codec import UnitBox, redraw
from bench.strategies._failed import FailedConfigurations
from bench.strategy import Strategy

N_INITIAL = 5
RAW_SAMPLES = 256
RESTARTS = 4
MAX_REDRAWS = 100


class BoTorchLogEI(Strategy):
    library = "botorch"
    requires = ("torch", "gpytorch")
    learns = True  # its suggestions follow the scores it is told (checked by the contract test)

    def __init__(self, space, budget, seed, min_fidelity=1.0):
        super().__init__(space, budget, seed, min_fidelity)
        import torch

        torch.set_num_threads(1)
        self.box = UnitBox(space)
        self.sobol = torch.quasirandom.SobolEngine(self.box.dim, scramble=True, seed=seed)
        self.xs, self.ys = [], []
        self._x, self._draws = None, 0
        self.failed = FailedConfigurations(space)

    @classmethod
    def initial_design(cls, space, budget):
        """The Sobol' points before the GP is used (:data:`N_INITIAL`)."""
        return min(N_INITIAL, budget)

    def ask(self):
        self._x, config = redraw(self._draw, self.failed, self._refused, MAX_REDRAWS)
        return config

    def _refused(self, x):
        if self.ys:
            self.xs.append(x)
            self.ys.append(min(self.ys))

    def _draw(self):
        self._draws += 1
        if len(self.ys) < N_INITIAL:
            x = self.sobol.draw(1)[0].double().numpy()
        else:
            x = self._maximize()
        return x, self.box.decode(x)

    def _maximize(self):
        import torch
        from botorch.acquisition import LogExpectedImprovement
        from botorch.fit import fit_gpytorch_mll
        from botorch.models import SingleTaskGP
        from botorch.models.transforms.outcome import Standardize
        from botorch.optim import optimize_acqf
        from gpytorch.mlls import ExactMarginalLogLikelihood

        with torch.random.fork_rng():
            torch.manual_seed(self.seed * 7919 + self._draws)
            X = torch.tensor(np.array(self.xs), dtype=torch.double)
            Y = torch.tensor(self.ys, dtype=torch.double).unsqueeze(-1)
            model = SingleTaskGP(X, Y, outcome_transform=Standardize(m=1))
            fit_gpytorch_mll(ExactMarginalLogLikelihood(model.likelihood, model))
            acquisition = LogExpectedImprovement(model, best_f=Y.max())
            bounds = torch.stack([torch.zeros(self.box.dim), torch.ones(self.box.dim)]).double()
            candidate, _ = optimize_acqf(acquisition, bounds, q=1, num_restarts=RESTARTS,
                                         raw_samples=RAW_SAMPLES)
        return candidate[0].detach().numpy()

    def tell(self, suggestion, score):
        self.xs.append(self._x)
        self.ys.append(float(score))

    def tell_failure(self, suggestion, score):
        self.failed.add(suggestion.params)
        super().tell_failure(suggestion, score)
