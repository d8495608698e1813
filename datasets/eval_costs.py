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

With ``--curves`` it measures instead the cost curves c(f) of the problems that have a fidelity
(:func:`bench.costcurve.measure_curve`: CPU seconds in the runs' evaluation child, as trials are
timed) and prints them beside the frozen ones; ``--write`` also puts them into
``references.json`` (``cost_curve``, ``cost_curve_seconds``), leaving every other value of the
entries as it is. Runs keyed by the old curve are then other runs (:attr:`RunSpec.terms`)::

    python -m bench.datasets.eval_costs --curves --problems 'knn-wine,tree-wine,svc-wine' --write
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


def remeasure_curves(catalogue, ids, configs: int, write: bool) -> dict[str, dict]:
    """Measure the cost curves of those of ``ids`` that have a fidelity; print each beside the
    frozen one and, with ``write``, replace the frozen ones in ``references.json``."""
    from bench.costcurve import measure_curve
    from bench.evaluator import ChildEvaluator
    from bench.references import read_entries, references_path

    path = references_path(catalogue)
    entries = read_entries(path)
    measured: dict[str, dict] = {}
    for pid in ids:
        problem = catalogue.problems[pid]
        if problem.fidelity.min_fraction >= 1.0:
            print(f"{pid}: no fidelity, no curve", flush=True)
            continue
        started = time.perf_counter()
        evaluate = ChildEvaluator()  # the evaluator the runs use: the trials' own path
        try:
            curve = measure_curve(problem, evaluate, configs)
        except ValueError as exc:
            print(f"{pid}: not measured: {exc}", flush=True)
            continue
        finally:
            evaluate.close()
        measured[pid] = curve
        if write:  # one problem at a time: an interrupted measurement keeps what it finished
            _write_curves(path, {pid: curve})
        old = entries.get(pid, {}).get("cost_curve")
        print(f"{pid}: {_curve_text(curve['curve'])} (frozen: "
              f"{_curve_text(old) if old else 'none'}); t(1) = {curve['seconds']['1']:.4f} CPU s; "
              f"{time.perf_counter() - started:.0f} s", flush=True)
    if write:
        print(f"{len(measured)} curves written to {path}")
    return measured


def _curve_text(curve) -> str:
    return ", ".join(f"c({f:.3g})={c:.3f}" for f, c in curve)


def _write_curves(path, measured: dict[str, dict]) -> None:
    """Replace the curves of ``measured``'s problems in the references file (with the method
    they were measured by), nothing else; a problem without an entry gets none (its curve
    belongs beside its references)."""
    import json

    from bench.costcurve import METHOD

    document = json.loads(path.read_text())
    for pid, curve in measured.items():
        entry = document["problems"].get(pid)
        if entry is not None:
            entry["cost_curve"] = curve["curve"]
            entry["cost_curve_seconds"] = curve["seconds"]
            entry["cost_curve_method"] = METHOD
    from bench.references import Method

    described = Method().describe()
    for key in ("cost_curve", "cost_curve_methods"):
        document["method"][key] = described[key]
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(document, indent=1, sort_keys=False) + "\n")
    tmp.replace(path)  # a kill never leaves a half-written file


def main(argv=None) -> None:
    from tabulate import tabulate

    from bench.catalogue import load_catalogue
    from bench.plan import suite_problems
    from bench.suite import load_suite, resolve, split_list

    parser = argparse.ArgumentParser(prog="python -m bench.datasets.eval_costs")
    parser.add_argument("suite", nargs="?", default="default")
    parser.add_argument("--problems", help="comma-separated ids or glob patterns")
    parser.add_argument("--configs", type=int, default=None,
                        help="random configurations (default: 10, with --curves the "
                             "references' 12)")
    parser.add_argument("--curves", action="store_true",
                        help="measure the cost curves of the problems that have a fidelity")
    parser.add_argument("--write", action="store_true",
                        help="with --curves: write the curves into references.json")
    args = parser.parse_args(argv)
    if args.configs is not None and args.configs < 0:
        parser.error(f"--configs must be at least 0, not {args.configs}")
    if args.write and not args.curves:
        parser.error("--write goes with --curves")
    catalogue = load_catalogue()
    if args.problems:
        ids = resolve(split_list(args.problems), catalogue.problems, "problem")
    else:
        ids = suite_problems(load_suite(args.suite, catalogue.suites_dir), catalogue)
    if args.curves:
        from bench.references import Method

        remeasure_curves(catalogue, ids,
                         Method().curve_configs if args.configs is None else args.configs,
                         args.write)
        return
    args.configs = 10 if args.configs is None else args.configs
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
