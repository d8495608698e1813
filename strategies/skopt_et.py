"""Bayesian optimization with an extra-trees surrogate (scikit-optimize)."""

from bench.strategies._skopt import SkoptStrategy


class SkoptET(SkoptStrategy):
    base_estimator = "ET"
