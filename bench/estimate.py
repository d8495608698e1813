"""What a suite will cost before it runs: ``searchbench run SUITE --dry-run``.

The estimate adds, over the runs still to do, the evaluations left times the problem's seconds
per evaluation as the scheduler's cost model knows them (:mod:`bench.costs`: measured in the
store, else ``eval_seconds``, the median of its reference run), and the trials left
times each strategy's suggest seconds per trial: its mean in the store where the store has trials
of it, else a probe (:mod:`bench.probe`), timed here: the strategy asks and is told made-up scores for
:data:`PROBE_TRIALS` trials (or the budget, if smaller) on the suite's largest space. A probe
underestimates strategies whose cost grows with the number of observations (Gaussian processes);
the output says which strategies were probed. The wall time is the total divided by the workers,
but never less than the longest single run. Harness overhead (a few milliseconds per trial) and
start-up are left out: the estimate gives the order of magnitude, for sizing, not a promise.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass

from bench.catalogue import Catalogue
from bench.probe import probe
from bench.plan import Plan, cost_model
from bench.space import Space
from bench.store import Store
from bench.strategy import StrategyInfo

#: Trials of the suggest-cost probe of a strategy the store has no trial of.
PROBE_TRIALS = 50


@dataclass(frozen=True)
class ProblemCost:
    problem: str
    eval_seconds: float
    measured: bool  # False: no reference, the median of the measured problems stands in
    runs: int
    evaluations: float
    seconds: float


@dataclass(frozen=True)
class Estimate:
    problems: list[ProblemCost]
    suggest_seconds: dict[str, float]  # per trial, by strategy
    probed: list[str]  # strategies whose suggest cost comes from a probe, not from the store
    eval_total: float
    suggest_total: float
    longest_run: float
    workers: int

    @property
    def total(self) -> float:
        return self.eval_total + self.suggest_total

    @property
    def wall(self) -> float:
        return max(self.total / self.workers, self.longest_run)


def suggest_costs(store: Store | None) -> dict[str, float]:
    """Mean suggest seconds per trial of each strategy that has trials in ``store`` (the store's
    own aggregate, as the scheduler uses it)."""
    return {} if store is None else store.timings()[1]


def probe_suggest(info: StrategyInfo, space: Space, trials: int, seed: int = 0) -> float:
    """Mean CPU seconds of one ask plus one tell (making the strategy included) over ``trials``
    trials with made-up scores (see :func:`bench.probe.probe`)."""
    result = probe(info.cls, space, trials, seed)
    return (result.setup + result.seconds) / max(result.trials, 1)


def estimate(plan: Plan, catalogue: Catalogue, measured_suggest: Mapping[str, float],
             workers: int) -> Estimate:
    # the scheduler's cost model: measured in the store first, else the references
    costs = plan.costs or cost_model(catalogue, None)
    known = {pid: s for pid, s in costs.table("eval").items() if pid in catalogue.problems}
    fallback = statistics.median(known.values()) if known else 1.0
    infos = {t.spec.strategy: t.strategy for t in plan.todo}
    probed = sorted(s for s in infos if s not in measured_suggest)
    suggest = {s: measured_suggest[s] for s in infos if s in measured_suggest}
    if probed:
        widest = max((t.problem for t in plan.todo), key=lambda p: len(p.space))
        trials = min(PROBE_TRIALS, max(t.spec.budget for t in plan.todo))
        for name in probed:
            try:
                suggest[name] = probe_suggest(infos[name], widest.space, trials)
            except Exception:  # a broken strategy fails its runs; it costs nothing to suggest
                suggest[name] = 0.0

    runs: dict[str, int] = defaultdict(int)
    evaluations: dict[str, float] = defaultdict(float)
    eval_total = suggest_total = longest = 0.0
    for task in plan.todo:
        left = task.spec.budget - sum(r.cost for r in task.prior)
        per_eval = known.get(task.spec.problem, fallback)
        trials_left = task.spec.budget - len(task.prior)  # a trial costs at most 1
        run_eval, run_suggest = left * per_eval, trials_left * suggest[task.spec.strategy]
        runs[task.spec.problem] += 1
        evaluations[task.spec.problem] += left
        eval_total += run_eval
        suggest_total += run_suggest
        longest = max(longest, run_eval + run_suggest)
    problems = [
        ProblemCost(pid, known.get(pid, fallback), pid in known, runs[pid], evaluations[pid],
                    evaluations[pid] * known.get(pid, fallback))
        for pid in runs
    ]
    problems.sort(key=lambda p: -p.seconds)
    return Estimate(problems, suggest, probed, eval_total, suggest_total, longest, workers)


def _duration(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.1f} min"
    return f"{seconds / 3600:.1f} h"


def render(est: Estimate) -> str:
    """The dry run's report: per-problem costs, then the totals."""
    from tabulate import tabulate

    rows = [[p.problem, f"{p.eval_seconds:.3f}" + ("" if p.measured else " (assumed)"), p.runs,
             f"{p.evaluations:g}", _duration(p.seconds)] for p in est.problems]
    lines = [tabulate(rows, headers=["problem", "s / evaluation", "runs to do", "evaluations",
                                     "evaluation time"])] if rows else []
    unmeasured = [p.problem for p in est.problems if not p.measured]
    if unmeasured:
        lines.append(f"{len(unmeasured)} problem(s) have no reference yet: their seconds per "
                     "evaluation are assumed to be the median of the others' (or 1 s)")
    suggest = ", ".join(f"{s} {v * 1000:.1f} ms" for s, v in sorted(est.suggest_seconds.items()))
    if suggest:
        lines.append(f"suggest time per trial: {suggest}")
    if est.probed:
        lines.append(f"  (probed here for {', '.join(est.probed)}, which have no trial in the "
                     f"store yet: {PROBE_TRIALS} trials at most, so low for strategies that slow "
                     "down as observations accumulate)")
    lines.append(
        f"estimated: {_duration(est.eval_total)} evaluating + {_duration(est.suggest_total)} "
        f"suggesting = {est.total / 3600:.2f} CPU hours; wall time about "
        f"{_duration(est.wall)} on {est.workers} worker(s)"
        + (" (bounded by the longest run)" if est.wall > est.total / est.workers else "")
    )
    return "\n".join(lines)
