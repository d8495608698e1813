"""A sample metric for mixtures of isotropic Gaussians: modes covered times sharp samples.

On a mixture whose components are known (the ring of eight Gaussians, a grid of 25, later the
samples of a diffusion model on them), a generator is judged as in VEEGAN (Srivastava et al.
2017) by two parts:

- **high-quality share** ``q``: the fraction of the samples within :data:`QUALITY_RADIUS`
  standard deviations of some component's mean (a sample of the true mixture is, in two
  dimensions, with probability 1 - exp(-4.5) = 0.989);
- **modes covered** ``m / K``: the fraction of the K components that hold at least
  :data:`MIN_FAIR_SHARE` of their fair share of the samples among their high-quality samples
  (a sample counts for the nearest mean). The fair share is the component's weight (1/K for
  equal weights), so that the rule means the same on 8 modes as on 25.

**How they combine: the product** ``score = (m / K) * q``. Each part alone rewards a failure:
the high-quality share alone gives a generator collapsed onto one mode its top score, and
coverage alone rewards a wide spread that grazes every mode. The product is 0 when either part
is 0, reaches its maximum only with every mode covered and every sample sharp, and is linear in
each part, so that covering twice the modes and producing twice the sharp samples weigh alike.
On the ring of eight the true mixture scores about 0.99, a sampler of four of its modes about
0.49, one collapsed onto a mode about 0.12, and a Gaussian blur with the ring's own mean and
covariance 0 (no mode holds a quarter of its share): the order a kernel distance such as the
MMD² gets wrong (a blur scored near the top), which is why it is only recorded beside it.

The metric needs no data, only the mixture's means, standard deviation and weights; the same
samples always give the same score.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

#: A sample is of high quality within this many standard deviations of a mean (VEEGAN's three).
QUALITY_RADIUS = 3.0
#: A mode is covered when it holds at least this fraction of its fair share of the samples.
MIN_FAIR_SHARE = 0.25


@dataclass(frozen=True)
class ModeScore:
    """One sample set's mode metric: the score and its two parts."""

    score: float
    modes_covered: int
    modes: int
    high_quality_fraction: float

    @property
    def covered_fraction(self) -> float:
        return self.modes_covered / self.modes


def ring_means(modes: int, radius: float) -> np.ndarray:
    """The means of ``modes`` components evenly spaced on a circle of ``radius``, the first on
    the positive x axis."""
    angle = 2 * np.pi * np.arange(modes) / modes
    return radius * np.stack([np.cos(angle), np.sin(angle)], axis=1)


def mode_score(samples: np.ndarray, means: np.ndarray, std: float,
               weights: Sequence[float] | None = None, *, radius: float = QUALITY_RADIUS,
               min_fair_share: float = MIN_FAIR_SHARE) -> ModeScore:
    """The mode metric of ``samples`` (n x d) against a mixture of isotropic Gaussians with
    ``means`` (K x d), common standard deviation ``std`` and ``weights`` (equal when None)."""
    samples = np.asarray(samples, dtype=np.float64)
    means = np.asarray(means, dtype=np.float64)
    if samples.ndim != 2 or means.ndim != 2 or samples.shape[1] != means.shape[1]:
        raise ValueError(f"samples {samples.shape} and means {means.shape} must be n x d and "
                         "K x d with the same d")
    if not std > 0:
        raise ValueError(f"std must be positive, got {std}")
    k = len(means)
    share = (np.full(k, 1.0 / k) if weights is None
             else np.asarray(weights, dtype=np.float64) / np.sum(weights))
    if share.shape != (k,):
        raise ValueError(f"{len(share)} weights for {k} means")
    n = len(samples)
    if n == 0 or not np.isfinite(samples).all():  # nothing to judge, or a diverged generator
        return ModeScore(0.0, 0, k, 0.0)
    dist = np.sqrt(((samples[:, None, :] - means[None]) ** 2).sum(axis=2))
    near = dist.min(axis=1) <= radius * std
    counts = np.bincount(dist.argmin(axis=1)[near], minlength=k)
    covered = int((counts >= min_fair_share * share * n).sum())
    quality = float(near.mean())
    return ModeScore(covered / k * quality, covered, k, quality)
