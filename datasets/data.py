"""The datasets: bundled with scikit-learn or generated with fixed seeds. Nothing is downloaded.

Each loader returns ``(X, y)`` as float64 arrays (``y`` is None for density estimation). A
generated dataset's name carries its variant (``friedman1_n500``).
"""

from __future__ import annotations

import numpy as np
from sklearn import datasets as skd
from sklearn.decomposition import PCA

from bench.problem import Dataset


def _bundled(loader):
    def load():
        X, y = loader(return_X_y=True)
        return np.asarray(X, dtype=np.float64), np.asarray(y)
    return load


def _digits_pca16():
    X, _ = skd.load_digits(return_X_y=True)
    return PCA(n_components=16, random_state=0).fit_transform(X / 16.0), None


CLASSIFICATION = [
    Dataset("iris", "classification", _bundled(skd.load_iris), "150 x 4, 3 classes"),
    Dataset("wine", "classification", _bundled(skd.load_wine), "178 x 13, 3 classes"),
    Dataset("breast_cancer", "classification", _bundled(skd.load_breast_cancer), "569 x 30, 2 classes"),
    Dataset("digits", "classification", _bundled(skd.load_digits), "1797 x 64, 10 classes"),
]

REGRESSION = [
    Dataset("diabetes", "regression", _bundled(skd.load_diabetes), "442 x 10"),
]

DENSITY = [
    Dataset("digits_pca16", "density", _digits_pca16, "digits projected on 16 principal components"),
]

DATASETS = {d.name: d for d in CLASSIFICATION + REGRESSION + DENSITY}
