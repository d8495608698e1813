"""A catalogue of cheap problems for the tests (each evaluation takes milliseconds)."""

import time
from pathlib import Path

import numpy as np
from sklearn.linear_model import Ridge
from sklearn.neighbors import KNeighborsClassifier
from sklearn.tree import DecisionTreeClassifier

from bench.problem import Dataset, Fidelity, Problem
from bench.space import Categorical, Integer, Real, Space, when
from bench.catalogue import Reference

VERSION = "tiny-1"
SUITES_DIR = Path(__file__).with_name("suites")


def _blobs():
    from sklearn.datasets import make_classification

    return make_classification(n_samples=120, n_features=6, n_informative=4, random_state=0)


def _line():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(80, 3))
    return X, X @ np.array([1.0, -2.0, 0.5]) + rng.normal(scale=0.1, size=80)


BLOBS = Dataset("blobs", "classification", _blobs)
LINE = Dataset("line", "regression", _line)


class RaisingTree(DecisionTreeClassifier):
    """A tree that refuses max_depth above 6: a model that raises on part of the space."""

    def fit(self, X, y, sample_weight=None):
        if self.max_depth is not None and self.max_depth > 6:
            raise ValueError(f"max_depth={self.max_depth} is not supported")
        return super().fit(X, y, sample_weight)


class SlowRidge(Ridge):
    """Sleeps for ``alpha`` seconds when alpha > 1: for time-limit tests."""

    def fit(self, X, y, sample_weight=None):
        if self.alpha > 1:
            time.sleep(self.alpha)
        return super().fit(X, y, sample_weight)


PROBLEMS = [
    Problem("tree", BLOBS, DecisionTreeClassifier, Space([
        Integer("max_depth", 1, 8),
        Categorical("criterion", ("gini", "entropy")),
        Real("min_impurity_decrease", 0.0, 0.2),
    ]), fixed={"random_state": 0}, cv=3),
    Problem("knn", BLOBS, KNeighborsClassifier, Space([
        Integer("n_neighbors", 1, 15),
        Categorical("weights", ("uniform", "distance")),
        Categorical("algorithm", ("auto", "kd_tree")),
        Integer("leaf_size", 5, 50, condition=when("algorithm", "kd_tree")),
    ]), cv=3),
    Problem("ridge", LINE, Ridge, Space([
        Real("alpha", 1e-3, 1e2, log=True),
        Categorical("fit_intercept", (True, False)),
    ]), cv=3, fidelity=Fidelity(min_fraction=0.25)),
    Problem("raising", BLOBS, RaisingTree, Space([Integer("max_depth", 1, 10)]),
            fixed={"random_state": 0}, cv=3),
    Problem("slow", LINE, SlowRidge, Space([Real("alpha", 0.01, 3.0)]), cv=3, time_limit=1.0),
]

REFERENCES = {
    "tree-blobs": Reference(0.6, 0.9),
    "knn-blobs": Reference(0.7, 0.95),
    "ridge-line": Reference(0.9, 0.999),
}
