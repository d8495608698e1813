"""The resolution and the noise of a problem's score: how finely it moves, and how much it moves
by chance.

A problem whose reference range (``ref_best - ref_random``) is below it cannot be normalized
meaningfully (one step of the score would be worth a whole normalized unit or more), so it is
reported by rank only:

- accuracy-like metrics (``accuracy``, ``balanced_accuracy``) move in steps of one CV sample:
  the mean over folds of the fold accuracies changes by 1/N when one of the N training samples
  changes sides (balanced accuracy: 1/(K n_min), one sample of the smallest of K classes);
- continuous metrics (R², log-likelihood, log loss, MAE) have no step; their resolution is the
  fold-to-fold standard error of the reference best's CV score (``ref_best_sem``, recorded by the
  pooled reference protocol; unknown for references made before it).

The selection rule judges a problem's reference range against the score's **noise**
(:func:`score_noise`, protocol v3): one standard error of the score of one configuration (the
reference's best),

- under cross-validation, the standard error of the mean of the k fold scores, from their
  standard deviation with k - 1 degrees of freedom (``ref_best_sem`` is stored as the population
  deviation over sqrt(k), so it is scaled by sqrt(k / (k - 1)));
- for a single validation split (the deep problems: one fit, no folds), the standard deviation
  of the score over :data:`bench.references.NOISE_SEEDS` training seeds of that configuration
  (``seed_std``, measured by ``searchbench references``);

and never less than one step of the score's resolution: a score cannot be told apart more
finely than it moves, however alike the folds happened to be.
"""

from __future__ import annotations

import math

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


def score_noise(problem, entry) -> float | None:
    """One standard error of ``problem``'s score from its references ``entry`` (see the
    module's docstring), or None when it is not measured."""
    folds = getattr(problem, "cv", 5)
    if folds >= 2:
        sem = entry.get("ref_best_sem")
        noise = None if sem is None else float(sem) * math.sqrt(folds / (folds - 1))
    else:
        std = entry.get("seed_std")
        noise = None if std is None else float(std)
    step = resolution(problem) if metric_name(problem) in ACCURACY_LIKE else None
    if noise is None or not math.isfinite(noise):
        return None
    noise = max(noise, step or 0.0)
    return noise if noise > 0 else None  # five equal folds or seeds measure no noise: unknown
