"""How close a small searchbench job comes to a bare loop doing the same evaluations.

The job: random search on the decision-tree and kNN problems of wine and breast_cancer
(``tree-wine``, ``tree-breast_cancer``, ``knn-wine``, ``knn-breast_cancer``; accuracy), 2 seeds,
15 evaluations each: 120 evaluations on one worker. In one invocation, for each repeat, it runs:

- searchbench: the real command line in a subprocess (``run ... --jobs 1``) with a fresh
  temporary store;
- the bare loop (``perf/bare_loop.py``): one Python process, scikit-learn used directly, no
  subprocesses, the same splits, folds and holdout scoring, one BLAS/OpenMP thread (as
  searchbench's evaluations). It evaluates exactly the
  configurations searchbench evaluated (read from searchbench's first store and passed as JSON),
  so both do the same work; its scores are checked against searchbench's;
- Bayesmark 0.0.8 (random search, ``DT`` and ``kNN`` on ``wine`` and ``breast``, ``acc``, 2
  repeats of 15 calls), where its environment exists: Python 3.10 with 2022 pins (it does not
  install on Python 3.11). ``--bayesmark PYTHON`` names its interpreter; otherwise the script
  looks for ``.venv-bayesmark/bin/python`` and, if missing, prints how to make one and skips it.

Each is timed from before its process starts until it exits (interpreter start-up and imports
included). It prints every wall time, the CPU seconds of the process and its descendants, and the
median over the repeats of each wall time and of the ratio searchbench / bare loop (on a shared
machine, the CPU seconds say what the wall times cannot). It then times one trial (``run quick
--strategies random --problems knn-wine --seeds 1 --budget 1``, default ``--jobs``, fresh store
each time). Never fails on timings: the machine may be busy.

Usage: ``python perf/vs_bare_loop.py [--repeats 3] [--one-trial-repeats 3] [--bayesmark PYTHON |
--no-bayesmark]``.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PROBLEMS = ["tree-wine", "tree-breast_cancer", "knn-wine", "knn-breast_cancer"]
SEEDS = 2
BUDGET = 15
JOB = ["run", "quick", "--strategies", "random", "--problems", ",".join(PROBLEMS),
       "--seeds", str(SEEDS), "--budget", str(BUDGET), "--jobs", "1", "--no-progress"]
ONE_TRIAL = ["run", "quick", "--strategies", "random", "--problems", "knn-wine", "--seeds", "1",
             "--budget", "1", "--no-progress"]
#: The bare loop runs with one BLAS/OpenMP thread, as searchbench's evaluations do: the same
#: computation, and no threads spinning on a busy machine.
ONE_THREAD = {name: "1" for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
                                     "BLIS_NUM_THREADS", "VECLIB_MAXIMUM_THREADS",
                                     "NUMEXPR_NUM_THREADS")}
BAYESMARK_VENV = ROOT / ".venv-bayesmark"
BAYESMARK_HOWTO = f"""\
  Bayesmark 0.0.8 needs Python 3.10 and the libraries of its time; to make its environment:
    python3.10 -m venv {BAYESMARK_VENV}
    {BAYESMARK_VENV}/bin/pip install bayesmark==0.0.8 numpy==1.23.5 scipy==1.9.3 \\
        scikit-learn==1.1.3 pandas==1.5.3 xarray==2022.12.0
  then run this script again (or pass --bayesmark PYTHON)."""


@dataclass(frozen=True)
class Timed:
    wall: float
    cpu: float  # user + system seconds of the process and the descendants it waited for
    stderr: str


def timed(cmd: list[str], cwd: Path = ROOT, env: dict | None = None) -> Timed:
    """Run ``cmd``, timing it from before its process starts until it has exited."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, env=env, stdout=subprocess.DEVNULL,
                          stderr=subprocess.PIPE, text=True)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        sys.exit(f"`{' '.join(map(str, cmd))}` exited {proc.returncode}:\n{proc.stderr}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return Timed(wall, cpu, proc.stderr)


def searchbench(args: list[str], store: Path) -> Timed:
    return timed([sys.executable, "-m", "bench", *args, "--store", str(store)])


def evaluated(store: Path) -> list[dict]:
    """The trials of the store, in the order they ran: problem, configuration and scores."""
    db = sqlite3.connect(store)
    rows = db.execute(
        "SELECT r.problem, t.params, t.score, t.test_score, t.status FROM trials t "
        "JOIN runs r USING (run_id) ORDER BY t.finished_at, r.problem, r.seed, t.trial"
    ).fetchall()
    db.close()
    return [{"problem": p, "params": json.loads(params), "score": s, "test_score": ts,
             "status": status} for p, params, s, ts, status in rows]


def check_same_work(trials: list[dict], out: Path) -> str:
    scores = json.loads(out.read_text())
    worst = max(max(abs(a["score"] - b["score"]), abs(a["test_score"] - b["test_score"]))
                for a, b in zip(trials, scores))
    if len(scores) != len(trials) or worst > 1e-12:
        sys.exit(f"the bare loop's scores differ from searchbench's (largest difference {worst})")
    return f"{len(scores)} evaluations, scores equal to searchbench's"


def bayesmark_python(given: str | None) -> Path | None:
    if given:
        return Path(given)
    candidate = BAYESMARK_VENV / "bin" / "python"
    return candidate if candidate.exists() else None


def bayesmark(python: Path, tmp: Path, repeat: int) -> Timed:
    root = tmp / f"bayesmark-{repeat}"
    root.mkdir()
    launch = python.parent / "bayesmark-launch"
    # it starts one `bayesmark-exp` process per study, found on the PATH
    env = dict(os.environ, PATH=os.pathsep.join([str(python.parent), os.environ.get("PATH", "")]))
    return timed([str(launch), "-dir", str(root), "-b", "job", "-o", "RandomSearch",
                  "-c", "DT", "kNN", "-d", "wine", "breast", "-m", "acc",
                  "-n", str(BUDGET), "-r", str(SEEDS), "-p", "1"], cwd=tmp, env=env)


def line(name: str, t: Timed) -> str:
    return f"{name} wall {t.wall:6.2f} s, CPU {t.cpu:6.2f} s"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--one-trial-repeats", type=int, default=3)
    parser.add_argument("--bayesmark", metavar="PYTHON",
                        help=f"Bayesmark's interpreter (default: {BAYESMARK_VENV}/bin/python)")
    parser.add_argument("--no-bayesmark", action="store_true", help="leave Bayesmark out")
    args = parser.parse_args(argv)
    bm_python = None if args.no_bayesmark else bayesmark_python(args.bayesmark)
    print(f"job: random search on {', '.join(PROBLEMS)}, {SEEDS} seeds x {BUDGET} evaluations "
          f"= {len(PROBLEMS) * SEEDS * BUDGET} evaluations on 1 worker; {args.repeats} repeats; "
          f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at start")
    sb_runs: list[Timed] = []
    bare_runs: list[Timed] = []
    bm_runs: list[Timed] = []
    with tempfile.TemporaryDirectory(prefix="searchbench-vs-bare-") as tmp_name:
        tmp = Path(tmp_name)
        configs = tmp / "configs.json"
        for r in range(args.repeats):
            store = tmp / f"store-{r}.sqlite"
            sb = searchbench(JOB, store)
            if r == 0:
                trials = evaluated(store)
                if any(t["status"] != "ok" for t in trials):
                    sys.exit("searchbench recorded trials that did not succeed: the bare loop "
                             "would not do the same work")
                configs.write_text(json.dumps(trials))
            out = tmp / f"bare-{r}.json"
            bare = timed([sys.executable, str(ROOT / "perf" / "bare_loop.py"), str(configs),
                          str(out)], env=dict(os.environ, **ONE_THREAD))
            same = check_same_work(trials, out)
            sb_runs.append(sb)
            bare_runs.append(bare)
            text = (f"  repeat {r + 1}: {line('searchbench', sb)} | {line('bare loop', bare)} "
                    f"| ratio {sb.wall / bare.wall:.2f} ({same})")
            if bm_python is not None:
                bm = bayesmark(bm_python, tmp, r)
                bm_runs.append(bm)
                text += f" | {line('Bayesmark', bm)}"
            print(text, flush=True)
        ones = [searchbench(ONE_TRIAL, tmp / f"one-{r}.sqlite")
                for r in range(args.one_trial_repeats)]

    def med(runs: list[Timed], attr: str) -> float:
        return statistics.median(getattr(t, attr) for t in runs)

    ratio = statistics.median(s.wall / b.wall for s, b in zip(sb_runs, bare_runs))
    print(f"medians over {args.repeats} repeats:")
    print(f"  searchbench wall {med(sb_runs, 'wall'):.2f} s (CPU {med(sb_runs, 'cpu'):.2f} s)")
    print(f"  bare loop   wall {med(bare_runs, 'wall'):.2f} s (CPU {med(bare_runs, 'cpu'):.2f} s)")
    print(f"  ratio searchbench / bare loop: wall {ratio:.2f} (median of the repeats' ratios), "
          f"CPU {med(sb_runs, 'cpu') / med(bare_runs, 'cpu'):.2f}")
    if bm_runs:
        print(f"  Bayesmark   wall {med(bm_runs, 'wall'):.2f} s (CPU {med(bm_runs, 'cpu'):.2f} s), "
              f"ratio to the bare loop {med(bm_runs, 'wall') / med(bare_runs, 'wall'):.2f}")
    elif not args.no_bayesmark:
        print("  Bayesmark: skipped, no environment for it")
        print(BAYESMARK_HOWTO)
    print(f"one trial (searchbench {' '.join(ONE_TRIAL)}), median of {len(ones)}: wall "
          f"{med(ones, 'wall'):.2f} s, CPU {med(ones, 'cpu'):.2f} s "
          f"({', '.join(f'{t.wall:.2f}' for t in ones)} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
