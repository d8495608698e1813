"""The classic example: GridSearchCV over an MLP on digits, and searchbench's grid search on the
same data, folds and random_state: the grid proposes the same configurations, and searchbench
scores a configuration as GridSearchCV does."""

import json
import warnings

import pytest
from sklearn.model_selection import GridSearchCV, ParameterGrid

from bench.catalogue import load_catalogue
from bench.evaluator import Outcome, evaluate_here
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
#: The configurations scored by both: every value of every dimension at least once, both
#: solvers with both activations. How a configuration is cross-validated does not depend on it,
#: and each fits five MLPs on each side (all 18 took 180 fits, 80 s of the test suite).
SCORED_GRID = [
    {"hidden_layer_sizes": [(50,)], "activation": ["tanh"], "solver": ["sgd"],
     "learning_rate": ["constant"]},
    {"hidden_layer_sizes": [(100,)], "activation": ["relu"], "solver": ["sgd"],
     "learning_rate": ["adaptive"]},
    {"hidden_layer_sizes": [(150,)], "activation": ["tanh"], "solver": ["adam"]},
    {"hidden_layer_sizes": [(50,)], "activation": ["relu"], "solver": ["adam"]},
]


def key(params: dict) -> str:
    """A configuration as searchbench stores it (one layer size, not a tuple), as text."""
    params = dict(params)
    if isinstance(params["hidden_layer_sizes"], tuple):
        (params["hidden_layer_sizes"],) = params["hidden_layer_sizes"]
    return json.dumps(params, sort_keys=True)


def _unscored(problem, params, fidelity):
    """An evaluation that fits nothing: which configurations a grid proposes does not depend on
    their scores."""
    return Outcome("ok", 0.5, 0.0, 0.5, 0.0)


def test_grid_search_proposes_the_classic_grid_s_distinct_configurations():
    problem = load_catalogue("bench.datasets").problems["mlp_classic-digits"]
    records = []
    spec = RunSpec(problem.id, "grid", "v", 0, 30, "fp")
    outcome = execute_run(spec, problem, discover()["grid"], _unscored, records.append)
    # learning_rate exists only with sgd: 3 x 2 x (2 sgd + 1 adam) = 18 distinct configurations,
    # each once, and nothing else, although the budget allowed 30
    assert outcome.status == "complete" and len(records) == 18
    expected = {key(c) for c in problem.space.grid({})}
    assert {key(r.params) for r in records} == expected
    assert len(expected) == 18
    theirs = set()
    for branch in DISTINCT_GRID:  # GridSearchCV's expansion of the same grid
        theirs |= {key(p) for p in ParameterGrid(branch)}
    assert theirs == expected


def test_searchbench_scores_a_configuration_as_gridsearchcv_does():
    problem = load_catalogue("bench.datasets").problems["mlp_classic-digits"]
    X_train, _, y_train, _ = problem.splits
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        search = GridSearchCV(problem.make_estimator({"hidden_layer_sizes": 50, "activation": "relu",
                                                      "solver": "adam"}),
                              SCORED_GRID, cv=problem.cv_splitter(), n_jobs=1, refit=False)
        search.fit(X_train, y_train)
    theirs = {key(p): float(s) for p, s in zip(search.cv_results_["params"],
                                                search.cv_results_["mean_test_score"])}
    assert len(theirs) == len(SCORED_GRID)
    ours = {}
    for k in theirs:
        config = json.loads(k)
        ours[k] = evaluate_here(problem, config, 1.0).score
    # every configuration's cross-validated score, exactly: the same data, folds and seed on the
    # same machine
    assert ours == theirs
