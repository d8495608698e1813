"""Failed trials reach a strategy as failures, each in its library's own way, and no GP-based
strategy proposes a failed configuration again.

Every strategy that learns is run through the real run loop with trials that fail; its
``tell_failure`` is watched, and where its library has a failed state (optuna's ``FAIL``, SMAC's
``CRASHED``, hyperopt's ``STATUS_FAIL``) the library's own record is read. The others keep the
worst-score convention, told through ``tell``.
"""

import dataclasses

import pytest
from threadpoolctl import threadpool_limits

from bench.evaluator import Outcome
from bench.problem import Fidelity
from bench.records import RunSpec
from bench.runner import execute_run
from bench.space import Integer, Real, Space
from test_strategies import LEARNERS, BY_NAME

#: Trials (0-based) whose evaluation fails in the hook test: one before any score, two after.
FAILING = (0, 3, 5)
BUDGET = 8
SPACE = Space([Real("x", -2.0, 2.0), Real("y", -2.0, 2.0)])


class Problem:
    """Duck-typed problem whose score is given by ``score(config, trial)``, None for a failure."""

    id = "failing"
    fidelity = Fidelity(min_fraction=0.25)
    time_limit = 10.0

    def __init__(self, space, score):
        self.space, self.score, self.calls = space, score, 0

    def evaluate(self, config, fidelity):
        value = self.score(config, self.calls)
        self.calls += 1
        if value is None:
            return Outcome("failed", error="diverged")
        return Outcome("ok", value, 0.0, value, 0.0)


def run(info, problem, budget, ref_random=-10.0):
    """Run ``info`` (its class wrapped to watch both hooks): (records, instance, hooks), where
    ``hooks`` holds ("tell", score) and ("failure", score) as the harness called them, and
    ("tell within failure", score) when ``tell_failure`` passed a failure on to ``tell``."""
    instances, hooks = [], []

    class Watched(info.cls):
        def __init__(self, *args):
            super().__init__(*args)
            self.failing = False
            instances.append(self)

        def tell(self, suggestion, score):
            hooks.append(("tell within failure" if self.failing else "tell", score))
            super().tell(suggestion, score)

        def tell_failure(self, suggestion, score):
            hooks.append(("failure", score))
            self.failing = True
            try:
                super().tell_failure(suggestion, score)
            finally:
                self.failing = False

    watched = dataclasses.replace(info, cls=Watched)
    records = []
    spec = RunSpec(problem.id, info.name, info.version, 0, budget, "fp")
    with threadpool_limits(1):
        outcome = execute_run(spec, problem, watched, lambda p, c, f: problem.evaluate(c, f),
                              records.append, ref_random=ref_random)
    assert outcome.status == "complete", outcome.error
    return records, instances[0], hooks


def optuna_failures(instance):
    """optuna: the study's trials in the FAIL state (imputed copies aside)."""
    from optuna.trial import TrialState

    trials = [t for t in instance.study.trials if not t.user_attrs.get("imputed_failure")]
    return [i for i, t in enumerate(trials) if t.state == TrialState.FAIL]


def smac_failures(instance):
    """SMAC: the run history's trials with the CRASHED status, in the order they were told."""
    from smac.runhistory import StatusType

    values = list(instance.smac.runhistory.values())
    return [i for i, v in enumerate(values) if v.status == StatusType.CRASHED]


def hyperopt_failures(instance):
    """hyperopt: the trial documents whose result has STATUS_FAIL."""
    from hyperopt import STATUS_FAIL

    return [i for i, s in enumerate(instance.trials.statuses()) if s == STATUS_FAIL]


#: Where a library keeps its failed trials, by the strategy's ``library``.
LIBRARY_FAILURES = {"optuna": optuna_failures, "smac": smac_failures,
                    "hyperopt": hyperopt_failures}


@pytest.mark.parametrize("learner", LEARNERS, ids=[i.name for i in LEARNERS])
def test_a_failed_trial_is_told_as_a_failure(learner):
    def score(config, trial):
        return None if trial in FAILING else -(config["x"] ** 2 + config["y"] ** 2)

    records, instance, hooks = run(learner, Problem(SPACE, score), BUDGET)
    n = len(records)  # the budget's worth; more trials for a multi-fidelity strategy
    assert [r.status for r in records] == ["failed" if i in FAILING else "ok" for i in range(n)]
    # the harness calls tell_failure for exactly the failed trials, with the worst score so far
    # (the problem's reference before any score), and tell for the others with their score
    per_trial = [(hook, told) for hook, told in hooks if hook != "tell within failure"]
    ok_scores = {i: r.score for i, r in enumerate(records) if r.status == "ok"}
    assert per_trial == [
        ("failure", min((s for j, s in ok_scores.items() if j < i), default=-10.0))
        if i in FAILING else ("tell", ok_scores[i]) for i in range(n)]
    within = [told for hook, told in hooks if hook == "tell within failure"]
    library_failures = LIBRARY_FAILURES.get(learner.library)
    if library_failures is not None:
        # told to the library as a failure, in its own way, not disguised as a score
        assert within == []
        assert library_failures(instance) == list(FAILING)
    else:
        # no failed state in the library: the worst-score convention, each failure told to
        # tell at once with the score tell_failure received
        for i, (hook, told) in enumerate(hooks):
            if hook == "failure":
                assert hooks[i + 1] == ("tell within failure", told)
        assert len(within) == len(FAILING)


#: The GP-based strategies: a GP sampler that leaves failed trials out of its model would propose
#: the same configuration again (optuna's does, unless told otherwise).
GP_BASED = [BY_NAME[n] for n in ("optuna_gp", "botorch", "skopt_gp", "bayes_opt") if n in BY_NAME]
#: A small discrete space whose best corner diverges: a GP climbing the score is drawn to it.
CORNER = Space([Integer("a", 1, 6), Integer("b", 1, 6)])


@pytest.mark.parametrize("gp", GP_BASED, ids=[i.name for i in GP_BASED])
def test_no_gp_strategy_proposes_a_failed_configuration_again(gp):
    def score(config, trial):
        total = config["a"] + config["b"]
        return None if total >= 11 else float(total)

    budget = gp.cls.initial_design(CORNER, 100) + 10
    records, _, _ = run(gp, Problem(CORNER, score), budget)
    proposed = [(r.params["a"], r.params["b"]) for r in records]
    failed = [p for p, r in zip(proposed, records) if r.status == "failed"]
    assert failed, "the corner was never tried: the check below would prove nothing"
    for i, (p, r) in enumerate(zip(proposed, records)):
        if r.status == "failed":
            assert p not in proposed[i + 1:], (p, proposed)
