"""CMA-ES from the ``cmaes`` package (CyberAgent's, the one optuna's CmaEsSampler uses), driven
directly on the unit box of the space (see _box.py for the encoding of categorical and
conditional dimensions): mean at the box's centre, step size 0.3, the package's default
population size (4 + 3 ln n), bounds at the box's faces.
"""

import numpy as np

from bench.strategies._box import SIGMA, GenerationStrategy


class CmaesCMA(GenerationStrategy):
    library = "cmaes"

    def __init__(self, space, budget, seed, min_fidelity=1.0):
        super().__init__(space, budget, seed, min_fidelity)
        from cmaes import CMA

        n = self.box.dim
        self.opt = CMA(mean=np.full(n, 0.5), sigma=SIGMA, bounds=np.tile([0.0, 1.0], (n, 1)),
                       seed=seed)
        self.popsize = self.opt.population_size

    def more(self, n):
        return [self.opt.ask() for _ in range(n)]

    def update(self, xs, losses):
        self.opt.tell(list(zip(xs, losses)))
