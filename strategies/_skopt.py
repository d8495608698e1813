"""Shared adapter for scikit-optimize's ``Optimizer`` (ask/tell), used by ``skopt.py``.

skopt knows no conditions: it searches every dimension and the configuration keeps the active
ones. Categorical choices are passed as their indices (as strings), so that booleans and None
survive skopt's encoders unchanged. Forbidden combinations go to skopt's own ``space_constraint``,
which its random points and its acquisition candidates respect; should a candidate still land on
one after skopt's transforms, it is told to skopt as the worst score so far and the strategy asks
again, without spending the harness's budget.

Numeric dimensions are declared with ``transform="normalize"``, which is what skopt does for its
GP anyway. With the default ``"identity"`` transform, skopt 0.10.2 clips a log-scaled integer's
candidates (kept as logarithms) to its bounds in original units, so every tree-based surrogate
proposed the upper bound of every log-scaled integer (``width=512`` in each suggestion after the
initial points); the trees themselves are unaffected by the rescaling.

skopt has no failed state for a trial: a trial whose evaluation failed is told as the worst score
of the run so far (the default of :meth:`bench.strategy.Strategy.tell_failure`), which also keeps
the GP surrogate from proposing the failed point again (its model holds it, at the worst score);
with the GP, a candidate that lands on a failed configuration all the same is refused like a
forbidden one (``_failed.py``).
"""

import warnings

from bench.codec import decode, redraw
from bench.strategies._failed import FailedConfigurations
from bench.strategy import Strategy

#: Random points before the surrogate model takes over.
N_INITIAL_POINTS = 10
#: Acquisition optimized over random candidates: cheap, and the same for every surrogate (the
#: default L-BFGS restarts of the GP cost seconds per suggestion for little gain at this budget).
ACQ_OPTIMIZER = "sampling"
ACQ_POINTS = 2000
#: Forbidden candidates allowed in a row before the strategy gives up (its run fails, saying why).
MAX_REDRAWS = 100


def skopt_dimensions(space):
    from skopt import space as sk

    dims = []
    for d in space:
        if d.kind == "categorical":
            dims.append(sk.Categorical([str(i) for i in range(len(d.choices))], name=d.name))
            continue
        prior = "log-uniform" if d.log else "uniform"
        kind = sk.Integer if d.kind == "integer" else sk.Real
        low, high = (int(d.low), int(d.high)) if d.kind == "integer" else (d.low, d.high)
        dims.append(kind(low, high, prior=prior, transform="normalize", name=d.name))
    return dims


class SkoptStrategy(Strategy):
    """Base of the skopt strategies; subclasses return the surrogate from :meth:`estimator`."""

    library = "scikit-optimize"
    learns = True  # its suggestions follow the scores it is told (checked by the contract test)

    def __init__(self, space, budget, seed, min_fidelity=1.0):
        super().__init__(space, budget, seed, min_fidelity)
        from skopt import Optimizer

        allowed = None
        if space.forbidden:
            def allowed(x):
                return not space.is_forbidden(self._config(x))

        estimator = self.estimator(seed)
        self.optimizer = Optimizer(
            skopt_dimensions(space),
            base_estimator=estimator,
            n_initial_points=N_INITIAL_POINTS,
            acq_optimizer=ACQ_OPTIMIZER,
            acq_optimizer_kwargs={"n_points": ACQ_POINTS},
            random_state=seed,
            space_constraint=allowed,
        )
        self._x = None
        self._worst = None
        self.failed = FailedConfigurations(space)
        # the GP must never propose a failed configuration again (see _failed.py)
        self._avoid = self.failed if isinstance(estimator, str) and estimator == "GP" else space

    @classmethod
    def initial_design(cls, space, budget):
        """skopt's random initial points (:data:`N_INITIAL_POINTS`)."""
        return min(N_INITIAL_POINTS, budget)

    def estimator(self, seed):
        """The surrogate model: a name skopt knows, or a regressor instance."""
        return "GP"

    def _config(self, x):
        return decode(self.space, x)

    def _draw(self):
        with warnings.catch_warnings():
            # skopt replaces an already evaluated point by a random one, and says so: on small
            # discrete spaces that is expected, and the harness records every trial
            warnings.filterwarnings("ignore", "The objective has been evaluated", UserWarning)
            self._x = self.optimizer.ask()
        return self._x, self._config(self._x)

    def _refused(self, x):
        if self._worst is not None:  # before any score, skopt draws random points anyway
            self._tell(self._worst)

    def ask(self):
        return redraw(self._draw, self._avoid, self._refused, MAX_REDRAWS, "candidates")[1]

    def tell(self, suggestion, score):
        loss = -score  # skopt minimizes
        self._worst = loss if self._worst is None else max(self._worst, loss)
        self._tell(loss)

    def tell_failure(self, suggestion, score):
        self.failed.add(suggestion.params)
        super().tell_failure(suggestion, score)

    def _tell(self, loss):
        # skopt's own check refuses a forbidden point; a forbidden point is told on purpose
        constraint, self.optimizer.space.constraint = self.optimizer.space.constraint, None
        try:
            self.optimizer.tell(self._x, loss)
        finally:
            self.optimizer.space.constraint = constraint
