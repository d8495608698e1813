"""Search spaces shared by classifiers and regressors, as the literature searches them.

Regularization strengths, learning rates, widths and counts are searched on a log scale; a
parameter that exists only for some value of another is a conditional dimension (``gamma`` only
for the kernels that use it, ``momentum`` only for the sgd solver). No space here has forbidden
combinations: a conditional encoding says the same thing and every strategy can follow it.

Ranges are wider than Bayesmark's where its own were narrow enough to make a problem easy (its
SVM ``gamma`` spanned one decade; here it spans five).
"""

from __future__ import annotations

import math

from bench.memo import dataset_length
from bench.problem import Dataset, Fidelity
from bench.space import Categorical, Integer, Real, Space, when


#: libsvm iterations allowed per fit: without a cap, a polynomial kernel with large C and gamma
#: runs for many minutes; capped, the slowest fits take about a second, and score as they stop.
SVM_MAX_ITER = 100_000


def svm_dimensions() -> list:
    """SVC / SVR: the kernel decides which of gamma, degree and coef0 exist."""
    return [
        Real("C", 1e-3, 1e3, log=True, default=1.0),
        Categorical("kernel", ("rbf", "linear", "poly", "sigmoid")),
        Real("gamma", 1e-4, 1e1, log=True, default=0.03,
             condition=when("kernel", "rbf", "poly", "sigmoid")),
        Integer("degree", 2, 5, default=3, condition=when("kernel", "poly")),
        Real("coef0", -1.0, 1.0, default=0.0, condition=when("kernel", "poly", "sigmoid")),
    ]


def logistic_space() -> Space:
    """LogisticRegression with the saga solver: l1_ratio exists only for the elastic net."""
    return Space([
        Real("C", 1e-4, 1e4, log=True, default=1.0),
        Categorical("penalty", ("l2", "l1", "elasticnet")),
        Real("l1_ratio", 0.05, 0.95, default=0.5, condition=when("penalty", "elasticnet")),
    ])


#: The largest ``n_neighbors`` searched; a kNN problem's training fraction stays large enough
#: for it (see :func:`knn_fidelity`).
MAX_NEIGHBORS = 30


def knn_space() -> Space:
    return Space([
        Integer("n_neighbors", 1, MAX_NEIGHBORS, log=True, default=5),
        Categorical("weights", ("uniform", "distance")),
        Categorical("p", (2, 1)),
    ])


def knn_fidelity(dataset: Dataset, cv: int = 5, test_size: float = 0.2) -> Fidelity:
    """A training-fraction fidelity whose smallest subsample still holds ``MAX_NEIGHBORS``
    samples, so that no neighbour count of the space fails at low fidelity. The dataset's length
    is remembered between commands (:mod:`bench.memo`): importing the catalogue loads no data."""
    fold_train = math.floor(dataset_length(dataset) * (1 - test_size)) * (cv - 1) // cv
    fraction = max(0.1, math.ceil(100 * MAX_NEIGHBORS / fold_train) / 100)
    return Fidelity(min_fraction=fraction)


def tree_dimensions(criteria: tuple[str, ...] | None, max_features: float = 1.0) -> list:
    """A decision tree's growth limits (also a forest's trees'); ``max_features`` is the default
    share of features tried per split."""
    dims = [Categorical("criterion", criteria)] if criteria else []
    return dims + [
        Integer("max_depth", 1, 20, default=10),
        Integer("min_samples_split", 2, 64, log=True, default=2),
        Integer("min_samples_leaf", 1, 32, log=True, default=1),
        Real("max_features", 0.05, 1.0, default=max_features),
    ]


def forest_space(criteria: tuple[str, ...] | None, bootstrap_first: bool = True) -> Space:
    """Random forest / extra trees: max_samples exists only for bootstrap samples."""
    order = (True, False) if bootstrap_first else (False, True)
    return Space([
        *tree_dimensions(criteria, max_features=0.3),
        Categorical("bootstrap", order),
        Real("max_samples", 0.1, 1.0, default=1.0, condition=when("bootstrap", True)),
    ])


#: Trees per forest at full fidelity; multi-fidelity strategies may use as few as a tenth.
FOREST_FIDELITY = Fidelity("n_estimators", full=50, min_fraction=0.1)


def boosting_dimensions() -> list:
    """Histogram gradient boosting (LightGBM-style), without early stopping."""
    return [
        Real("learning_rate", 1e-3, 1.0, log=True, default=0.1),
        Integer("max_leaf_nodes", 4, 128, log=True, default=31),
        Integer("min_samples_leaf", 1, 100, log=True, default=20),
        Real("l2_regularization", 1e-6, 1e2, log=True, default=1e-6),
        Real("max_features", 0.1, 1.0, default=1.0),
    ]


BOOSTING_FIDELITY = Fidelity("max_iter", full=100, min_fraction=0.1)


def mlp_space() -> Space:
    """A one- or two-layer perceptron; adam and sgd each bring their own parameters.

    Width and batch size are bounded (at most 128 units, at least 32 samples per batch) so that
    the slowest configuration on digits stays within seconds: 256 units in two layers with
    batches of 16 took minutes for one 5-fold evaluation.
    """
    return Space([
        Integer("width", 16, 128, log=True, default=64),
        Categorical("depth", (1, 2)),
        Categorical("activation", ("relu", "tanh")),
        Real("alpha", 1e-6, 1e1, log=True, default=1e-4),
        Integer("batch_size", 32, 256, log=True, default=64),
        Real("learning_rate_init", 1e-4, 1e-1, log=True, default=1e-3),
        Categorical("solver", ("adam", "sgd")),
        Real("beta_1", 0.5, 0.99, default=0.9, condition=when("solver", "adam")),
        Real("beta_2", 0.9, 0.9999, default=0.999, condition=when("solver", "adam")),
        Real("momentum", 0.5, 0.99, default=0.9, condition=when("solver", "sgd")),
        Categorical("nesterovs_momentum", (True, False), condition=when("solver", "sgd")),
        Categorical("learning_rate", ("constant", "invscaling", "adaptive"),
                    condition=when("solver", "sgd")),
        Real("power_t", 0.1, 0.9, default=0.5, condition=when("learning_rate", "invscaling")),
    ])


#: Epochs at full fidelity (scikit-learn stops earlier when the loss stops improving).
MLP_FIDELITY = Fidelity("max_iter", full=50, min_fraction=0.1)
