"""Pipeline problems: the preprocessing and the model chosen together, as AutoML systems search.

One family, ``pipe``, on classification and on regression datasets. A configuration picks a
feature scaler (standard, min-max, robust or none), optionally a PCA keeping a searched share of
the variance, and one of four models with that model's own hyperparameters (conditional
dimensions: each exists only when its model is chosen). This is the combined algorithm selection
and hyperparameter optimization problem of Auto-WEKA (Thornton et al., 2013) and auto-sklearn
(Feurer et al., 2015), kept to models whose evaluation stays cheap. Regression pipelines learn a
standardized target (scores are computed on the original one), so that the SVR's fixed epsilon
and its range of ``C`` mean the same on every dataset. The fidelity is the training fraction, large enough at
its smallest for the kNN's largest neighbour count.
"""

from __future__ import annotations

from sklearn.compose import TransformedTargetRegressor
from sklearn.decomposition import PCA
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.neighbors import KNeighborsClassifier, KNeighborsRegressor
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import MinMaxScaler, RobustScaler, StandardScaler
from sklearn.svm import SVC, SVR
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

from bench.space import Categorical, Integer, Real, Space, when

from .data import DATASETS
from .family import Family
from .spaces import MAX_NEIGHBORS, SVM_MAX_ITER, knn_fidelity

SCALERS = {"standard": StandardScaler, "minmax": MinMaxScaler, "robust": RobustScaler}


def _preprocessing(scaler: str, pca: str, pca_variance: float | None) -> list:
    steps = [("scale", SCALERS[scaler]() if scaler in SCALERS else "passthrough")]
    if pca == "pca":
        steps.append(("pca", PCA(n_components=pca_variance, svd_solver="full")))
    return steps


def _preprocessing_dimensions() -> list:
    return [
        Categorical("scaler", ("standard", "minmax", "robust", "none")),
        Categorical("pca", ("none", "pca")),
        Real("pca_variance", 0.5, 0.99, default=0.9, condition=when("pca", "pca")),
    ]


def _model_dimensions(first: str, linear: str) -> list:
    """The four models' own dimensions; ``first`` names the kernel machine, ``linear`` the
    linear model (logistic regression or ridge)."""
    return [
        Categorical("model", (first, linear, "knn", "tree")),
        Real("svm_C", 1e-3, 1e3, log=True, default=1.0, condition=when("model", first)),
        Real("svm_gamma", 1e-4, 1e1, log=True, default=0.03, condition=when("model", first)),
        Real("linear_strength", 1e-4, 1e4, log=True, default=1.0,
             condition=when("model", linear)),
        Integer("knn_n_neighbors", 1, MAX_NEIGHBORS, log=True, default=5,
                condition=when("model", "knn")),
        Categorical("knn_weights", ("uniform", "distance"), condition=when("model", "knn")),
        Integer("tree_max_depth", 1, 20, default=10, condition=when("model", "tree")),
        Integer("tree_min_samples_leaf", 1, 64, log=True, default=1,
                condition=when("model", "tree")),
    ]


def _model(config: dict, classification: bool, random_state: int):
    model = config["model"]
    if model in ("svc", "svr"):
        cls = SVC if classification else SVR
        return cls(C=config["svm_C"], gamma=config["svm_gamma"], max_iter=SVM_MAX_ITER)
    if model == "logreg":  # C is the inverse strength
        return LogisticRegression(C=config["linear_strength"], max_iter=1000)
    if model == "ridge":
        return Ridge(alpha=config["linear_strength"])
    if model == "knn":
        cls = KNeighborsClassifier if classification else KNeighborsRegressor
        return cls(n_neighbors=config["knn_n_neighbors"], weights=config["knn_weights"])
    cls = DecisionTreeClassifier if classification else DecisionTreeRegressor
    return cls(max_depth=config["tree_max_depth"],
               min_samples_leaf=config["tree_min_samples_leaf"], random_state=random_state)


def pipeline_classifier(random_state, scaler, pca, model, pca_variance=None, **params):
    config = {"model": model, **params}
    return Pipeline(_preprocessing(scaler, pca, pca_variance)
                    + [("model", _model(config, True, random_state))])


def pipeline_regressor(random_state, scaler, pca, model, pca_variance=None, **params):
    config = {"model": model, **params}
    inner = Pipeline(_preprocessing(scaler, pca, pca_variance)
                     + [("model", _model(config, False, random_state))])
    return TransformedTargetRegressor(inner, transformer=StandardScaler())


SEED = {"random_state": 0}
CLASSIFIER = Family("pipe", pipeline_classifier,
                    Space(_preprocessing_dimensions() + _model_dimensions("svc", "logreg")),
                    fixed=SEED, fidelity=knn_fidelity,
                    description="scaler, optional PCA and one of SVC, logistic regression, kNN or "
                                "a decision tree, searched together")
REGRESSOR = Family("pipe", pipeline_regressor,
                   Space(_preprocessing_dimensions() + _model_dimensions("svr", "ridge")),
                   fixed=SEED, fidelity=knn_fidelity,
                   description="scaler, optional PCA and one of SVR, ridge, kNN or a decision "
                               "tree, searched together (standardized target)")

C, R = DATASETS["classification"], DATASETS["regression"]
PROBLEMS = [
    *CLASSIFIER.problems(C[name] for name in ("wine", "breast_cancer", "anes96",
                                              "classification_n500_f20")),
    *CLASSIFIER.problems((C[name] for name in ("modechoice", "fair_n1200")), "balanced_accuracy"),
    *REGRESSOR.problems(R[name] for name in ("diabetes", "friedman1_n500", "star98",
                                             "sunspots_lag9", "grunfeld", "randhie_n1500")),
]
