"""The classic example: GridSearchCV over an MLP on digits, and searchbench's grid search on the
same data, folds and random_state, score every configuration the same."""

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

LAYERS = [(50,), (100,), (150,)]
ACTIVATIONS = ["tanh", "relu"]
#: The classic grid, 3 x 2 x 2 x 2 = 24 points as first published, of which scikit-learn's MLP
#: tells 18 apart: learning_rate is used by the sgd solver only, so adam's two learning rates are
#: one configuration fitted twice. Its distinct configurations, each once: 3 x 2 x (2 + 1).
DISTINCT_GRID = [
    {"hidden_layer_sizes": LAYERS, "activation": ACTIVATIONS, "solver": ["sgd"],
     "learning_rate": ["constant", "adaptive"]},
    {"hidden_layer_sizes": LAYERS, "activation": ACTIVATIONS, "solver": ["adam"]},
]


def key(params: dict) -> str:
    """A configuration as searchbench stores it (one layer size, not a tuple), as text."""
    params = dict(params)
    if isinstance(params["hidden_layer_sizes"], tuple):
        (params["hidden_layer_sizes"],) = params["hidden_layer_sizes"]
    return json.dumps(params, sort_keys=True)


def test_grid_search_scores_every_configuration_as_gridsearchcv_does():
    problem = load_catalogue("bench.datasets").problems["mlp_classic-digits"]
    records = []
    spec = RunSpec(problem.id, "grid", "v", 0, 30, "fp")
    outcome = execute_run(spec, problem, discover()["grid"], evaluate_here, records.append)

    # learning_rate exists only with sgd: 3 x 2 x (2 sgd + 1 adam) = 18 distinct configurations,
    # each once, and nothing else, although the budget allowed 30
    assert outcome.status == "complete" and len(records) == 18
    expected = {key(c) for c in problem.space.grid({})}
    assert {key(r.params) for r in records} == expected
    assert len(expected) == 18

    X_train, _, y_train, _ = problem.splits
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        search = GridSearchCV(problem.make_estimator({"hidden_layer_sizes": 50, "activation": "relu",
                                                      "solver": "adam"}),
                              DISTINCT_GRID, cv=problem.cv_splitter(), n_jobs=2)
        search.fit(X_train, y_train)
    theirs = {key(p): s for p, s in zip(search.cv_results_["params"],
                                         search.cv_results_["mean_test_score"])}
    assert set(theirs) == expected
    # every configuration's cross-validated score, exactly: the same data, folds and seed on the
    # same machine
    assert {key(r.params): r.score for r in records} == {k: float(s) for k, s in theirs.items()}
    assert max(r.score for r in records) == search.best_score_
