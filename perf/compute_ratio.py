"""Measured compute of the multi-fidelity strategies against random search, from a store.

For each run: its evaluation seconds (the sum over its trials of the measured seconds of the
evaluation, not the charged cost), in CPU seconds of the evaluating process by default
(``eval_cpu_seconds``, what the cost curves are measured in; ``--wall`` for wall seconds, the
only ones a store made before CPU seconds were recorded holds). Each run's seconds are divided by
random search's on the same problem (the median over its seeds), and the script prints, per
strategy, the median over runs of that per-problem ratio. With budgets counted in compute the
ratios should be near 1 (protocol v3: 0.8 to 1.25 on knn-wine, tree-wine and svc-wine, 3 seeds,
budget 30); with budgets counted in fidelity they were 2 to 3 on small problems. A measurement
script; nothing here is asserted.

    searchbench run quick --problems knn-wine,tree-wine,svc-wine \\
        --strategies random,successive_halving,hyperband --seeds 3 --budget 30 --jobs 2 \\
        --no-seed --store /tmp/costs.sqlite
    python perf/compute_ratio.py --store /tmp/costs.sqlite
    python perf/compute_ratio.py --store before.sqlite --wall
"""

from __future__ import annotations

import argparse
import sqlite3
import statistics
import sys
from collections import defaultdict

#: The range the protocol asks the median ratio to fall in.
TARGET = (0.8, 1.25)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python perf/compute_ratio.py")
    parser.add_argument("--store", required=True)
    parser.add_argument("--baseline", default="random")
    parser.add_argument("--strategies", default="successive_halving,hyperband")
    parser.add_argument("--wall", action="store_true",
                        help="wall seconds (eval_seconds) instead of CPU seconds")
    args = parser.parse_args(argv)
    names = args.strategies.split(",")
    db = sqlite3.connect(f"file:{args.store}?mode=ro", uri=True)
    columns = {row[1] for row in db.execute("PRAGMA table_info(trials)")}
    column = "eval_seconds" if args.wall else "eval_cpu_seconds"
    if column not in columns:
        print(f"store {args.store} records no {column} (made before CPU seconds were recorded): "
              "use --wall", file=sys.stderr)
        return 2
    rows = db.execute(
        f"SELECT r.problem, r.strategy, r.seed, SUM(t.{column}), COUNT(t.{column}), COUNT(*), "
        "SUM(t.cost), SUM(t.fidelity >= 0.999999) FROM runs r JOIN trials t USING (run_id) "
        "WHERE r.status = 'complete' GROUP BY r.run_id").fetchall()
    per = defaultdict(list)
    incomplete = 0
    for problem, strategy, _, seconds, timed, n, cost, full in rows:
        if timed < n:  # a trial without CPU seconds (a timeout, or stored before): not comparable
            incomplete += 1
            continue
        per[problem, strategy].append((seconds, n, cost, full))
    unit = "wall" if args.wall else "CPU"
    print(f"{'problem':22} {'strategy':20} {unit + ' s/run':>10} {'vs ' + args.baseline:>10} "
          f"{'trials':>7} {'charged':>8} {'full evals':>10}")
    ratios: dict[str, list[float]] = defaultdict(list)
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
            if strategy != args.baseline:
                ratios[strategy] += [s / base_s for s, *_ in runs]
            print(f"{problem:22} {strategy:20} {med:10.3f} {med / base_s:10.2f} "
                  f"{statistics.median(n for _, n, _, _ in runs):7.0f} "
                  f"{statistics.median(c for _, _, c, _ in runs):8.2f} "
                  f"{statistics.median(f for *_, f in runs):10.0f}")
    if incomplete:
        print(f"({incomplete} runs left out: some of their trials have no {column})")
    for strategy in names:
        values = ratios.get(strategy)
        if not values:
            continue
        median = statistics.median(values)
        inside = TARGET[0] <= median <= TARGET[1]
        print(f"{strategy}: {unit} evaluation seconds per run / {args.baseline}'s on the same "
              f"problem, median over {len(values)} runs: {median:.2f} "
              f"({'within' if inside else 'outside'} {TARGET[0]}-{TARGET[1]}); runs: "
              + ", ".join(f"{v:.2f}" for v in sorted(values)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
