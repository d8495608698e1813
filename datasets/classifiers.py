"""Classification problems: eight model families on seven datasets, four of them on three real
survey tables, plus log-loss variants.

Scored by accuracy (the default), by balanced accuracy on the imbalanced dataset, and by
``neg_log_loss`` where a calibrated probability is what a user would tune for. Scale-sensitive
models sit behind a StandardScaler fitted on each training fold.
"""

from __future__ import annotations

from sklearn.ensemble import (
    AdaBoostClassifier,
    ExtraTreesClassifier,
    HistGradientBoostingClassifier,
    RandomForestClassifier,
)
from sklearn.linear_model import LogisticRegression
from sklearn.neighbors import KNeighborsClassifier
from sklearn.neural_network import BernoulliRBM, MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import MinMaxScaler, StandardScaler
from sklearn.svm import SVC
from sklearn.tree import DecisionTreeClassifier

from bench.problem import Fidelity, Problem
from bench.space import Categorical, Integer, Real, Space, when

from .data import DATASETS
from .family import Family
from .spaces import (
    BOOSTING_FIDELITY,
    FOREST_FIDELITY,
    MLP_FIDELITY,
    SVM_MAX_ITER,
    boosting_dimensions,
    forest_space,
    knn_fidelity,
    knn_space,
    logistic_space,
    mlp_space,
    svm_dimensions,
    tree_dimensions,
)

D = DATASETS["classification"]


# -- estimators (what ``estimator(**fixed, **config)`` builds) --------------------------------------
def svc(**params):
    return make_pipeline(StandardScaler(), SVC(**params))


def logistic_regression(penalty, l1_ratio=None, **params):
    # scikit-learn >= 1.8 says the penalty through l1_ratio: 0 is l2, 1 is l1, between is both
    ratio = {"l2": 0.0, "l1": 1.0}.get(penalty, l1_ratio)
    return make_pipeline(StandardScaler(), LogisticRegression(l1_ratio=ratio, **params))


def knn(**params):
    return make_pipeline(StandardScaler(), KNeighborsClassifier(**params))


def mlp(width, depth, **params):
    return make_pipeline(StandardScaler(), MLPClassifier(hidden_layer_sizes=(width,) * depth, **params))


def adaboost(max_depth, random_state, **params):
    tree = DecisionTreeClassifier(max_depth=max_depth, random_state=random_state)
    return AdaBoostClassifier(tree, random_state=random_state, **params)


def rbm_logistic(n_components, learning_rate, batch_size, n_iter, C, random_state):
    rbm = BernoulliRBM(n_components=n_components, learning_rate=learning_rate,
                       batch_size=batch_size, n_iter=n_iter, random_state=random_state)
    return make_pipeline(MinMaxScaler(), rbm, LogisticRegression(C=C, max_iter=100))


# -- families -------------------------------------------------------------------------------------
SEED = {"random_state": 0}

SVC_FAMILY = Family("svc", svc, Space(svm_dimensions()),
                    fixed={"max_iter": SVM_MAX_ITER, **SEED})
LOGREG = Family("logreg", logistic_regression, logistic_space(),
                fixed={"solver": "saga", **SEED}, fidelity=Fidelity("max_iter", full=100))
KNN = Family("knn", knn, knn_space(), fidelity=knn_fidelity)
TREE = Family("tree", DecisionTreeClassifier, Space(tree_dimensions(("gini", "entropy"))),
              fixed=SEED)
RF = Family("rf", RandomForestClassifier, forest_space(("gini", "entropy")),
            fixed={"n_estimators": FOREST_FIDELITY.full, **SEED}, fidelity=FOREST_FIDELITY)
EXTRA_TREES = Family("extra_trees", ExtraTreesClassifier,
                     forest_space(("gini", "entropy"), bootstrap_first=False),
                     fixed={"n_estimators": FOREST_FIDELITY.full, **SEED}, fidelity=FOREST_FIDELITY)
HGB = Family("hgb", HistGradientBoostingClassifier, Space(boosting_dimensions()),
             fixed={"early_stopping": False, **SEED}, fidelity=BOOSTING_FIDELITY)
MLP = Family("mlp", mlp, mlp_space(), fixed=SEED, fidelity=MLP_FIDELITY)
ADABOOST = Family("adaboost", adaboost, Space([
    Integer("max_depth", 1, 5, default=1),
    Real("learning_rate", 1e-3, 1e1, log=True, default=1.0),
]), fixed=SEED, fidelity=Fidelity("n_estimators", full=50, min_fraction=0.1))

#: Ten classes make ten trees per boosting iteration: fewer iterations on digits keep one
#: evaluation near a second (100 took 5 s at the default configuration).
FIDELITY_OVERRIDES = {("hgb", "digits"): Fidelity("max_iter", full=30, min_fraction=0.1)}

FAMILIES = [SVC_FAMILY, LOGREG, KNN, TREE, RF, HGB, MLP, ADABOOST]
#: Families that give probabilities worth scoring by log-loss (SVC would need Platt scaling, an
#: inner 5-fold CV; a single tree gives 0/1 probabilities).
PROBABILISTIC = [LOGREG, KNN, RF, HGB, MLP, ADABOOST]

BALANCED = ["iris", "wine", "breast_cancer", "digits", "moons_n500", "classification_n500_f20"]
IMBALANCED = ["classification_n1000_w90"]
LOG_LOSS = ["breast_cancer", "classification_n500_f20"]
#: Real survey tables of statsmodels, with the four families whose evaluation stays cheap;
#: those with unequal classes (fair_n1200: 30% positive; modechoice: 30 to 63 per mode) are
#: scored by balanced accuracy.
REAL_FAMILIES = [SVC_FAMILY, LOGREG, KNN, TREE]
REAL_BALANCED = ["anes96"]
REAL_IMBALANCED = ["modechoice", "fair_n1200"]


def _mlp_layers(config):
    return {**config, "hidden_layer_sizes": (config["hidden_layer_sizes"],)}


# The classic example: GridSearchCV over an MLP on digits, with learning_rate declared as what it
# is, a parameter scikit-learn uses only with the sgd solver. Kept exactly as first published.
MLP_CLASSIC = Problem(
    model="mlp_classic",
    dataset=D["digits"],
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

RBM_LOGISTIC = Problem(
    model="rbm_logreg",
    dataset=D["digits"],
    estimator=rbm_logistic,
    fixed=SEED,
    space=Space([
        Integer("n_components", 16, 128, log=True, default=64),
        Real("learning_rate", 1e-3, 1.0, log=True, default=0.1),
        Integer("batch_size", 10, 100, log=True, default=10),
        Real("C", 1e-3, 1e3, log=True, default=1.0),
    ]),
    fidelity=Fidelity("n_iter", full=10, min_fraction=0.2),
    description="a Bernoulli RBM as a feature learner (pixels scaled to [0, 1]) before "
                "logistic regression",
)


PROBLEMS = [
    MLP_CLASSIC,
    *(f.problem(D[name], fidelity=FIDELITY_OVERRIDES.get((f.model, name)))
      for f in FAMILIES for name in BALANCED),
    *(f.problem(D[name], "balanced_accuracy") for f in FAMILIES for name in IMBALANCED),
    *(f.problem(D[name], "neg_log_loss") for f in PROBABILISTIC for name in LOG_LOSS),
    *EXTRA_TREES.problems([D["wine"], D["breast_cancer"], D["digits"]]),
    RBM_LOGISTIC,
    *(f.problem(D[name]) for f in REAL_FAMILIES for name in REAL_BALANCED),
    *(f.problem(D[name], "balanced_accuracy") for f in REAL_FAMILIES for name in REAL_IMBALANCED),
]
