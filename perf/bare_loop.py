"""The bare loop that ``perf/vs_bare_loop.py`` measures searchbench against.

One Python process, no subprocesses, scikit-learn used directly (nothing of the harness is
imported): the same estimators as the catalogue's ``tree-*`` and ``knn-*`` classification problems
(``datasets/classifiers.py``), with the same protocol (``bench/problem.py``): a stratified 20%
holdout split with seed 0, ``StratifiedKFold(5, shuffle=True, random_state=0)`` on the rest, one
model fitted per fold, the mean validation accuracy and the mean holdout accuracy of the fold
models.

Usage: ``python perf/bare_loop.py CONFIGS.json OUT.json``. ``CONFIGS.json`` is a list of
``{"problem": "knn-wine", "params": {...}}`` in evaluation order (the configurations a searchbench
run evaluated, so both do exactly the same work); ``OUT.json`` receives the scores, in the same
order, so that the caller can check they agree with searchbench's.
"""

import json
import sys

import numpy as np
from sklearn.datasets import load_breast_cancer, load_wine
from sklearn.model_selection import StratifiedKFold, train_test_split
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.tree import DecisionTreeClassifier

LOADERS = {"wine": load_wine, "breast_cancer": load_breast_cancer}
MODELS = {
    "knn": lambda params: make_pipeline(StandardScaler(), KNeighborsClassifier(**params)),
    "tree": lambda params: DecisionTreeClassifier(random_state=0, **params),
}


def split(dataset):
    X, y = LOADERS[dataset](return_X_y=True)
    X = np.asarray(X, dtype=np.float64)
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, random_state=0,
                                                        stratify=y)
    folds = list(StratifiedKFold(5, shuffle=True, random_state=0).split(X_train, y_train))
    return X_train, X_test, y_train, y_test, folds


def main():
    configs = json.load(open(sys.argv[1]))
    data = {}
    out = []
    for item in configs:
        model, dataset = item["problem"].split("-", 1)
        if dataset not in data:
            data[dataset] = split(dataset)
        X_train, X_test, y_train, y_test, folds = data[dataset]
        val, test = [], []
        for train_idx, val_idx in folds:
            est = MODELS[model](item["params"])
            est.fit(X_train[train_idx], y_train[train_idx])
            val.append(est.score(X_train[val_idx], y_train[val_idx]))
            test.append(est.score(X_test, y_test))
        out.append({"score": float(np.mean(val)), "test_score": float(np.mean(test))})
    json.dump(out, open(sys.argv[2], "w"))


if __name__ == "__main__":
    main()
