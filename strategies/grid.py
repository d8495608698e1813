"""Grid search as a practitioner writes it: the finest full grid that fits the budget
(``Space.finest_grid``), evaluated in a seeded random order.

Numeric levels at the centres of equal cells on each dimension's own (linear or log) scale,
never its bounds; level counts balanced (they differ by at most one); categorical values
enumerated while the budget allows, else reduced like the others keeping their default;
conditional dimensions enumerated only under the values that activate them. Budget the grid
leaves over stays unused.
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
