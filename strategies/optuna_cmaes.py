"""CMA-ES (optuna's CmaEsSampler, backed by the ``cmaes`` package).

CMA-ES models the numeric dimensions that every trial shares; categorical and conditional
dimensions are drawn by optuna's independent (random) sampler, as optuna documents.
"""

from bench.strategies._optuna import OptunaStrategy


class OptunaCMAES(OptunaStrategy):
    requires = ("cmaes",)

    def sampler(self, seed):
        from optuna.samplers import CmaEsSampler

        return CmaEsSampler(seed=seed, warn_independent_sampling=False)
