"""What each strategy costs to suggest: seconds of ask + tell for one run of a given budget.

Runs every available strategy (or those named) on a small mixed space with a synthetic objective,
so that only the strategy's own work is timed, on one BLAS thread as the harness runs it, and
prints the median over seeds of the total ask + tell seconds per run.

    python perf/suggest_seconds.py                      # every strategy, budget 50, 3 seeds
    python perf/suggest_seconds.py --strategies smac,skopt_rf --budget 100

A timing, not a test: run it on a quiet machine and compare strategies run side by side.
"""

from __future__ import annotations

import argparse
import fnmatch
import math
import statistics
import time

from tabulate import tabulate

from bench.probe import probe
from bench.registry import discover
from bench.space import Categorical, Integer, Real, Space, when

#: An SVC-like space: log-scaled reals, an integer, categoricals and a conditional dimension.
SPACE = Space([
    Real("C", 1e-3, 1e3, log=True),
    Real("gamma", 1e-4, 1e1, log=True),
    Categorical("kernel", ("rbf", "poly", "sigmoid")),
    Integer("degree", 2, 5, condition=when("kernel", "poly")),
    Categorical("shrinking", (True, False)),
    Integer("max_iter", 10, 1000, log=True),
])


def objective(config: dict) -> float:
    score = -(math.log10(config["C"]) - 1) ** 2 - (math.log10(config["gamma"]) + 2) ** 2
    score -= {"rbf": 0.0, "poly": 0.3, "sigmoid": 1.0}[config["kernel"]]
    score -= 0.05 * abs(config.get("degree", 3) - 3) + 0.1 * (math.log10(config["max_iter"]) - 2) ** 2
    return score


def suggest_seconds(cls, budget: int, seed: int) -> tuple[float, int]:
    """Wall seconds spent in ask and tell over one run, and the number of trials."""
    result = probe(cls, SPACE, budget, seed, min_fidelity=0.1, clock=time.perf_counter,
                   score=lambda s: objective(s.params) * (1.5 - 0.5 * s.fidelity))
    return result.seconds, result.trials


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--strategies", default="*", help="comma-separated names or patterns")
    parser.add_argument("--budget", type=int, default=50)
    parser.add_argument("--seeds", type=int, default=3)
    args = parser.parse_args()

    patterns = args.strategies.split(",")
    rows = []
    for name, info in discover().items():
        if not any(fnmatch.fnmatchcase(name, p) for p in patterns):
            continue
        if not info.available:
            rows.append([name, info.library, "-", "-", "-", f"unavailable: {info.reason}"])
            continue
        runs = [suggest_seconds(info.cls, args.budget, seed) for seed in range(args.seeds)]
        seconds = [s for s, _ in runs]
        rows.append([name, info.library, f"{statistics.median(seconds):.2f}",
                     f"{min(seconds):.2f}-{max(seconds):.2f}", runs[0][1], ""])
        print(f"{name}: {statistics.median(seconds):.2f} s", flush=True)
    print()
    print(f"ask + tell seconds per run of budget {args.budget} (median over {args.seeds} seeds)")
    print(tabulate(rows, headers=["strategy", "library", "median s", "range s", "trials", ""]))


if __name__ == "__main__":
    main()
