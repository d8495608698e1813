"""Problems: a dataset, a model, its search space, a metric and a fixed evaluation protocol.

The protocol is fixed by the problem, never by the strategy or the seed: a holdout test split,
then k-fold cross-validation on the rest (stratified for classification), with the model's own
``random_state`` set in its fixed parameters. The strategy sees the mean CV score (higher is
better); the holdout test score (the mean over the k fold models) is recorded beside it so that
over-fitting the validation folds stays visible.
"""

from __future__ import annotations

import functools
import hashlib
import math
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.metrics import get_scorer
from sklearn.model_selection import KFold, StratifiedKFold, train_test_split

from bench.space import Config, Space

TASKS = ("classification", "regression", "density", "generative")


@dataclass(frozen=True)
class Dataset:
    """A named, offline dataset: ``load()`` returns ``(X, y)`` (``y`` is None for density)."""

    name: str
    task: str
    load: Callable[[], tuple[np.ndarray, np.ndarray | None]]
    description: str = ""

    def __post_init__(self):
        if self.task not in TASKS:
            raise ValueError(f"dataset {self.name}: task must be one of {TASKS}, got {self.task!r}")

    def arrays(self) -> tuple[np.ndarray, np.ndarray | None]:
        return _load_cached(self.name, self.load)

    def digest(self) -> str:
        """A hash of the data itself, so that a changed loader changes the fingerprint."""
        X, y = self.arrays()
        h = hashlib.sha256()
        for a in (X, y):
            if a is not None:
                a = np.ascontiguousarray(a)
                h.update(str((a.dtype.str, a.shape)).encode())
                h.update(a.tobytes())
        return h.hexdigest()


_DATA_CACHE: dict[tuple[str, Callable], tuple] = {}


def _load_cached(name: str, load: Callable) -> tuple:
    key = (name, load)
    if key not in _DATA_CACHE:
        _DATA_CACHE[key] = load()
    return _DATA_CACHE[key]


@dataclass(frozen=True)
class Fidelity:
    """How a fraction ``f`` of a full evaluation is realised, and the smallest ``f`` allowed.

    With ``param=None`` the model is trained on the fraction ``f`` of each training fold (a fixed,
    stratified subsample); with a parameter name such as ``"n_estimators"`` or ``"max_iter"``, that
    parameter is set to ``round(f * full)``. A trial at fidelity ``f`` is charged the problem's
    measured relative compute c(f) (:mod:`bench.costcurve`), or ``f`` where none is frozen.
    """

    param: str | None = None
    full: int | None = None
    min_fraction: float = 0.1

    def __post_init__(self):
        if not 0 < self.min_fraction <= 1:
            raise ValueError(f"min_fraction must be in (0, 1], got {self.min_fraction!r}")
        if self.param is not None and (self.full is None or self.full < 1):
            raise ValueError("a parameter fidelity needs its full value")

    def describe(self) -> str:
        if self.param is None:
            return f"training fraction [{self.min_fraction:g}, 1]"
        low = max(1, round(self.min_fraction * self.full))
        return f"{self.param} [{low}, {self.full}]"


@dataclass(frozen=True)
class Evaluation:
    """What one evaluation of a configuration gives."""

    score: float
    score_std: float
    test_score: float
    extras: Mapping[str, float] | None = None  # named side metrics, kept beside the score


class TrialFailed(RuntimeError):
    """The model could not be evaluated for this configuration (it raised, or its score is not
    finite). The trial is recorded as failed; the run goes on."""


@dataclass(frozen=True)
class Problem:
    """A dataset x model x space x metric x protocol, with a stable id.

    Parameters
    ----------
    model : str
        Short family name (``"svc"``, ``"mlp"``); the id is ``<model>-<dataset>[-<metric>]``.
    dataset : Dataset
    estimator : callable
        ``estimator(**params)`` returns an unfitted scikit-learn estimator (often a pipeline).
    space : Space
    fixed : mapping
        Parameters always passed to ``estimator``, such as ``random_state``.
    metric : str or None
        A scikit-learn scorer name (greater is better); None means the estimator's own
        ``score`` (accuracy, R^2) or, for density models, the mean held-out log-likelihood.
    convert : callable, optional
        Maps a configuration to estimator parameters when they differ (``hidden_layer_sizes=100``
        to ``(100,)``).
    fidelity : Fidelity
        How partial evaluations are made, for multi-fidelity strategies.
    """

    model: str
    dataset: Dataset
    estimator: Callable[..., BaseEstimator]
    space: Space
    fixed: Mapping[str, Any] = field(default_factory=dict)
    metric: str | None = None
    convert: Callable[[Config], Config] | None = None
    fidelity: Fidelity = Fidelity()
    cv: int = 5
    test_size: float = 0.2
    split_seed: int = 0
    time_limit: float = 120.0
    description: str = ""

    #: Distributions whose versions can change this problem's scores (recorded with each run).
    requires: ClassVar[tuple[str, ...]] = ("scikit-learn",)

    @property
    def id(self) -> str:
        base = f"{self.model}-{self.dataset.name}"
        return f"{base}-{self.metric}" if self.metric else base

    @property
    def task(self) -> str:
        return self.dataset.task

    # -- building and splitting --------------------------------------------------------------
    def make_estimator(self, config: Config, fidelity: float = 1.0) -> BaseEstimator:
        params = dict(self.fixed)
        params.update(self.convert(dict(config)) if self.convert else config)
        if self.fidelity.param is not None:
            full = params.get(self.fidelity.param, self.fidelity.full)
            params[self.fidelity.param] = max(1, round(fidelity * full))
        return self.estimator(**params)

    @functools.cached_property
    def splits(self) -> tuple:
        """``(X_train, X_test, y_train, y_test)``: the fixed holdout split, computed once."""
        X, y = self.dataset.arrays()
        if y is None:
            X_train, X_test = train_test_split(X, test_size=self.test_size, random_state=self.split_seed)
            return X_train, X_test, None, None
        stratify = y if self.task == "classification" else None
        return tuple(
            train_test_split(X, y, test_size=self.test_size, random_state=self.split_seed, stratify=stratify)
        )

    def cv_splitter(self):
        """The k-fold splitter on the training part (give it to GridSearchCV to compare)."""
        kind = StratifiedKFold if self.task == "classification" else KFold
        return kind(n_splits=self.cv, shuffle=True, random_state=self.split_seed)

    @functools.cached_property
    def folds(self) -> list[tuple[np.ndarray, np.ndarray]]:
        X_train, _, y_train, _ = self.splits
        return list(self.cv_splitter().split(X_train, y_train))

    @property
    def unavailable(self) -> str | None:
        """Why this problem cannot run on this installation (a missing extra), or None."""
        return None

    @property
    def extra(self) -> str:
        """The searchbench extra this problem needs (``pip install 'searchbench[NAME]'``), or ""."""
        return ""

    def prepare(self) -> None:
        """Compute the dataset, the holdout split and the folds, once, before the first trial."""
        self.folds  # noqa: B018  (a cached property: reading it computes and keeps it)

    def data_digest(self) -> str:
        return self.dataset.digest()

    def __getstate__(self):
        # Arrays cached on the instance stay behind: a problem is shipped to workers by definition.
        return {k: v for k, v in self.__dict__.items() if k not in ("splits", "folds")}

    def __setstate__(self, state):
        self.__dict__.update(state)

    def scorer(self) -> Callable:
        if self.metric is not None:
            return get_scorer(self.metric)
        if self.task == "density":
            return _mean_log_likelihood
        return lambda est, X, y: est.score(X, y)

    # -- evaluating ----------------------------------------------------------------------------
    def evaluate(self, config: Config, fidelity: float = 1.0) -> Evaluation:
        """Cross-validate ``config`` at ``fidelity``; raise :class:`TrialFailed` if it cannot."""
        X_train, X_test, y_train, y_test = self.splits
        scorer = self.scorer()
        val_scores, test_scores = [], []
        for k, (train_idx, val_idx) in enumerate(self.folds):
            train_idx = self._subsample(train_idx, y_train, fidelity, k)
            model = self.make_estimator(config, fidelity)
            yt = None if y_train is None else y_train[train_idx]
            yv = None if y_train is None else y_train[val_idx]
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    model.fit(X_train[train_idx], yt)
                    val_scores.append(float(scorer(model, X_train[val_idx], yv)))
                    test_scores.append(float(scorer(model, X_test, y_test)))
            except Exception as exc:  # any model error makes a failed trial, not a failed run
                raise TrialFailed(f"{type(exc).__name__}: {exc}") from exc
        score = float(np.mean(val_scores))
        if not (math.isfinite(score) and all(map(math.isfinite, test_scores))):
            raise TrialFailed(f"non-finite score (validation folds: {val_scores})")
        return Evaluation(score, float(np.std(val_scores)), float(np.mean(test_scores)))

    def _subsample(self, idx: np.ndarray, y: np.ndarray | None, fidelity: float, fold: int):
        if self.fidelity.param is not None or fidelity >= 1.0:
            return idx
        n = max(2, int(round(fidelity * len(idx))))
        stratify = y[idx] if self.task == "classification" else None
        try:
            kept, _ = train_test_split(idx, train_size=n, random_state=self.split_seed + fold, stratify=stratify)
        except ValueError:  # too few samples per class to stratify at this size
            kept, _ = train_test_split(idx, train_size=n, random_state=self.split_seed + fold)
        return np.sort(kept)

    # -- description ---------------------------------------------------------------------------
    def to_dict(self) -> dict:
        """Everything that defines the problem, JSON-ready (fingerprints, catalogue tables)."""
        example = self.make_estimator(self.space.default())
        return {
            "id": self.id,
            "model": self.model,
            "dataset": self.dataset.name,
            "task": self.task,
            "metric": self.metric or _default_metric(self.task),
            "estimator": _describe_estimator(example),
            "fixed": {k: repr(v) for k, v in sorted(self.fixed.items())},
            "space": self.space.to_dict(),
            "fidelity": self.fidelity.describe(),
            "protocol": {"cv": self.cv, "test_size": self.test_size, "split_seed": self.split_seed},
        }


def _default_metric(task: str) -> str:
    return {"classification": "accuracy", "regression": "r2", "density": "mean log-likelihood",
            "generative": "sample distance"}[task]


def _mean_log_likelihood(estimator, X, y=None) -> float:
    return float(np.mean(estimator.score_samples(X)))


def _describe_estimator(value: Any) -> Any:
    """A JSON-ready, complete description of an estimator and its parameters (no truncation)."""
    if isinstance(value, BaseEstimator):
        params = value.get_params(deep=False)
        return {
            "class": f"{type(value).__module__}.{type(value).__qualname__}",
            "params": {k: _describe_estimator(v) for k, v in sorted(params.items())},
        }
    if isinstance(value, (list, tuple)):
        return [_describe_estimator(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _describe_estimator(v) for k, v in sorted(value.items())}
    if isinstance(value, (str, bool, int, float, type(None))):
        return value
    return repr(value)
