"""The relative compute of a trial at fidelity f: c(f) = t(f) / t(1), per problem.

A run's budget is counted in full-evaluation equivalents of compute. A trial at fidelity f is
charged c(f), the problem's measured relative cost, not f: on small problems fixed costs (data
splits, five fits' set-up, scoring) dominate, and a trial at f = 1/9 can take a quarter of a full
trial's time or more. The curve is measured once per problem and frozen in ``references.json``
beside its references, so it does not move with the machine's load:

- **rungs**: the eta = 3 fidelities 1, 1/3, 1/9, ... down to the problem's minimum fidelity, and
  the minimum itself (so that every fidelity a strategy may ask lies between two rungs);
- **t(f)**: the median CPU seconds (``time.process_time``, BLAS and OpenMP on one thread, as in a
  worker) of one evaluation at fidelity f, over the same configurations at every rung (the
  problem's default and random ones): CPU time hardly depends on what else the machine does;
- **c(f)**: t(f) / t(1), made non-decreasing in f (pool-adjacent-violators: a rung measured
  slower than the next one up is noise, the two are averaged), clipped to at most 1, and exactly
  1 at f = 1;
- **between rungs**: interpolated linearly in log f (rungs are evenly spaced on that scale).

Without a curve (a problem with no reference yet) a trial costs f, the old nominal rule.
"""

from __future__ import annotations

import math
import statistics
import time
from collections.abc import Sequence

import numpy as np

ETA = 3
#: Configurations measured per problem (the default one and this many random ones, seed 0).
CONFIGS = 12

Curve = tuple[tuple[float, float], ...]  # ((fidelity, relative cost), ...), fidelity ascending


def rungs(min_fidelity: float, eta: int = ETA) -> list[float]:
    """Fidelities to measure, ascending: 1, 1/eta, 1/eta^2, ... down to ``min_fidelity``, and
    ``min_fidelity`` itself when it falls between two of them."""
    out, f = [], 1.0
    while f >= min_fidelity - 1e-12:
        out.append(f)
        f /= eta
    if not math.isclose(out[-1], min_fidelity, rel_tol=1e-9):
        out.append(float(min_fidelity))
    return sorted(out)


def make_curve(seconds: dict[float, float]) -> Curve:
    """The frozen curve from median seconds per rung (which must include fidelity 1)."""
    from sklearn.isotonic import isotonic_regression

    fids = sorted(seconds)
    if not math.isclose(fids[-1], 1.0):
        raise ValueError("the cost curve needs a measurement at fidelity 1")
    full = seconds[fids[-1]]
    if not full > 0:
        raise ValueError("the full-fidelity evaluation took no measurable time")
    ratios = isotonic_regression([seconds[f] / full for f in fids], increasing=True)
    costs = [min(float(c), 1.0) for c in ratios]
    costs[-1] = 1.0  # c(1) = 1 by definition; pooling cannot push the others above it
    return tuple((round(f, 12), round(c, 6)) for f, c in zip(fids, costs))


def charge(fidelity: float, curve: Curve | Sequence | None) -> float:
    """What a trial at ``fidelity`` costs, in full-evaluation equivalents."""
    if not curve:
        return float(fidelity)
    if fidelity >= 1.0 - 1e-12:
        return 1.0
    points = [(float(f), float(c)) for f, c in curve]
    if fidelity <= points[0][0]:
        return points[0][1]  # below the lowest rung: charged as the lowest rung, never less
    for (f0, c0), (f1, c1) in zip(points, points[1:]):
        if fidelity <= f1:
            w = (math.log(fidelity) - math.log(f0)) / (math.log(f1) - math.log(f0))
            return c0 + w * (c1 - c0)
    return 1.0


def measure_curve(problem, configs: int = CONFIGS, seed: int = 0) -> dict:
    """Measure ``problem``'s curve in this process: ``{"curve", "seconds", "configs"}``.

    Every configuration is evaluated at every rung, in a rotating rung order so that a slow
    stretch of the machine does not land on one rung. Configurations that fail at some rung are
    left out of every rung.
    """
    from threadpoolctl import threadpool_limits

    from bench.problem import TrialFailed

    levels = rungs(problem.fidelity.min_fraction)
    rng = np.random.default_rng(seed)
    candidates = [problem.space.default()] + [problem.space.sample(rng) for _ in range(configs)]
    per_rung: dict[float, list[float]] = {f: [] for f in levels}
    with threadpool_limits(1):
        try:  # a first evaluation pays for imports and caches; not measured
            problem.evaluate(candidates[0], 1.0)
        except TrialFailed:
            pass
        for i, config in enumerate(candidates):
            times = {}
            order = levels[i % len(levels):] + levels[:i % len(levels)]
            try:
                for f in order:
                    started = time.process_time()
                    problem.evaluate(config, f)
                    times[f] = time.process_time() - started
            except TrialFailed:
                continue
            for f, t in times.items():
                per_rung[f].append(t)
    if not per_rung[1.0]:
        raise ValueError("every configuration failed while measuring the cost curve")
    medians = {f: statistics.median(ts) for f, ts in per_rung.items()}
    return {"curve": [list(p) for p in make_curve(medians)],
            "seconds": {f"{f:.6g}": round(t, 6) for f, t in medians.items()},
            "configs": len(per_rung[1.0])}
