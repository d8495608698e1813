"""Differential evolution (nevergrad's TwoPointsDE: two-points crossover, its default DE variant
for mixed and discrete spaces)."""

from bench.strategies._nevergrad import NevergradStrategy


class NevergradDE(NevergradStrategy):
    optimizer = "TwoPointsDE"
