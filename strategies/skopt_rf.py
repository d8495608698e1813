"""Bayesian optimization with a random-forest surrogate (scikit-optimize, SMAC-style)."""

from bench.strategies._skopt import SkoptStrategy


class SkoptRF(SkoptStrategy):
    base_estimator = "RF"
