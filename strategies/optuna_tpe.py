"""Tree-structured Parzen estimator (optuna's TPESampler, its default settings)."""

from bench.strategies._optuna import OptunaStrategy


class OptunaTPE(OptunaStrategy):
    def sampler(self, seed):
        from optuna.samplers import TPESampler

        return TPESampler(seed=seed)
