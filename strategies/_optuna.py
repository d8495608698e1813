"""Shared adapter for optuna samplers, driven through optuna's own ask/tell interface.

The space is declared define-by-run: each ``study.ask()`` trial suggests the dimensions in order
and skips those whose condition does not hold, so optuna sees conditions natively. Categorical
choices are suggested as their indices, so that values optuna would merge (``True`` and ``1``) or
could not store stay distinct. A draw that lands on a forbidden combination is told to optuna as
the worst score of the study so far (as the harness tells a failed trial), or as a failed trial
before any score is known, and the strategy draws again; that costs nothing of the harness's
budget. A failed trial alone is not enough: the GP sampler leaves failed trials out of its model,
so it would propose the same forbidden point again and again.

A trial whose evaluation failed is told to optuna in its own way: the trial ends in the ``FAIL``
state. Samplers that model only completed trials (``impute_failures``: the GP sampler) would then
propose the failed configuration again, since their model holds no trace of it; for them the
failed configuration is also added to the study as a completed trial at the worst score of the
run so far (marked ``imputed_failure``), which steers the model away from it, and a draw that
lands on a failed configuration all the same (its random startup trials know nothing of them) is
refused like a forbidden one (``_failed.py``).
"""

import contextlib
import warnings

from bench.strategies._failed import FailedConfigurations
from bench.strategy import Strategy

#: Forbidden draws allowed in a row before the strategy gives up (and its run fails, saying why).
MAX_REDRAWS = 1000


class OptunaStrategy(Strategy):
    """Base of the optuna strategies; subclasses build their sampler in :meth:`build_sampler`."""

    library = "optuna"
    learns = True  # its suggestions follow the scores it is told (checked by the contract test)
    #: Whether a failed trial is also added to the study as a completed one at the worst score,
    #: and a failed configuration drawn again refused (for samplers that leave failed trials out
    #: of their model: see the module's docstring).
    impute_failures = False

    def __init__(self, space, budget, seed, min_fidelity=1.0):
        super().__init__(space, budget, seed, min_fidelity)
        import optuna

        # optuna logs one line per trial at INFO; the harness keeps its own record.
        optuna.logging.set_verbosity(optuna.logging.WARNING)
        with _quiet():
            self.study = optuna.create_study(direction="maximize", sampler=self.build_sampler(seed))
        self._trial = None
        self._worst = None  # the lowest score told so far
        self.failed = FailedConfigurations(space)
        self._avoid = self.failed if self.impute_failures else space

    def build_sampler(self, seed):
        raise NotImplementedError

    def ask(self):
        from optuna.trial import TrialState

        with _quiet():
            for _ in range(MAX_REDRAWS):
                trial = self.study.ask()
                config = self._suggest(trial)
                if not self._avoid.is_forbidden(config):
                    self._trial = trial
                    return config
                if self._worst is None:
                    self.study.tell(trial, state=TrialState.FAIL)
                else:
                    self.study.tell(trial, self._worst)
        raise RuntimeError(f"{MAX_REDRAWS} draws in a row fell on forbidden combinations")

    def _suggest(self, trial):
        config = {}
        for d in self.space:
            if d.condition is not None and not d.condition.holds(config):
                continue
            if d.kind == "categorical":
                index = trial.suggest_categorical(d.name, list(range(len(d.choices))))
                config[d.name] = d.choices[index]
            elif d.kind == "integer":
                config[d.name] = trial.suggest_int(d.name, int(d.low), int(d.high), log=d.log)
            else:
                config[d.name] = trial.suggest_float(d.name, d.low, d.high, log=d.log)
        return config

    def tell(self, suggestion, score):
        self._worst = score if self._worst is None else min(self._worst, score)
        with _quiet():
            self.study.tell(self._trial, score)

    def tell_failure(self, suggestion, score):
        import optuna
        from optuna.trial import TrialState

        params, distributions = self._trial.params, self._trial.distributions
        self.failed.add(suggestion.params)
        with _quiet():
            self.study.tell(self._trial, state=TrialState.FAIL)
            if self.impute_failures:
                self.study.add_trial(optuna.trial.create_trial(
                    params=params, distributions=distributions, value=score,
                    user_attrs={"imputed_failure": True}))


@contextlib.contextmanager
def _quiet():
    """Silence optuna's notices that a feature is experimental: they say nothing about a run."""
    from optuna.exceptions import ExperimentalWarning

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ExperimentalWarning)
        yield
