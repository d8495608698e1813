"""Bayesian optimization with a Gaussian process (optuna's GPSampler).

Optional: optuna's GP runs on PyTorch, which searchbench does not install. Without it the
strategy is listed as unavailable; installing PyTorch (a CPU build is enough) makes it run.
"""

from bench.strategies._optuna import OptunaStrategy


class OptunaGP(OptunaStrategy):
    requires = ("torch",)

    def sampler(self, seed):
        from optuna.samplers import GPSampler

        return GPSampler(seed=seed)
