"""The power of the tests against the baseline: the smallest effects they detect.

The smallest effect against random search each test detects with 80% power at the
report's number of problems, after Holm's correction over the strategies compared (the level
a strategy must beat when it is the only one that differs, alpha / m; :func:`power`). For the
sign test it is exact: the share of problems a strategy must beat random search on. For the
signed-rank test it is the mean per-problem difference in standard deviations of the
differences, for normal differences, from the test's exact null distribution and
:data:`POWER_SIMULATIONS` simulated sets of problems (fixed seed); multiplied by the observed
spread of the differences it reads in normalized units.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import scipy.stats as ss

from bench.stats import ALPHA

#: The power the report's minimal detectable effects are computed for, and how.
POWER = 0.8
POWER_SIMULATIONS = 20_000
POWER_SEED = 0


@dataclass(frozen=True)
class Power:
    """The smallest effects detected with probability :data:`POWER` by the tests against the
    baseline, with ``problems`` problems and ``comparisons`` strategies compared (Holm)."""

    problems: int
    comparisons: int
    level: float  # the level of Holm's first step: ALPHA / comparisons
    sign_share: float  # share of problems won (no ties) the sign test needs
    wilcoxon_d: float  # mean difference / sd of the differences the signed-rank test needs
    spread: float | None = None  # observed sd of the per-problem differences (normalized units)

    @property
    def wilcoxon_normalized(self) -> float | None:
        return None if self.spread is None else self.wilcoxon_d * self.spread

    def describe(self) -> str:
        head = (f"Power: with {self.problems} problems and {self.comparisons} strategies "
                f"compared with random search (Holm: the first step tests at {ALPHA} / "
                f"{self.comparisons} = {self.level:.3g})")
        if math.isnan(self.sign_share) or math.isnan(self.wilcoxon_d):
            return (f"{head}, no outcome of the sign or signed-rank test can reach that level: "
                    f"they need at least {smallest_testable(self.level)} problems without ties. "
                    "Differences here are descriptive.")
        text = (f"{head}, a test detects with {POWER:.0%} probability an effect of at least: "
                f"Wilcoxon signed-rank (the primary test), a mean per-problem difference "
                f"of {self.wilcoxon_d:.2f} standard deviations of the differences (normal "
                f"differences; exact null distribution, {POWER_SIMULATIONS:,} simulations, seed "
                f"{POWER_SEED})")
        spread = (f", about {self.wilcoxon_normalized:.3f} normalized units at the observed "
                  f"spread (median over strategies of the differences' standard deviation, "
                  f"{self.spread:.3f})") if self.spread is not None else ""
        text += (f"{spread}; sign test (secondary), a strategy better on "
                 f"{self.sign_share:.0%} of the problems (exact binomial; of the problems not "
                 "tied within their band, so more of them when there are ties)")
        return text + ". A smaller effect can be real and still not be significant here."


def smallest_testable(level: float) -> int:
    """The fewest problems (no ties) with which a two-sided sign or signed-rank test can give a
    p-value at or below ``level``: the smallest n with 2 / 2**n <= level."""
    return max(1, math.ceil(math.log2(2 / level)))


def power(problems: int, comparisons: int, spread: float | None = None) -> Power:
    """The smallest effects the sign and signed-rank tests against the baseline detect with
    probability :data:`POWER` at Holm's first step (level ALPHA / comparisons), two-sided."""
    level = ALPHA / max(comparisons, 1)
    return Power(problems, comparisons, level, _sign_share(problems, level),
                 _wilcoxon_d(problems, level), spread)


def _bisect(power_of, low: float, high: float, steps: int = 40) -> float:
    """The smallest effect in [low, high] whose power reaches POWER (power_of is increasing);
    NaN when even ``high`` does not."""
    if power_of(high) < POWER:
        return float("nan")
    for _ in range(steps):
        mid = (low + high) / 2
        low, high = (low, mid) if power_of(mid) >= POWER else (mid, high)
    return high


def _sign_share(n: int, level: float) -> float:
    """Exact: the win probability per problem at which the two-sided sign test on ``n``
    problems (no ties) rejects at ``level`` with probability POWER."""
    if n < 1:
        return float("nan")
    rejects = np.array([ss.binomtest(k, n).pvalue <= level for k in range(n + 1)])
    ks = np.arange(n + 1)
    return _bisect(lambda p: float(ss.binom.pmf(ks, n, p)[rejects].sum()), 0.5, 1.0)


def _signed_rank_null(n: int) -> np.ndarray:
    """P(W+ = w) for w = 0..n(n+1)/2 under the null, without ties (exact, by counting)."""
    counts = np.zeros(n * (n + 1) // 2 + 1)
    counts[0] = 1.0
    for rank in range(1, n + 1):
        counts[rank:] = counts[rank:] + counts[:-rank].copy()
    return counts / counts.sum()


def _wilcoxon_d(n: int, level: float) -> float:
    """By simulation: the standardized mean difference (normal differences) at which the
    two-sided exact signed-rank test on ``n`` problems rejects at ``level`` with probability
    POWER. The same draws serve every candidate effect, so the power is monotone in it."""
    if n < 1:
        return float("nan")
    null = _signed_rank_null(n)
    tail = np.cumsum(null)  # P(W+ <= w); the two-sided p of w is 2 * P(W+ <= min(w, max - w))
    w_max = n * (n + 1) // 2
    critical = np.flatnonzero(np.minimum(2 * tail, 1.0) <= level)
    if not len(critical):
        return float("nan")
    c = critical.max()  # reject when min(W+, W-) <= c
    z = np.random.default_rng(POWER_SEED).standard_normal((POWER_SIMULATIONS, n))

    def power_of(d: float) -> float:
        x = z + d
        ranks = np.abs(x).argsort(axis=1).argsort(axis=1) + 1
        w_plus = np.where(x > 0, ranks, 0).sum(axis=1)
        return float((np.minimum(w_plus, w_max - w_plus) <= c).mean())

    return _bisect(power_of, 0.0, 5.0, steps=20)
