import numpy as np
import pytest
from sklearn.linear_model import Ridge

from bench.problem import Dataset, Fidelity, Problem, TrialFailed
from bench.space import Real, Space


def test_cv_score_is_the_mean_of_fixed_stratified_folds(tiny):
    problem = tiny.problems["tree-blobs"]
    config = {"max_depth": 3, "criterion": "gini", "min_impurity_decrease": 0.0}
    first = problem.evaluate(config)
    second = problem.evaluate(config)
    assert first == second  # fixed split, folds and random_state
    assert 0.5 < first.score <= 1.0 and 0.5 < first.test_score <= 1.0
    # the folds are stratified: class proportions hold in every validation fold
    _, _, y_train, _ = problem.splits
    for _, val in problem.folds:
        assert abs(y_train[val].mean() - y_train.mean()) < 0.1


def test_holdout_is_disjoint_from_the_cv_part(tiny):
    problem = tiny.problems["ridge-line"]
    X_train, X_test, _, _ = problem.splits
    rows_train = {tuple(r) for r in X_train}
    assert not rows_train & {tuple(r) for r in X_test}
    assert len(X_test) == 16  # 20% of 80


class CountingRidge(Ridge):
    """Records how many rows each fit trains on: the cost of a training-fraction evaluation."""

    rows: list = []

    def fit(self, X, y, sample_weight=None):
        CountingRidge.rows.append(len(X))
        return super().fit(X, y, sample_weight)


def test_training_fraction_fidelity_is_cheaper_and_deterministic(tiny):
    ridge = tiny.problems["ridge-line"]
    problem = Problem("counting", ridge.dataset, CountingRidge, ridge.space, cv=ridge.cv)
    config = {"alpha": 1.0, "fit_intercept": True}

    def rows_fitted(fidelity):
        CountingRidge.rows = []
        evaluation = problem.evaluate(config, fidelity=fidelity)
        return evaluation, CountingRidge.rows[:problem.cv]  # the CV fits (then the holdout refit)

    low, low_rows = rows_fitted(0.25)
    full, full_rows = rows_fitted(1.0)
    assert len(low_rows) == len(full_rows) == problem.cv
    # a quarter of each training fold: a quarter of the rows to fit
    for part, whole in zip(low_rows, full_rows):
        assert part == pytest.approx(whole / 4, abs=1)
    assert low == rows_fitted(0.25)[0]
    assert low != full


def test_parameter_fidelity_sets_the_parameter():
    from sklearn.ensemble import RandomForestClassifier

    dataset = Dataset("xy", "classification", lambda: (np.random.default_rng(0).normal(size=(60, 3)),
                                                       np.arange(60) % 2))
    problem = Problem("rf", dataset, RandomForestClassifier, Space([Real("max_features", 0.1, 1.0)]),
                      fixed={"n_estimators": 40, "random_state": 0},
                      fidelity=Fidelity("n_estimators", full=40, min_fraction=0.25))
    model = problem.make_estimator({"max_features": 0.5}, fidelity=0.25)
    assert model.n_estimators == 10


def test_a_model_that_raises_gives_trial_failed(tiny):
    with pytest.raises(TrialFailed, match="max_depth=9 is not supported"):
        tiny.problems["raising-blobs"].evaluate({"max_depth": 9})


def test_description_is_complete_and_json_ready(tiny):
    import json

    described = tiny.problems["knn-blobs"].to_dict()
    json.dumps(described)
    assert described["metric"] == "accuracy"
    assert described["space"]["dimensions"][3]["condition"] == {
        "parent": "algorithm", "values": ["kd_tree"]}
    assert "KNeighborsClassifier" in described["estimator"]["class"]
