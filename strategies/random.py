"""Random search: independent uniform draws on each dimension's own scale (Bergstra and Bengio,
2012), conditions and forbidden combinations respected."""

import numpy as np

from bench.strategy import Strategy


class RandomSearch(Strategy):
    library = "numpy"

    def __init__(self, space, budget, seed, min_fidelity=1.0):
        super().__init__(space, budget, seed, min_fidelity)
        self.rng = np.random.default_rng(seed)

    def ask(self):
        return self.space.sample(self.rng)

    def tell(self, suggestion, score):
        pass
