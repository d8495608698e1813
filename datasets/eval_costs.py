"""Measure what one evaluation of each problem costs: ``python -m bench.datasets.eval_costs``.

For each problem (of a suite, or matched by patterns) it evaluates the default configuration
and ``--configs`` random configurations (seed 0) in this process, on one thread, and prints the
median, mean and 90th-percentile CPU seconds and wall seconds of one evaluation (a 5-fold CV
plus the holdout scoring; for the deep problems one training and the scoring of the validation
and test splits). CPU seconds hardly depend on what else the machine is doing; wall seconds do.
This is how the default suite's problems were chosen (each well under 0.05 s) and how the deep
problems' step counts were sized (mean under 0.5 s, 90th percentile under 1.5 s); it is a
measurement script, not a test, and nothing here is asserted.

    python -m bench.datasets.eval_costs default
    python -m bench.datasets.eval_costs --problems 'svc-*,gmm-*' --configs 20
    nice python -m bench.datasets.eval_costs --problems 'vae-*,gan-*' --configs 40
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np
from threadpoolctl import threadpool_limits


def measure(problem, configs: int, seed: int = 0) -> dict:
    from bench.problem import TrialFailed

    rng = np.random.default_rng(seed)
    problem.folds  # data, splits and what the metric needs: loaded once, as a worker does
    cpu, wall, failed = [], [], 0
    for config in [problem.space.default()] + [problem.space.sample(rng) for _ in range(configs)]:
        c0, w0 = time.process_time(), time.perf_counter()
        try:
            problem.evaluate(config)
        except TrialFailed:
            failed += 1
        cpu.append(time.process_time() - c0)
        wall.append(time.perf_counter() - w0)
    return {"cpu": statistics.median(cpu), "cpu_max": max(cpu), "wall": statistics.median(wall),
            "cpu_mean": statistics.fmean(cpu), "cpu_p90": float(np.percentile(cpu, 90)),
            "wall_mean": statistics.fmean(wall), "wall_p90": float(np.percentile(wall, 90)),
            "failed": failed}


def main(argv=None) -> None:
    from tabulate import tabulate

    from bench.catalogue import load_catalogue
    from bench.plan import suite_problems
    from bench.suite import load_suite, resolve, split_list

    parser = argparse.ArgumentParser(prog="python -m bench.datasets.eval_costs")
    parser.add_argument("suite", nargs="?", default="default")
    parser.add_argument("--problems", help="comma-separated ids or glob patterns")
    parser.add_argument("--configs", type=int, default=10, help="random configurations")
    args = parser.parse_args(argv)
    catalogue = load_catalogue()
    if args.problems:
        ids = resolve(split_list(args.problems), catalogue.problems, "problem")
    else:
        ids = suite_problems(load_suite(args.suite, catalogue.suites_dir), catalogue)
    if any(getattr(catalogue.problems[pid], "extra", "") == "torch" for pid in ids):
        from .deep import _setup_torch

        _setup_torch()  # imported once per worker process: not an evaluation's cost
    rows, total = [], 0.0
    for pid in ids:
        with threadpool_limits(1):  # BLAS and OpenMP on one thread, as in a worker
            m = measure(catalogue.problems[pid], args.configs)
        total += m["cpu"]
        rows.append([pid, f"{m['cpu']:.4f}", f"{m['cpu_mean']:.3f}", f"{m['cpu_p90']:.3f}",
                     f"{m['cpu_max']:.3f}", f"{m['wall']:.4f}", f"{m['wall_mean']:.3f}",
                     f"{m['wall_p90']:.3f}", m["failed"]])
        print(f"{pid}: {m['cpu']:.4f} s CPU", flush=True)
    print(tabulate(rows, headers=["problem", "median CPU s", "mean CPU s", "p90 CPU s",
                                  "max CPU s", "median wall s", "mean wall s", "p90 wall s",
                                  "failed"]))
    print(f"mean of the medians: {total / max(len(ids), 1):.4f} s CPU per evaluation "
          f"({args.configs + 1} configurations per problem)")


if __name__ == "__main__":
    main()
