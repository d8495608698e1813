"""Measured compute of the multi-fidelity strategies against random search, from a store.

For each problem: each run's evaluation seconds (the sum over its trials of the measured time of
the evaluation, not the charged cost), the median over seeds, and that median divided by random
search's. With budgets counted in compute, the ratios should be near 1; with budgets counted in
fidelity they were 2 to 3 on small problems. A measurement script; nothing here is asserted.

    python perf/compute_ratio.py --store .searchbench/store.sqlite
    python perf/compute_ratio.py --store before.sqlite --strategies successive_halving,hyperband
"""

from __future__ import annotations

import argparse
import sqlite3
import statistics
from collections import defaultdict


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(prog="python perf/compute_ratio.py")
    parser.add_argument("--store", required=True)
    parser.add_argument("--baseline", default="random")
    parser.add_argument("--strategies", default="successive_halving,hyperband")
    args = parser.parse_args(argv)
    names = args.strategies.split(",")
    db = sqlite3.connect(args.store)
    rows = db.execute(
        "SELECT r.problem, r.strategy, r.seed, SUM(t.eval_seconds), COUNT(*), SUM(t.cost), "
        "SUM(t.fidelity >= 0.999999) FROM runs r JOIN trials t USING (run_id) "
        "WHERE r.status = 'complete' GROUP BY r.run_id").fetchall()
    per = defaultdict(list)
    for problem, strategy, _, seconds, n, cost, full in rows:
        per[problem, strategy].append((seconds, n, cost, full))
    print(f"{'problem':22} {'strategy':20} {'eval s/run':>10} {'vs ' + args.baseline:>10} "
          f"{'trials':>7} {'charged':>8} {'full evals':>10}")
    ratios = defaultdict(list)
    for problem in sorted({p for p, _ in per}):
        base = per.get((problem, args.baseline))
        if not base:
            continue
        base_s = statistics.median(s for s, *_ in base)
        for strategy in [args.baseline] + names:
            runs = per.get((problem, strategy))
            if not runs:
                continue
            med = statistics.median(s for s, *_ in runs)
            ratio = med / base_s
            if strategy != args.baseline:
                ratios[strategy].append(ratio)
            print(f"{problem:22} {strategy:20} {med:10.3f} {ratio:10.2f} "
                  f"{statistics.median(n for _, n, _, _ in runs):7.0f} "
                  f"{statistics.median(c for _, _, c, _ in runs):8.2f} "
                  f"{statistics.median(f for *_, f in runs):10.0f}")
    for strategy, values in ratios.items():
        print(f"{strategy}: evaluation seconds / {args.baseline}'s, per problem: "
              + ", ".join(f"{v:.2f}" for v in values))


if __name__ == "__main__":
    main()
