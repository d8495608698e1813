"""An optional OpenML loader, for users with a network; the built-in catalogue never uses it.

OpenML datasets are downloaded once by scikit-learn's ``fetch_openml`` and cached under
``data_home``, so later loads (and the evaluation processes) work offline. Use it from a
catalogue module of your own, selected with ``SEARCHBENCH_CATALOGUE``::

    # my_catalogue.py (on the PYTHONPATH)
    from bench.datasets import PROBLEMS as BUILT_IN, VERSION
    from bench.datasets.classifiers import SVC_FAMILY, RF
    from bench.datasets.openml import openml_dataset

    credit = openml_dataset("credit-g", "classification", version=1)
    PROBLEMS = [*BUILT_IN, SVC_FAMILY.problem(credit), RF.problem(credit)]
    SUITES_DIR = None  # or a folder of suite files

    $ SEARCHBENCH_CATALOGUE=my_catalogue searchbench run my-suite.toml

A dataset pinned by name and version (or by id) has fixed contents, so the catalogue
fingerprint, which hashes the data, stays stable from machine to machine.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from bench.problem import Dataset

#: Where downloads are cached unless ``data_home`` or ``$SEARCHBENCH_OPENML_CACHE`` says otherwise.
DEFAULT_CACHE = Path.home() / ".cache" / "searchbench" / "openml"


def openml_dataset(name: str | None = None, task: str = "classification", *,
                   version: int | None = None, data_id: int | None = None,
                   data_home: str | Path | None = None) -> Dataset:
    """A :class:`~bench.problem.Dataset` backed by OpenML (``name`` and ``version``, or
    ``data_id``). Categorical features are one-hot encoded, missing values become the column's
    median, and class labels become integers ``0..k-1`` in sorted order."""
    if (name is None) == (data_id is None):
        raise ValueError("give an OpenML dataset name or a data_id, not both")
    if task not in ("classification", "regression", "density"):
        raise ValueError(f"task must be classification, regression or density, got {task!r}")
    home = Path(data_home or os.environ.get("SEARCHBENCH_OPENML_CACHE") or DEFAULT_CACHE)
    label = f"openml_{name}_v{version}" if name is not None else f"openml_{data_id}"

    def load():
        import pandas as pd
        from sklearn.datasets import fetch_openml

        bunch = fetch_openml(name=name, version=version, data_id=data_id, data_home=str(home),
                             as_frame=True, parser="auto")
        X = pd.get_dummies(bunch.data, dtype=np.float64).astype(np.float64)
        X = X.fillna(X.median()).to_numpy()
        if task == "density":
            return X, None
        if task == "classification":
            _, y = np.unique(np.asarray(bunch.target).astype(str), return_inverse=True)
            return X, y
        return X, np.asarray(bunch.target, dtype=np.float64)

    where = f"name={name!r}, version={version!r}" if name is not None else f"data_id={data_id}"
    return Dataset(label, task, load, f"OpenML {where}; fetch_openml, cached in {home}")
