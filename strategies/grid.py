"""Grid search as a practitioner writes it: the finest full grid that fits the budget
(``Space.finest_grid``, built by :func:`bench.grid.practitioners_grid`), evaluated in a seeded
random order.

One sub-grid per branch of a conditional space (scikit-learn's list-of-dicts ``param_grid``);
every choice of every categorical kept, the choices of one categorical given shares of the budget
within one configuration of each other; numeric levels at the centres of equal cells on each
dimension's own (linear or log) scale, never its bounds, level counts balanced within a branch.
Budget the grid leaves over stays unused.

When not even one configuration per branch fits the budget, there is no such grid: the strategy
refuses to start (``bench.grid.GridDoesNotFit``, whose message gives the reason and the smallest
budget that fits), so the harness records the run as failed with that reason instead of running
a grid that drops choices by declaration order.
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
