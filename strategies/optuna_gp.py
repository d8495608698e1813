"""Bayesian optimization with a Gaussian process (optuna's GPSampler).

Optional: optuna's GP runs on PyTorch, the ``searchbench[torch]`` extra. Without it the strategy
is listed as unavailable; with it, it runs in the suites that name it (not in those that list no
strategies, whose runs must not depend on which extras are installed).
"""

from bench.strategies._optuna import OptunaStrategy


class OptunaGP(OptunaStrategy):
    requires = ("torch",)
    needs_extra = "torch"  # runs only in suites that name it (the generative suite does)

    def sampler(self, seed):
        from optuna.samplers import GPSampler

        # Conditional dimensions are drawn at random by design (optuna's GP models only the
        # dimensions every trial has); the warning it logs for each would flood a run's output.
        return GPSampler(seed=seed, warn_independent_sampling=False)
