import pytest

from bench.evaluator import Outcome, evaluate_here
from bench.registry import discover
from bench.records import RunSpec, strategy_seed
from bench.runner import ReplayDiverged, execute_run
from bench.strategy import Strategy, describe


def spec_for(problem_id, strategy="random", seed=0, budget=10):
    return RunSpec(problem_id, strategy, "v", seed, budget, "fp")


class Exploding(Strategy):
    def ask(self):
        raise RuntimeError("boom in ask")

    def tell(self, suggestion, score):
        pass


class OutOfBounds(Strategy):
    def ask(self):
        return {"max_depth": 99, "criterion": "gini", "min_impurity_decrease": 0.0}

    def tell(self, suggestion, score):
        pass


class Recording(Strategy):
    """Proposes max_depth 1..10 in turn and remembers what it was told."""

    def __init__(self, *args):
        super().__init__(*args)
        self.told = []
        self.next = 0

    def ask(self):
        self.next += 1
        return {"max_depth": self.next}

    def tell(self, suggestion, score):
        self.told.append(score)


def test_every_run_spends_exactly_its_budget(tiny):
    records = []
    outcome = execute_run(spec_for("tree-blobs", budget=7), tiny.problems["tree-blobs"],
                          discover()["random"], evaluate_here, records.append)
    assert outcome.status == "complete"
    assert [r.trial for r in records] == list(range(7))
    assert sum(r.cost for r in records) == 7
    assert all(r.eval_seconds > 0 and r.suggest_seconds >= 0 for r in records)


def _constant(problem, params, fidelity):
    """An evaluation that fits nothing: the grid's length does not depend on its scores."""
    return Outcome("ok", 0.5, 0.0, 0.5, 0.0)


def test_an_exhausted_grid_spends_less(tiny):
    records = []
    execute_run(spec_for("ridge-line", "grid", budget=100), tiny.problems["ridge-line"],
                discover()["grid"], _constant, records.append)
    assert len(records) == 100  # alpha takes 50 levels x 2 intercepts
    records = []
    execute_run(spec_for("knn-blobs", "grid", budget=2000), tiny.problems["knn-blobs"],
                discover()["grid"], _constant, records.append)
    # the grid of knn-blobs is finite: 15 neighbours x 2 weights x (auto + 46 kd_tree leaf sizes)
    assert len(records) == 15 * 2 * (1 + 46)


def test_resume_replays_stored_trials_and_ends_equal(tiny):
    problem, info = tiny.problems["tree-blobs"], discover()["skopt_gp"]
    spec = spec_for("tree-blobs", "skopt_gp", budget=14)
    full = []
    execute_run(spec, problem, info, evaluate_here, full.append)

    class Killed(Exception):
        pass

    partial = []

    def dying_emit(record):
        partial.append(record)
        if len(partial) == 11:
            raise Killed

    with pytest.raises(Killed):
        execute_run(spec, problem, info, evaluate_here, dying_emit)
    calls = []

    def counting(problem, params, fidelity):
        calls.append(params)
        return evaluate_here(problem, params, fidelity)

    resumed = []
    outcome = execute_run(spec, problem, info, counting, resumed.append, prior=tuple(partial))
    assert outcome.status == "complete" and outcome.n_trials == 14
    assert len(calls) == 3  # only the missing trials were evaluated
    combined = partial + resumed
    assert [(r.params, r.score) for r in combined] == [(r.params, r.score) for r in full]


def test_resume_refuses_a_strategy_that_proposes_something_else(tiny):
    problem = tiny.problems["tree-blobs"]
    records = []
    execute_run(spec_for("tree-blobs", seed=0, budget=3), problem, discover()["random"],
                evaluate_here, records.append)
    with pytest.raises(ReplayDiverged):
        execute_run(spec_for("tree-blobs", seed=1, budget=3), problem, discover()["random"],
                    evaluate_here, lambda r: None, prior=tuple(records))


def test_a_strategy_that_raises_fails_its_run_with_its_file(tiny):
    info = describe(Exploding, "exploding", __file__)
    outcome = execute_run(spec_for("tree-blobs", "exploding"), tiny.problems["tree-blobs"], info,
                          evaluate_here, lambda r: None)
    assert outcome.status == "failed"
    assert "test_runner.py" in outcome.error and "boom in ask" in outcome.error


def test_a_suggestion_outside_the_space_fails_the_run_naming_the_rule(tiny):
    info = describe(OutOfBounds, "oob", __file__)
    outcome = execute_run(spec_for("tree-blobs", "oob"), tiny.problems["tree-blobs"], info,
                          evaluate_here, lambda r: None)
    assert outcome.status == "failed"
    assert "test_runner.py" in outcome.error
    assert "max_depth=99 is outside [1, 8]" in outcome.error


def test_failed_trials_are_recorded_and_told_the_worst_score_so_far(tiny):
    info = describe(Recording, "recording", __file__)
    records = []
    instance_scores = []

    class Spy(Recording):
        def tell(self, suggestion, score):
            instance_scores.append(score)

    info = describe(Spy, "spy", __file__)
    execute_run(spec_for("raising-blobs", "spy", budget=9), tiny.problems["raising-blobs"], info,
                evaluate_here, records.append, ref_random=0.123)
    statuses = [r.status for r in records]
    assert statuses == ["ok"] * 6 + ["failed"] * 3
    assert "max_depth=7 is not supported" in records[6].error
    worst_ok = min(r.score for r in records[:6])
    assert instance_scores[6:] == [worst_ok] * 3


def test_failed_trials_are_told_as_failures_also_when_replayed(tiny):
    """A failed trial reaches ``tell_failure`` (with the worst score so far), not ``tell``; a
    resumed run replays the stored trials into a fresh strategy through the same hooks."""
    instances = []

    class Aware(Strategy):
        def __init__(self, *args):
            super().__init__(*args)
            self.next, self.hooks = 0, []
            instances.append(self)

        def ask(self):
            self.next += 1
            return {"max_depth": self.next}

        def tell(self, suggestion, score):
            self.hooks.append(("tell", suggestion.params["max_depth"], score))

        def tell_failure(self, suggestion, score):
            self.hooks.append(("failure", suggestion.params["max_depth"], score))

    problem, info = tiny.problems["raising-blobs"], describe(Aware, "aware", __file__)
    spec = spec_for("raising-blobs", "aware", budget=9)
    records = []
    execute_run(spec, problem, info, evaluate_here, records.append, ref_random=0.123)
    assert [r.status for r in records] == ["ok"] * 6 + ["failed"] * 3
    worst_ok = min(r.score for r in records[:6])
    assert instances[0].hooks == [("tell", r.params["max_depth"], r.score) for r in records[:6]] \
        + [("failure", depth, worst_ok) for depth in (7, 8, 9)]

    calls = []

    def counting(problem, params, fidelity):
        calls.append(params)
        return evaluate_here(problem, params, fidelity)

    outcome = execute_run(spec, problem, info, counting, lambda r: None, prior=tuple(records),
                          ref_random=0.123)
    assert outcome.status == "complete" and calls == []  # every trial replayed, none evaluated
    assert instances[1].hooks == instances[0].hooks


def test_a_strategy_whose_tell_failure_raises_fails_its_run_saying_so(tiny):
    class Fragile(Strategy):
        def ask(self):
            return {"max_depth": 9}  # raising-blobs refuses depths over 6

        def tell(self, suggestion, score):
            pass

        def tell_failure(self, suggestion, score):
            raise RuntimeError("boom in tell_failure")

    outcome = execute_run(spec_for("raising-blobs", "fragile", budget=2),
                          tiny.problems["raising-blobs"], describe(Fragile, "fragile", __file__),
                          evaluate_here, lambda r: None)
    assert outcome.status == "failed"
    assert "raised in tell_failure()" in outcome.error and "boom in tell_failure" in outcome.error


def test_a_failure_before_any_success_is_told_ref_random(tiny):
    told = []

    class Deep(Strategy):
        def ask(self):
            return {"max_depth": 9}

        def tell(self, suggestion, score):
            told.append(score)

    execute_run(spec_for("raising-blobs", "deep", budget=2), tiny.problems["raising-blobs"],
                describe(Deep, "deep", __file__), evaluate_here, lambda r: None, ref_random=0.42)
    assert told == [0.42, 0.42]


def test_strategy_seed_depends_on_problem_strategy_and_seed_only():
    a = strategy_seed("svc-digits", "random", 0)
    assert a == strategy_seed("svc-digits", "random", 0)
    assert len({a, strategy_seed("svc-digits", "random", 1), strategy_seed("svc-wine", "random", 0),
                strategy_seed("svc-digits", "grid", 0)}) == 4


class LowFidelity(Strategy):
    """Asks the same configuration at fidelity 0.25 forever."""

    multi_fidelity = True

    def ask(self):
        from bench.strategy import Suggestion

        return Suggestion(self.space.default(), 0.25)

    def tell(self, suggestion, score):
        pass


def test_a_trial_is_charged_the_problems_cost_curve_not_its_fidelity(tiny):
    info = describe(LowFidelity, "low_fidelity", "tests")
    curve = ((0.25, 0.5), (1.0, 1.0))
    records = []
    outcome = execute_run(spec_for("tree-blobs", "low_fidelity", budget=3),
                          tiny.problems["tree-blobs"], info, evaluate_here, records.append,
                          cost_curve=curve)
    assert outcome.status == "complete", outcome.error
    # at c(0.25) = 0.5 a budget of 3 buys 6 trials (charging f would have bought 12)
    assert len(records) == 6 and outcome.cost == pytest.approx(3.0)
    assert all(r.fidelity == 0.25 and r.cost == 0.5 for r in records)
    records = []
    execute_run(spec_for("tree-blobs", "low_fidelity", budget=3), tiny.problems["tree-blobs"],
                info, evaluate_here, records.append)
    assert len(records) == 12  # no curve: the nominal rule, f
