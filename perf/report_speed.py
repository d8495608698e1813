"""Time ``searchbench report`` on a synthetic store the size of the default suite.

    .venv/bin/python perf/report_speed.py [--strategies 15] [--problems 12] [--seeds 5]
                                          [--budget 50] [--repeat 3]

Fills a temporary store with made-up trials (tests/synthetic_store.py; no model is evaluated),
then writes the report ``--repeat`` times and prints the median seconds of each stage. Timings
are printed, never asserted: the machine may be shared.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

import synthetic_store as synth  # noqa: E402

from bench import report as report_module  # noqa: E402
from bench.store import open_store  # noqa: E402
from bench.suite import Suite  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--strategies", type=int, default=15)
    parser.add_argument("--problems", type=int, default=12)
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--budget", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--keep", type=Path, help="also write the last report into this folder")
    args = parser.parse_args()

    cat = synth.catalogue(args.problems)
    suite = Suite("synthetic", ("p*",), None, args.seeds, args.budget)
    behaviours = {"random": synth.Behaviour(0)}
    behaviours.update({f"s{i:02d}": synth.Behaviour(i % 5, suggest_seconds=0.001 * (i + 1))
                       for i in range(1, args.strategies)})
    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(Path(tmp) / "store.sqlite", cat.fingerprint)
        started = time.perf_counter()
        infos = synth.fill(store, cat, suite, behaviours)
        n_trials = args.strategies * args.problems * args.seeds * args.budget
        print(f"synthetic store: {n_trials} trials in {time.perf_counter() - started:.1f} s")
        stages: dict[str, list[float]] = {"collect": [], "tables": [], "figures": [], "total": [],
                                          "total CPU": []}
        for i in range(args.repeat):
            out = Path(tmp) / f"out{i}"
            t0, cpu0 = time.perf_counter(), time.process_time()
            data = report_module.collect(suite, cat, infos, store)
            out.mkdir()
            t1 = time.perf_counter()
            report_module.write_tables(data, out)
            t2 = time.perf_counter()
            report_module.draw_figures(data, out)
            report_module.write_manifest(data, out / "manifest.json")
            (out / "README.md").write_text(report_module.readme(data))
            t3 = time.perf_counter()
            # CPU seconds of this process: less sensitive than wall time to a busy machine
            cpu = time.process_time() - cpu0
            for name, value in (("collect", t1 - t0), ("tables", t2 - t1), ("figures", t3 - t2),
                                ("total", t3 - t0), ("total CPU", cpu)):
                stages[name].append(value)
        if args.keep:
            report_module.write_report(suite, cat, infos, store, args.keep)
        for name, values in stages.items():
            print(f"{name:>9}: median {statistics.median(values):6.2f} s "
                  f"(runs: {', '.join(f'{v:.2f}' for v in values)})")


if __name__ == "__main__":
    main()
