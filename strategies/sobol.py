"""Quasi-random search: a scrambled Sobol' sequence (scipy.stats.qmc) mapped onto the space.

Each point of the unit hypercube has one coordinate per dimension, which ``Space.from_unit`` maps
on that dimension's own (linear or log) scale; the coordinates of inactive dimensions are dropped.
Points are drawn in blocks whose sizes keep the running total a power of two (the first block
covers the budget), as Sobol' balance properties require. A point that lands on a forbidden
combination is skipped.
"""

import math

from scipy.stats import qmc

from bench.strategy import Strategy

#: Skipped points allowed in a row before the space is declared impossible to sample.
MAX_SKIPS = 10_000


class SobolSearch(Strategy):
    library = "scipy"

    def __init__(self, space, budget, seed, min_fidelity=1.0):
        super().__init__(space, budget, seed, min_fidelity)
        self.engine = qmc.Sobol(d=len(space), scramble=True, rng=seed)
        self.first_block = max(0, math.ceil(math.log2(max(budget, 1))))
        self._points = []

    def ask(self):
        for _ in range(MAX_SKIPS):
            if not self._points:
                generated = self.engine.num_generated
                m = self.first_block if generated == 0 else int(math.log2(generated))
                self._points = list(self.engine.random_base2(m))[::-1]
            config = self.space.from_unit(self._points.pop())
            if not self.space.is_forbidden(config):
                return config
        raise RuntimeError(f"{MAX_SKIPS} Sobol' points in a row fell on forbidden combinations")

    def tell(self, suggestion, score):
        pass
