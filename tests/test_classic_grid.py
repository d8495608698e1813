"""The classic example: GridSearchCV over an MLP on digits, and searchbench's grid search on the
same data, folds and random_state, find the same best CV score."""

import json
import warnings

import pytest
from sklearn.model_selection import GridSearchCV

from bench.catalogue import load_catalogue
from bench.evaluator import evaluate_here
from bench.registry import discover
from bench.records import RunSpec
from bench.runner import execute_run

pytestmark = pytest.mark.slow

CLASSIC_GRID = {
    "hidden_layer_sizes": [(50,), (100,), (150,)],
    "activation": ["tanh", "relu"],
    "solver": ["sgd", "adam"],
    "learning_rate": ["constant", "adaptive"],
}


def test_grid_search_matches_gridsearchcv_on_the_classic_example():
    problem = load_catalogue("bench.datasets").problems["mlp_classic-digits"]
    records = []
    spec = RunSpec(problem.id, "grid", "v", 0, 30, "fp")
    outcome = execute_run(spec, problem, discover()["grid"], evaluate_here, records.append)

    # learning_rate exists only with sgd: 3 x 2 x (2 sgd + 1 adam) = 18 distinct configurations,
    # each once, and nothing else, although the budget allowed 30
    assert outcome.status == "complete" and len(records) == 18
    expected = {
        json.dumps(c, sort_keys=True)
        for c in problem.space.grid({})
    }
    assert {json.dumps(r.params, sort_keys=True) for r in records} == expected
    assert len(expected) == 18

    X_train, _, y_train, _ = problem.splits
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        search = GridSearchCV(problem.make_estimator({"hidden_layer_sizes": 50, "activation": "relu",
                                                      "solver": "adam"}),
                              CLASSIC_GRID, cv=problem.cv_splitter(), n_jobs=2)
        search.fit(X_train, y_train)
    assert len(search.cv_results_["params"]) == 24
    best = max(r.score for r in records)
    assert best == search.best_score_
