"""Regression problems: seven model families on five datasets, four of them on four real tables,
plus absolute-error variants.

Scored by R^2 (the default) and by ``neg_mean_absolute_error`` on two datasets, where a user who
cares about typical errors rather than variance explained would tune. Models whose parameters are
in units of the target (SVR's epsilon, the elastic net's alpha, an MLP's output layer) learn a
standardized target (TransformedTargetRegressor), so one range fits every dataset; scores are
computed on the original target.
"""

from __future__ import annotations

from sklearn.compose import TransformedTargetRegressor
from sklearn.ensemble import HistGradientBoostingRegressor, RandomForestRegressor
from sklearn.linear_model import ElasticNet, Ridge
from sklearn.neighbors import KNeighborsRegressor
from sklearn.neural_network import MLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import PolynomialFeatures, StandardScaler
from sklearn.svm import SVR

from bench.space import Categorical, Real, Space

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
    mlp_space,
    svm_dimensions,
)

D = DATASETS["regression"]


def _standardized_target(model):
    return TransformedTargetRegressor(make_pipeline(StandardScaler(), model),
                                      transformer=StandardScaler())


# -- estimators ---------------------------------------------------------------------------------
def ridge(degree, **params):
    return make_pipeline(PolynomialFeatures(degree, include_bias=False), StandardScaler(),
                         Ridge(**params))


def elastic_net(**params):
    return _standardized_target(ElasticNet(**params))


def svr(**params):
    return _standardized_target(SVR(**params))


def knn(**params):
    return make_pipeline(StandardScaler(), KNeighborsRegressor(**params))


def mlp(width, depth, **params):
    return _standardized_target(MLPRegressor(hidden_layer_sizes=(width,) * depth, **params))


# -- families -------------------------------------------------------------------------------------
SEED = {"random_state": 0}

# Ridge on polynomial features: the degree decides how much the penalty has to hold back.
# (Bayesmark also searched fit_intercept; with an uncentred target, False is wrong on every
# dataset, and half the random configurations scoring R^2 far below zero made ref_random
# meaningless.)
RIDGE = Family("ridge", ridge, Space([
    Categorical("degree", (1, 2, 3)),
    Real("alpha", 1e-4, 1e4, log=True, default=1.0),
]))
ELASTIC_NET = Family("elasticnet", elastic_net, Space([
    Real("alpha", 1e-5, 1e1, log=True, default=1e-2),
    Real("l1_ratio", 0.01, 1.0, default=0.5),
]), fixed={"max_iter": 5000, **SEED})
SVR_FAMILY = Family("svr", svr, Space([
    *svm_dimensions(),
    Real("epsilon", 1e-3, 1.0, log=True, default=0.1),
]), fixed={"max_iter": SVM_MAX_ITER})
KNN = Family("knn", knn, knn_space(), fidelity=knn_fidelity)
RF = Family("rf", RandomForestRegressor, forest_space(None),
            fixed={"n_estimators": FOREST_FIDELITY.full, **SEED}, fidelity=FOREST_FIDELITY)
HGB = Family("hgb", HistGradientBoostingRegressor, Space([
    Categorical("loss", ("squared_error", "absolute_error")),
    *boosting_dimensions(),
]), fixed={"early_stopping": False, **SEED}, fidelity=BOOSTING_FIDELITY)
MLP = Family("mlp", mlp, mlp_space(), fixed=SEED, fidelity=MLP_FIDELITY)

FAMILIES = [RIDGE, ELASTIC_NET, SVR_FAMILY, KNN, RF, HGB, MLP]
R2 = ["diabetes", "friedman1_n500", "friedman2_n500", "friedman3_n500", "regression_n400_f20"]
ABSOLUTE_ERROR = ["diabetes", "friedman1_n500"]
#: Real tables of statsmodels, with the four families whose evaluation stays cheap.
REAL_FAMILIES = [RIDGE, ELASTIC_NET, SVR_FAMILY, KNN]
REAL = ["star98", "grunfeld", "sunspots_lag9", "randhie_n1500"]

PROBLEMS = [
    *(f.problem(D[name]) for f in FAMILIES for name in R2),
    *(f.problem(D[name], "neg_mean_absolute_error") for f in FAMILIES for name in ABSOLUTE_ERROR),
    # linnerud has 20 samples and 3 targets: only linear models, and the absolute error, whose
    # folds of three or four samples are less erratic than R^2's
    *(f.problem(D["linnerud"], "neg_mean_absolute_error") for f in (RIDGE, ELASTIC_NET)),
    *(f.problem(D[name]) for f in REAL_FAMILIES for name in REAL),
]
