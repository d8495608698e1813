"""The searchbench catalogue: every problem, exactly as it is searched.

A problem is a dataset, a model (``estimator``), the parameters fixed for it, its search space, a
metric and the protocol (holdout test split, then 5-fold CV on the rest, stratified for
classification). ``searchbench list problems --details`` prints this catalogue as a table.
"""

from __future__ import annotations

from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import Ridge
from sklearn.neighbors import KNeighborsClassifier
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

from bench.problem import Fidelity, Problem
from bench.space import Categorical, Integer, Real, Space, when

from .data import DATASETS

#: Bump when a definition changes; the fingerprint changes with any definition or data anyway.
VERSION = "2026.11-dev"


def scaled(estimator_cls):
    """``estimator_cls`` behind a StandardScaler; the searched parameters go to the estimator."""
    def build(**params):
        return make_pipeline(StandardScaler(), estimator_cls(**params))
    build.__name__ = f"scaled_{estimator_cls.__name__}"
    return build


def _mlp_layers(config):
    return {**config, "hidden_layer_sizes": (config["hidden_layer_sizes"],)}


# The classic example: GridSearchCV over an MLP on digits, with learning_rate declared as what it
# is, a parameter scikit-learn uses only with the sgd solver.
MLP_CLASSIC = Problem(
    model="mlp_classic",
    dataset=DATASETS["digits"],
    estimator=MLPClassifier,
    fixed={"random_state": 0},
    space=Space([
        Categorical("hidden_layer_sizes", (50, 100, 150)),
        Categorical("activation", ("tanh", "relu")),
        Categorical("solver", ("sgd", "adam")),
        Categorical("learning_rate", ("constant", "adaptive"), condition=when("solver", "sgd")),
    ]),
    convert=_mlp_layers,
    fidelity=Fidelity("max_iter", full=200, min_fraction=0.1),
    description="the classic GridSearchCV example",
)

SVC_SPACE = Space([
    Real("C", 1e-2, 1e3, log=True, default=1.0),
    Real("gamma", 1e-5, 1e-1, log=True, default=1e-2),
])

KNN_SPACE = Space([
    Integer("n_neighbors", 1, 30, default=5),
    Categorical("weights", ("uniform", "distance")),
    Integer("p", 1, 2, default=2),
])

RF_SPACE = Space([
    Integer("max_depth", 1, 15, default=8),
    Integer("min_samples_split", 2, 20, default=2),
    Integer("min_samples_leaf", 1, 20, default=1),
    Real("max_features", 0.05, 1.0, default=0.5),
])

RIDGE_SPACE = Space([
    Real("alpha", 1e-4, 1e4, log=True, default=1.0),
    Categorical("fit_intercept", (True, False)),
])

PROBLEMS = [
    MLP_CLASSIC,
    Problem("svc", DATASETS["digits"], scaled(SVC), SVC_SPACE),
    Problem("svc", DATASETS["wine"], scaled(SVC), SVC_SPACE),
    Problem("knn", DATASETS["wine"], scaled(KNeighborsClassifier), KNN_SPACE),
    Problem("knn", DATASETS["breast_cancer"], scaled(KNeighborsClassifier), KNN_SPACE),
    Problem("rf", DATASETS["breast_cancer"], RandomForestClassifier, RF_SPACE,
            fixed={"n_estimators": 50, "random_state": 0},
            fidelity=Fidelity("n_estimators", full=50, min_fraction=0.1)),
    Problem("ridge", DATASETS["diabetes"], scaled(Ridge), RIDGE_SPACE),
]
