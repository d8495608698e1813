"""Parallel efficiency of ``searchbench run`` on a suite, measured end to end.

Runs the suite through the real command line in a fresh temporary store, once per worker count
and repeat, and prints for each:

- efficiency = (sum of the trials' eval and suggest seconds) / (wall seconds x workers), with the
  wall time of the whole command (interpreter start-up, imports and planning included) and of the
  execution phase alone (what ``run`` reports as "executed ... in X s");
- the CPU seconds of the command's whole process tree (owner, workers, evaluation children) and
  the share of the machine's cores that other processes used meanwhile: on a shared machine,
  what others run slows every process of ours and lowers the efficiency;
- the speed-up of each worker count over one worker (medians over the repeats);
- the wall time of a second, identical invocation, which finds everything done.

Usage: ``python perf/efficiency.py [--suite quick] [--jobs 1,2] [--repeats 3]``. It prints
timings and never fails on them: the machine may be shared and noisy.
"""

from __future__ import annotations

import argparse
import os
import re
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Measure:
    jobs: int
    wall: float
    execute_wall: float
    work: float  # sum of eval + suggest seconds over the trials
    eval_seconds: float
    suggest_seconds: float
    cpu: float
    others: float  # cores busy with other processes, on average over the run
    trials: int
    runs: int
    again: float  # wall seconds of the same command run a second time

    @property
    def efficiency(self) -> float:
        return self.work / (self.wall * self.jobs)

    @property
    def execute_efficiency(self) -> float:
        return self.work / (self.execute_wall * self.jobs)



def measure(suite: str, jobs: int, extra: list[str]) -> Measure:
    with tempfile.TemporaryDirectory(prefix="searchbench-perf-") as tmp:
        store = Path(tmp) / "store.sqlite"
        cmd = [sys.executable, "-m", "bench", "run", suite, "--store", str(store),
               "--jobs", str(jobs), "--no-progress", *extra]
        machine_before = _busy_seconds()
        started = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True)
        cpu = _tree_cpu_while_running(proc)
        stderr = proc.stderr.read()
        proc.wait()
        wall = time.perf_counter() - started
        machine = _busy_seconds() - machine_before
        if proc.returncode not in (0, 1):
            sys.exit(f"`{' '.join(cmd)}` exited {proc.returncode}:\n{stderr}")
        found = re.search(r"executed (\d+) runs \((\d+) trials\) in ([\d.]+) s", stderr)
        if not found:
            sys.exit(f"nothing was executed:\n{stderr}")
        started = time.perf_counter()
        second = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
        again = time.perf_counter() - started
        if "nothing to run" not in second.stderr:
            sys.exit(f"the second invocation ran something:\n{second.stderr}")
        db = sqlite3.connect(store)
        eval_s, suggest_s, n = db.execute(
            "SELECT sum(eval_seconds), sum(suggest_seconds), count(*) FROM trials").fetchone()
        db.close()
    others = max(0.0, machine - cpu) / wall
    return Measure(jobs, wall, float(found.group(3)), eval_s + suggest_s, eval_s, suggest_s,
                   cpu, others, n, int(found.group(1)), again)


def _busy_seconds() -> float:
    """CPU seconds the whole machine has spent busy since boot, over all cores."""
    t = psutil.cpu_times()
    return t.user + t.nice + t.system + getattr(t, "irq", 0) + getattr(t, "softirq", 0)


def _tree_cpu_while_running(proc: subprocess.Popen, every: float = 0.1) -> float:
    """CPU seconds of ``proc`` and all its descendants, sampled until it ends (a process that
    ends between two samples loses at most ``every`` seconds of its count)."""
    last: dict[int, float] = {}
    root = psutil.Process(proc.pid)
    while proc.poll() is None:
        try:
            tree = [root, *root.children(recursive=True)]
        except psutil.NoSuchProcess:
            break
        for p in tree:
            try:
                t = p.cpu_times()
                last[p.pid] = t.user + t.system
            except psutil.NoSuchProcess:
                continue
        time.sleep(every)
    return sum(last.values())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--suite", default="quick")
    parser.add_argument("--jobs", default="1,2", help="comma-separated worker counts")
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("extra", nargs="*", help="more `searchbench run` options, after --")
    args = parser.parse_args(argv)
    counts = [int(j) for j in args.jobs.split(",")]
    print(f"suite {args.suite}, worker counts {counts}, {args.repeats} repeat(s), "
          f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at start")
    results: dict[int, list[Measure]] = {j: [] for j in counts}
    for r in range(args.repeats):
        for jobs in counts:
            m = measure(args.suite, jobs, args.extra)
            results[jobs].append(m)
            print(f"  repeat {r + 1} --jobs {jobs}: {m.runs} runs, {m.trials} trials, wall "
                  f"{m.wall:.1f} s (execute {m.execute_wall:.1f} s), eval {m.eval_seconds:.1f} s "
                  f"+ suggest {m.suggest_seconds:.1f} s, CPU {m.cpu:.1f} s; efficiency "
                  f"{m.efficiency:.3f} (execute phase {m.execute_efficiency:.3f}); other "
                  f"processes kept {m.others:.2f} cores busy; the same command again: "
                  f"{m.again:.1f} s", flush=True)
    med = {j: statistics.median(m.wall for m in ms) for j, ms in results.items()}
    print("medians:")
    for jobs, ms in results.items():
        line = (f"  --jobs {jobs}: wall {med[jobs]:.1f} s, efficiency "
                f"{statistics.median(m.efficiency for m in ms):.3f} (execute phase "
                f"{statistics.median(m.execute_efficiency for m in ms):.3f}), other processes "
                f"{statistics.median(m.others for m in ms):.2f} cores, again "
                f"{statistics.median(m.again for m in ms):.1f} s")
        if 1 in med and jobs != 1:
            line += f", speed-up over --jobs 1: {med[1] / med[jobs]:.2f}"
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
