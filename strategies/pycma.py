"""CMA-ES from ``cma`` (pycma, Hansen's reference implementation), on the unit box of the space
(see _box.py for the encoding of categorical and conditional dimensions): mean at the box's
centre, step size 0.3, pycma's default population size, its bound handling at the box's faces.
The seed goes to pycma's ``seed`` option, plus one (pycma reads 0 as "from the clock").
"""

import numpy as np

from bench.strategies._box import SIGMA, GenerationStrategy


class PyCMA(GenerationStrategy):
    library = "cma"

    def __init__(self, space, budget, seed, min_fidelity=1.0):
        super().__init__(space, budget, seed, min_fidelity)
        import cma

        n = self.box.dim
        options = {"bounds": [0.0, 1.0], "seed": seed + 1, "verbose": -9,
                   "verb_log": 0, "verb_disp": 0}
        self.es = cma.CMAEvolutionStrategy(np.full(n, 0.5), SIGMA, options)
        self.popsize = self.es.popsize

    def more(self, n):
        return self.es.ask(n)

    def update(self, xs, losses):
        self.es.tell(xs, losses)
