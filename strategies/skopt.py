"""Bayesian optimization with scikit-optimize, one surrogate model per variant: a Gaussian
process (``skopt_gp``), a random forest (``skopt_rf``, SMAC-style), extra trees (``skopt_et``) or
gradient-boosted quantile regression (``skopt_gbrt``); ``skopt[surrogate=NAME]`` names the same.

Compatibility shim for ``GBRT``: skopt 0.10.2's ``base_estimator="GBRT"`` no longer works with
current scikit-learn and NumPy. Its ``GradientBoostingQuantileRegressor`` lists ``BaseEstimator``
before ``RegressorMixin``, so scikit-learn >= 1.6 does not tag it as a regressor ("has to be a
regressor"), and its ``predict(return_std=True)`` calls ``np.in1d``, which NumPy 2.4 removed. The
subclass below fixes both (the regressor tag; the same quantile arithmetic without ``np.in1d``)
and is built exactly as skopt's own ``cook_estimator("GBRT")`` builds it: 30 trees, quantile
loss, quantiles 16/50/84%.
"""

from bench.strategies._skopt import SkoptStrategy
from bench.variants import Parameter


def quantile_gbrt(seed):
    from sklearn.ensemble import GradientBoostingRegressor
    from skopt.learning import GradientBoostingQuantileRegressor

    class QuantileGBRT(GradientBoostingQuantileRegressor):
        def __sklearn_tags__(self):
            tags = super().__sklearn_tags__()
            tags.estimator_type = "regressor"
            return tags

        def predict(self, X, return_std=False, return_quantiles=False):
            if not return_std or return_quantiles:
                return super().predict(X, return_std=False, return_quantiles=return_quantiles)
            low, mean, high = (self.regressors_[self.quantiles.index(q)].predict(X)
                               for q in (0.16, 0.5, 0.84))
            return mean, (high - low) / 2.0

    gbrt = GradientBoostingRegressor(n_estimators=30, loss="quantile")
    return QuantileGBRT(base_estimator=gbrt, random_state=seed)


class Skopt(SkoptStrategy):
    surrogate = Parameter("GP", allowed=("GP", "RF", "ET", "GBRT"),
                          help="Gaussian process, random forest, extra trees, quantile GBRT")
    aliases = {"skopt_gp": {"surrogate": "GP"}, "skopt_rf": {"surrogate": "RF"},
               "skopt_et": {"surrogate": "ET"}, "skopt_gbrt": {"surrogate": "GBRT"}}

    def estimator(self, seed):
        return quantile_gbrt(seed) if self.surrogate == "GBRT" else self.surrogate
