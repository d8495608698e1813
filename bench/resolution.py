"""The resolution of a problem's score: the smallest difference it can tell from noise.

A problem whose reference range (``ref_best - ref_random``) is below it cannot be normalized
meaningfully (one step of the score would be worth a whole normalized unit or more), so it is
reported by rank only:

- accuracy-like metrics (``accuracy``, ``balanced_accuracy``) move in steps of one CV sample:
  the mean over folds of the fold accuracies changes by 1/N when one of the N training samples
  changes sides (balanced accuracy: 1/(K n_min), one sample of the smallest of K classes);
- continuous metrics (R², log-likelihood, log loss, MAE) have no step; their resolution is the
  fold-to-fold standard error of the reference best's CV score (``ref_best_sem``, recorded by the
  pooled reference protocol; unknown for references made before it).
"""

from __future__ import annotations

import numpy as np

ACCURACY_LIKE = ("accuracy", "balanced_accuracy")


def metric_name(problem) -> str:
    if getattr(problem, "metric", None):
        return problem.metric
    return problem.to_dict().get("metric", "") if hasattr(problem, "to_dict") else ""


def resolution(problem, ref_best_sem: float | None = None) -> float | None:
    """One step of ``problem``'s CV score, or None when it is not known."""
    metric = metric_name(problem)
    if metric in ACCURACY_LIKE:
        splits = getattr(problem, "splits", None)
        if splits is None:  # a problem without data of its own (a test double): unknown
            return None
        _, _, y_train, _ = splits
        y = np.asarray(y_train)
        if metric == "accuracy":
            return 1.0 / len(y)
        _, counts = np.unique(y, return_counts=True)
        return 1.0 / (len(counts) * counts.min())
    return ref_best_sem


def rank_only(problem, ref_random: float, ref_best: float,
              ref_best_sem: float | None = None) -> bool:
    """True when the reference range is below the score's resolution."""
    step = resolution(problem, ref_best_sem)
    return step is not None and (ref_best - ref_random) < step
