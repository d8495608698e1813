"""Shared adapter for libraries that search a continuous box and ask a whole generation at once
(CMA-ES from ``cmaes`` and from ``cma``), used by cmaes.py and pycma.py.

The space becomes the unit box of :class:`bench.codec.UnitBox`: one coordinate per numeric
dimension on its own scale, one per choice of a categorical dimension (the largest wins), every
dimension searched and the inactive ones dropped. The library asks a generation of candidates;
they are handed out one by one, and the generation is told when all its scores are in. A
candidate on a forbidden combination is scored as the worst loss so far (before any score, it is
dropped and the library asked for one more) and the strategy asks again, without spending the
harness's budget.

Neither library has a failed state for a candidate (each generation is told as a whole, a loss per
candidate): a trial whose evaluation failed is told as the worst score of the run so far (the
default of :meth:`bench.strategy.Strategy.tell_failure`).
"""

import math

import numpy as np

from bench.codec import UnitBox, redraw
from bench.strategy import Strategy

#: Forbidden candidates allowed in a row before the strategy gives up (its run fails, saying why).
MAX_REDRAWS = 1000
#: Initial step size on the unit box (a third of each coordinate's range).
SIGMA = 0.3


class GenerationStrategy(Strategy):
    """Subclasses set ``self.popsize`` and implement :meth:`more` and :meth:`update`."""

    popsize = 1
    learns = True  # its suggestions follow the scores it is told (checked by the contract test)

    def __init__(self, space, budget, seed, min_fidelity=1.0):
        super().__init__(space, budget, seed, min_fidelity)
        self.box = UnitBox(space)
        self._pending, self._told = [], []
        self._x, self._worst = None, None

    @classmethod
    def initial_design(cls, space, budget):
        """The first generation, told before the distribution moves: both libraries' default
        population size, 4 + 3 ln n on the n coordinates of the unit box."""
        return min(4 + int(3 * math.log(UnitBox(space).dim)), budget)

    def more(self, n):
        """``n`` new candidates of the current generation."""
        raise NotImplementedError

    def update(self, xs, losses):
        """Tell the library a whole generation (it minimizes)."""
        raise NotImplementedError

    def ask(self):
        self._x, config = redraw(self._draw, self.space, self._refused, MAX_REDRAWS)
        return config

    def _draw(self):
        if not self._pending:
            self._pending = list(self.more(self.popsize - len(self._told)))
        x = np.asarray(self._pending.pop(0), dtype=float)
        return x, self.box.decode(x)

    def _refused(self, x):
        if self._worst is not None:
            self._record(x, self._worst)

    def tell(self, suggestion, score):
        loss = -score
        self._worst = loss if self._worst is None else max(self._worst, loss)
        self._record(self._x, loss)

    def _record(self, x, loss):
        self._told.append((x, loss))
        if len(self._told) == self.popsize:
            xs, losses = zip(*self._told)
            self._told = []
            self.update(list(xs), list(losses))
