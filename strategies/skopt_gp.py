"""Bayesian optimization with a Gaussian-process surrogate (scikit-optimize)."""

from bench.strategies._skopt import SkoptStrategy


class SkoptGP(SkoptStrategy):
    base_estimator = "GP"
