"""Sample metrics that need no known mixture: k-nearest-neighbour precision and recall, and a
memorization side value.

**Precision and recall** (Kynkäänniemi et al. 2019, "Improved precision and recall metric for
assessing generative models"). Each real point gets a ball reaching its k-th nearest real
neighbour; the union of those balls estimates the support of the data, and the same is done for
the generated points. *Precision* is the fraction of generated points inside the real support
(are the samples realistic?), *recall* the fraction of real points inside the generated support
(is the data's variety produced?). A generator collapsed onto a few points has high precision
and low recall; a blur wider than the data has high recall and low precision. They combine into
one score by their harmonic mean (an F1), which is 0 when either is 0 and 1 only when both are:
neither failure can buy a good score.

**Memorization** (a side value, never the score): the median distance of the samples to their
nearest training point divided by the median distance of held-out points to theirs, the
data-copying comparison of Meehan et al. 2020 ("A non-parametric test to detect data-copying in
generative models"). Held-out points are fresh draws of the data's distribution that the model
never saw, so a generator that draws from that distribution gives about 1 whatever the set
sizes; one that copies its training points gives well under 1 (0 for exact copies).

Both use Euclidean distances in the space the points are given in (for images, the features the
problem scores in); the same points always give the same values.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sklearn.metrics import pairwise_distances
from sklearn.neighbors import NearestNeighbors

#: The neighbourhood size of Kynkäänniemi et al.'s recommended setting.
K = 3


@dataclass(frozen=True)
class PrecisionRecall:
    """k-NN precision and recall of one sample set, and their harmonic mean (the score)."""

    precision: float
    recall: float

    @property
    def score(self) -> float:
        p, r = self.precision, self.recall
        return 0.0 if p + r == 0 else 2 * p * r / (p + r)


def _radii(points: np.ndarray, k: int) -> np.ndarray:
    """Each point's distance to its k-th nearest other point of the same set."""
    nn = NearestNeighbors(n_neighbors=k + 1).fit(points)
    dist, _ = nn.kneighbors(points)
    return dist[:, k]


def _inside(queries: np.ndarray, support: np.ndarray, radii: np.ndarray) -> np.ndarray:
    """Whether each query lies in some support point's ball (distance <= its radius)."""
    return (pairwise_distances(queries, support) <= radii[None, :]).any(axis=1)


def _check(name: str, a: np.ndarray, d: int | None, k: int) -> np.ndarray:
    a = np.asarray(a, dtype=np.float64)
    if a.ndim != 2 or (d is not None and a.shape[1] != d):
        raise ValueError(f"{name} must be n x d{'' if d is None else f' with d={d}'}, "
                         f"got shape {a.shape}")
    if len(a) <= k:
        raise ValueError(f"{name} needs more than k={k} points, got {len(a)}")
    return a


def precision_recall(samples: np.ndarray, real: np.ndarray, k: int = K) -> PrecisionRecall:
    """k-NN precision and recall of ``samples`` against ``real`` points (both n x d)."""
    real = _check("real", real, None, k)
    samples = np.asarray(samples, dtype=np.float64)
    if samples.ndim == 2 and len(samples) and not np.isfinite(samples).all():
        return PrecisionRecall(0.0, 0.0)  # a diverged generator realizes nothing
    samples = _check("samples", samples, real.shape[1], k)
    precision = float(_inside(samples, real, _radii(real, k)).mean())
    recall = float(_inside(real, samples, _radii(samples, k)).mean())
    return PrecisionRecall(precision, recall)


def memorization(samples: np.ndarray, train: np.ndarray, held_out: np.ndarray) -> float:
    """Median nearest-training-point distance of ``samples`` over that of ``held_out`` points."""
    held_out = _check("held_out", held_out, None, 0)
    train = _check("train", train, held_out.shape[1], 0)
    samples = _check("samples", samples, held_out.shape[1], 0)
    if not np.isfinite(samples).all():
        return float("nan")
    nearest = NearestNeighbors(n_neighbors=1).fit(train)
    to_train = nearest.kneighbors(samples)[0][:, 0]
    held_to_train = nearest.kneighbors(held_out)[0][:, 0]
    denominator = float(np.median(held_to_train))
    return float(np.median(to_train)) / denominator if denominator > 0 else float("nan")
