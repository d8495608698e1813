"""Shared adapter for nevergrad optimizers (ask/tell), used by ``nevergrad.py``.

nevergrad knows no conditions: it searches every dimension and the configuration keeps the active
ones. Numeric dimensions are bounded scalars (``Log`` on a log scale, integer casting for
integers); categorical dimensions are ``Choice`` over the indices of their values. The seed goes
to the parametrization's ``random_state``, from which every nevergrad optimizer draws. A candidate
that lands on a forbidden combination is told to the optimizer with the worst loss seen so far
(before any loss, it is left unanswered) and the strategy asks again, without spending the
harness's budget.

nevergrad has no failed state for a candidate (``tell`` takes a loss): a trial whose evaluation
failed is told as the worst loss of the run so far (the default of
:meth:`bench.strategy.Strategy.tell_failure`).
"""

import contextlib
import warnings

import numpy as np

from bench.codec import decode, redraw
from bench.strategy import Strategy

#: Forbidden draws allowed in a row before the strategy gives up (and its run fails, saying why).
MAX_REDRAWS = 1000


def parametrization(space, seed):
    import nevergrad as ng

    params = {}
    for d in space:
        if d.kind == "categorical":
            params[d.name] = ng.p.Choice(list(range(len(d.choices))))
        elif d.log:
            params[d.name] = ng.p.Log(lower=d.low, upper=d.high)
        else:
            params[d.name] = ng.p.Scalar(lower=d.low, upper=d.high)
        if d.kind == "integer":
            params[d.name].set_integer_casting()
    param = ng.p.Dict(**params)
    param.random_state = np.random.RandomState(seed)
    return param


class NevergradStrategy(Strategy):
    """Base of the nevergrad strategies; subclasses name the optimizer in ``optimizer``."""

    library = "nevergrad"
    learns = True  # its suggestions follow the scores it is told (checked by the contract test)
    optimizer = "NGOpt"  # a name in nevergrad's optimizer registry

    def __init__(self, space, budget, seed, min_fidelity=1.0):
        super().__init__(space, budget, seed, min_fidelity)
        import nevergrad as ng

        # nevergrad runs scipy's optimizers (COBYLA, picked by NGOpt on small spaces) in a
        # background thread, outside any ``catch_warnings`` block, and COBYLA warns about its
        # tolerance on every start: that one notice is silenced for the process.
        warnings.filterwarnings("ignore", category=UserWarning, module=r"scipy\._lib\.pyprima")
        cls = ng.optimizers.registry[self.optimizer]
        self.opt = cls(parametrization=parametrization(space, seed), budget=budget, num_workers=1)
        self._candidate = None
        self._worst = None

    @classmethod
    def initial_design(cls, space, budget):
        """The first population, where the optimizer has one (``llambda``: differential
        evolution, particle swarms); 0 for those that move from the first score (NGOpt's
        choices on small budgets, the (1+1) strategy)."""
        import nevergrad as ng

        with _quiet():
            opt = ng.optimizers.registry[cls.optimizer](
                parametrization=parametrization(space, 0), budget=budget, num_workers=1)
        return min(int(getattr(opt, "llambda", 0) or 0), budget)

    def ask(self):
        with _quiet():
            self._candidate, config = redraw(self._draw, self.space, self._refused, MAX_REDRAWS)
        return config

    def _draw(self):
        candidate = self.opt.ask()
        return candidate, decode(self.space, candidate.value)

    def _refused(self, candidate):
        if self._worst is not None:
            self.opt.tell(candidate, self._worst)

    def tell(self, suggestion, score):
        loss = -score  # nevergrad minimizes
        self._worst = loss if self._worst is None else max(self._worst, loss)
        with _quiet():
            self.opt.tell(self._candidate, loss)


@contextlib.contextmanager
def _quiet():
    """nevergrad warns when an optimizer is used off its favourite setting (a small budget, a
    discrete space): expected here, and no concern of a run's record."""
    from nevergrad.common.errors import NevergradWarning

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NevergradWarning)
        # nevergrad's CMA asks pycma for one candidate at a time, which pycma flags as a
        # possible misuse on every generation: the intended use here
        warnings.filterwarnings("ignore", "orphanated injected solution")
        yield
