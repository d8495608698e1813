"""The relative compute of a trial at fidelity f: c(f) = t(f) / t(1), per problem.

A run's budget is counted in full-evaluation equivalents of compute. A trial at fidelity f is
charged c(f), the problem's measured relative cost, not f: on small problems fixed costs (data
splits, five fits' set-up, scoring, subsampling the folds) dominate, and a trial at f = 1/9 can
cost as much as a full one, or more. The curve is measured once per problem and frozen in
``references.json`` beside its references, so it does not move with the machine's load:

- **rungs**: the eta = 3 fidelities 1, 1/3, 1/9, ... down to the problem's minimum fidelity, and
  the minimum itself (so that every fidelity a strategy may ask lies between two rungs);
- **t(f)**: the mean CPU seconds of one evaluation at fidelity f, over the same configurations at
  every rung (the problem's default and random ones), measured the way trials are timed: by the
  evaluator the runs use (a :class:`bench.evaluator.ChildEvaluator`, one BLAS and OpenMP thread),
  as the ``cpu_seconds`` its child records around the whole evaluation, fixed overhead included.
  CPU time hardly depends on what else the machine does; the mean, not the median, because a
  run's spending is a sum of trials, so ratios of means make equal charges equal seconds;
- **c(f)**: t(f) / t(1), exactly 1 at f = 1, and neither clipped nor made monotone: a fidelity
  that saves nothing is charged as saving nothing, and one whose overhead (subsampling the
  folds) makes it dearer than a full evaluation is charged more than 1. (Version 2 made c
  non-decreasing and clipped it at 1, from medians measured in the measuring process: on
  knn-wine, tree-wine and svc-wine, 3 seeds, budget 30, successive halving then spent 1.18 times
  random search's CPU evaluation seconds, 1.36 on tree-wine, where fidelity 1/9 costs 1.27 full
  evaluations; ``perf/compute_ratio.py`` measures it.)
- **between rungs**: interpolated linearly in log f (rungs are evenly spaced on that scale).

Without a curve (a problem with no reference yet) a trial costs f, the old nominal rule.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

#: An evaluator as :mod:`bench.evaluator` defines it, ``(problem, params, fidelity) -> Outcome``;
#: named by its shape, not imported: this module is on the data side (references, selection),
#: which imports no execution code, not even for its types.
Evaluator = Callable[..., Any]

#: How the curves are measured now, recorded in each entry (``cost_curve_method``); an entry
#: without it was measured the version-2 way (median CPU seconds of ``problem.evaluate`` in the
#: measuring process, non-decreasing, clipped at 1) until it is measured again.
METHOD = "evaluation-child-mean-cpu"
METHOD_V2 = "in-process-median-cpu-clipped"

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
    """The frozen curve from the mean CPU seconds per rung (which must include fidelity 1)."""
    fids = sorted(seconds)
    if not math.isclose(fids[-1], 1.0):
        raise ValueError("the cost curve needs a measurement at fidelity 1")
    full = seconds[fids[-1]]
    if not full > 0:
        raise ValueError("the full-fidelity evaluation took no measurable time")
    costs = [seconds[f] / full for f in fids]
    costs[-1] = 1.0  # c(1) = 1 by definition
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


def measure_curve(problem, evaluate: Evaluator, configs: int = CONFIGS, seed: int = 0) -> dict:
    """Measure ``problem``'s curve: ``{"curve", "seconds", "configs"}`` (``seconds``: the mean
    CPU seconds of one evaluation per rung).

    ``evaluate`` times it: the evaluator the runs use (a :class:`bench.evaluator.ChildEvaluator`,
    which the caller makes and closes: this module is on the data side and imports no execution
    code), so that the curve is in the trials' own CPU seconds, on their own path. Every
    configuration is evaluated at every rung, in a rotating rung order so that a slow stretch of
    the machine does not land on one rung. Configurations that fail at some rung are left out of
    every rung.
    """
    return _measure(problem, configs, seed, evaluate)


def _measure(problem, configs: int, seed: int, evaluate: Evaluator) -> dict:
    levels = rungs(problem.fidelity.min_fraction)
    rng = np.random.default_rng(seed)
    candidates = [problem.space.default()] + [problem.space.sample(rng) for _ in range(configs)]
    per_rung: dict[float, list[float]] = {f: [] for f in levels}
    last_failure = ""
    # a first evaluation pays for loading the problem, imports and caches: not measured
    evaluate(problem, candidates[0], 1.0)
    for i, config in enumerate(candidates):
        times = {}
        for f in levels[i % len(levels):] + levels[:i % len(levels)]:
            outcome = evaluate(problem, config, f)
            if outcome.status != "ok" or outcome.cpu_seconds is None:
                lines = (outcome.error or "").strip().splitlines()
                last_failure = (f"at fidelity {f:g}: {outcome.status}"
                                + (f", {lines[-1]}" if lines else "")
                                + (", no CPU seconds" if outcome.cpu_seconds is None else ""))
                break
            times[f] = outcome.cpu_seconds
        else:
            for f, t in times.items():
                per_rung[f].append(t)
    if not per_rung[1.0]:
        raise ValueError("every configuration failed while measuring the cost curve (the last "
                         f"{last_failure})")
    means = {f: statistics.fmean(ts) for f, ts in per_rung.items()}
    return {"curve": [list(p) for p in make_curve(means)],
            "seconds": {f"{f:.6g}": round(t, 6) for f, t in means.items()},
            "configs": len(per_rung[1.0])}
