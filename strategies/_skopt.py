"""Shared adapter for scikit-optimize's ``Optimizer`` (ask/tell), used by the skopt_* strategies.

skopt knows no conditions: it searches every dimension and the configuration keeps the active
ones. Categorical choices are passed as their indices (as strings), so that booleans and None
survive skopt's encoders unchanged. Forbidden combinations go to skopt's own ``space_constraint``,
which both its random initial points and its acquisition candidates respect.
"""

from bench.strategy import Strategy

#: Random points before the surrogate model takes over.
N_INITIAL_POINTS = 10
#: Acquisition optimized over random candidates: cheap, and the same for every surrogate (the
#: default L-BFGS restarts of the GP cost seconds per suggestion for little gain at this budget).
ACQ_OPTIMIZER = "sampling"
ACQ_POINTS = 2000


def skopt_dimensions(space):
    from skopt import space as sk

    dims = []
    for d in space:
        if d.kind == "categorical":
            dims.append(sk.Categorical([str(i) for i in range(len(d.choices))], name=d.name))
        elif d.kind == "integer":
            prior = "log-uniform" if d.log else "uniform"
            dims.append(sk.Integer(int(d.low), int(d.high), prior=prior, name=d.name))
        else:
            prior = "log-uniform" if d.log else "uniform"
            dims.append(sk.Real(d.low, d.high, prior=prior, name=d.name))
    return dims


class SkoptStrategy(Strategy):
    """Base of the skopt strategies; subclasses set ``base_estimator`` (a name skopt knows) or
    override :meth:`estimator`."""

    library = "scikit-optimize"
    base_estimator = "GP"

    def __init__(self, space, budget, seed, min_fidelity=1.0):
        super().__init__(space, budget, seed, min_fidelity)
        from skopt import Optimizer

        allowed = None
        if space.forbidden:
            def allowed(x):
                return not space.is_forbidden(self._config(x))

        self.optimizer = Optimizer(
            skopt_dimensions(space),
            base_estimator=self.estimator(seed),
            n_initial_points=N_INITIAL_POINTS,
            acq_optimizer=ACQ_OPTIMIZER,
            acq_optimizer_kwargs={"n_points": ACQ_POINTS},
            random_state=seed,
            space_constraint=allowed,
        )
        self._x = None

    def estimator(self, seed):
        """The surrogate model: a name skopt knows, or a regressor instance."""
        return self.base_estimator

    def _config(self, x):
        flat = {}
        for d, v in zip(self.space, x):
            flat[d.name] = d.choices[int(v)] if d.kind == "categorical" else v
        return self.space.project(flat)

    def ask(self):
        self._x = self.optimizer.ask()
        return self._config(self._x)

    def tell(self, suggestion, score):
        self.optimizer.tell(self._x, -score)  # skopt minimizes
