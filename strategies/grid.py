"""Grid search: the finest full grid that fits the budget, evaluated in a seeded random order.

Categorical dimensions take all their values; numeric dimensions share the remaining levels as
evenly as possible on their own (linear or log) scale. Budget the grid leaves over stays unused.
"""

import numpy as np

from bench.strategy import Strategy


class GridSearch(Strategy):
    library = "searchbench"

    def __init__(self, space, budget, seed, min_fidelity=1.0):
        super().__init__(space, budget, seed, min_fidelity)
        _, grid = space.finest_grid(budget)
        order = np.random.default_rng(seed).permutation(len(grid))[:budget]
        self._pending = [grid[i] for i in reversed(order)]

    def ask(self):
        return self._pending.pop() if self._pending else None

    def tell(self, suggestion, score):
        pass
