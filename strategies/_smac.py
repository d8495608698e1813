"""Shared adapter for SMAC3 facades (ask/tell), used by the smac and multi-fidelity strategies.

The space becomes a ConfigSpace ``ConfigurationSpace`` with its conditions (``EqualsCondition``,
``InCondition``) and forbidden combinations (forbidden clauses) declared natively, so SMAC never
proposes an inactive or forbidden value. Categorical choices are declared by their indices, as
strings, so that booleans and None survive ConfigSpace's encoders. SMAC writes its state into an
output folder: it goes to a temporary folder that is removed with the strategy, never the working
directory; every trial is told with ``save=False`` so SMAC does not rewrite its files after each
one. SMAC's logging is left as the harness configured it (``logging_level=False``) and its own
loggers are kept to errors: its warnings (a small space running out of new configurations, say)
are expected here and would only clutter the progress display. For the same reason the
``RuntimeWarning`` that SMAC 2's local search raises when it averages the times of an empty list of
steps (for a debug message; the suggestion does not depend on it) is silenced in ``ask``.

A trial whose evaluation failed is told to SMAC as ``StatusType.CRASHED``, with the worst score of
the run so far as its cost: SMAC's run history keeps the crash as one, and its models read a
crashed trial's cost as it is told (SMAC's own crash cost, infinity, would break the log-scaled
forest).
"""

import logging
import tempfile
import warnings
from pathlib import Path

import numpy as np

from bench.codec import decode, encode_value
from bench.strategy import Strategy, Suggestion


def configuration_space(space, seed):
    """The ConfigSpace equivalent of ``space``."""
    import ConfigSpace as cs

    # ConfigSpace refuses forbidden clauses that its default configuration breaks, so the
    # defaults come from a configuration that is allowed.
    allowed = space.default()
    if space.is_forbidden(allowed):
        allowed = space.sample(np.random.default_rng(seed))
    center = {d.name: d.get_default() for d in space}

    hps = {}
    for d in space:
        default = allowed.get(d.name, center[d.name])
        if d.kind == "categorical":
            hps[d.name] = cs.CategoricalHyperparameter(
                d.name, [str(i) for i in range(len(d.choices))],
                default_value=str(d.index(default)))
        elif d.kind == "integer":
            hps[d.name] = cs.UniformIntegerHyperparameter(
                d.name, int(d.low), int(d.high), log=d.log, default_value=int(default))
        else:
            hps[d.name] = cs.UniformFloatHyperparameter(
                d.name, d.low, d.high, log=d.log, default_value=float(default))

    def encode(d, value):
        coded = encode_value(d, value)
        return str(coded) if d.kind == "categorical" else coded

    conditions = []
    for d in space:
        if d.condition is None:
            continue
        parent = space[d.condition.parent]
        values = [encode(parent, v) for v in d.condition.values]
        if len(values) == 1:
            conditions.append(cs.EqualsCondition(hps[d.name], hps[parent.name], values[0]))
        else:
            conditions.append(cs.InCondition(hps[d.name], hps[parent.name], values))

    forbidden = []
    for rule in space.forbidden:
        clauses = [
            cs.ForbiddenEqualsClause(hps[name], encode(space[name], values[0])) if len(values) == 1
            else cs.ForbiddenInClause(hps[name], [encode(space[name], v) for v in values])
            for name, values in rule.clauses
        ]
        forbidden.append(clauses[0] if len(clauses) == 1 else cs.ForbiddenAndConjunction(*clauses))

    configspace = cs.ConfigurationSpace(seed=seed)
    configspace.add(list(hps.values()), conditions, forbidden)
    return configspace


class SmacStrategy(Strategy):
    """Base of the SMAC strategies: subclasses build their facade in :meth:`facade`."""

    library = "smac"

    def __init__(self, space, budget, seed, min_fidelity=1.0):
        super().__init__(space, budget, seed, min_fidelity)
        from smac import Scenario

        logging.getLogger("smac").setLevel(logging.ERROR)
        self._folder = tempfile.TemporaryDirectory(prefix="searchbench-smac-")
        fidelity = {}
        if self.multi_fidelity:
            fidelity = {"min_budget": min_fidelity, "max_budget": 1.0}
        scenario = Scenario(
            configuration_space(space, seed),
            name="run",
            output_directory=Path(self._folder.name),
            deterministic=True,  # one seed per configuration: the problem fixes its own seeds
            n_trials=budget,
            seed=seed,
            **fidelity,
        )
        self.smac = self.facade(scenario)
        self._info = None

    def facade(self, scenario):
        raise NotImplementedError

    def ask(self):
        from smac.main.exceptions import ConfigurationSpaceExhaustedException

        try:
            with warnings.catch_warnings():
                warnings.filterwarnings("ignore", "Mean of empty slice", RuntimeWarning)
                warnings.filterwarnings("ignore", "invalid value encountered in scalar divide",
                                        RuntimeWarning)
                self._info = self.smac.ask()
        except ConfigurationSpaceExhaustedException:  # no new configuration left to find
            return None
        config = self._config(self._info.config)
        if self.multi_fidelity:
            return Suggestion(config, float(self._info.budget))
        return config

    def tell(self, suggestion, score):
        from smac.runhistory import TrialValue

        self.smac.tell(self._info, TrialValue(cost=-score), save=False)  # SMAC minimizes

    def tell_failure(self, suggestion, score):
        from smac.runhistory import StatusType, TrialValue

        self.smac.tell(self._info, TrialValue(cost=-score, status=StatusType.CRASHED), save=False)

    def _config(self, configuration):
        return decode(self.space, dict(configuration))
