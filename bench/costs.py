"""What runs are expected to cost, and the order they start in: one model for the scheduler
and the dry run's estimate (:func:`bench.plan.cost_model` makes it for a plan).

Seconds per evaluation by problem and seconds per suggestion by strategy, from the catalogue's
references and earlier runs in the store, refined by every trial that arrives. Runs start
longest first, so the last runs to finish are short ones and no worker idles long at the end.
"""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Callable, Iterable

from bench.records import RunSpec, Task, TrialRecord


class CostModel:
    """Expected seconds of a run: per evaluation by problem, per suggestion by strategy.

    Starts from what is known before anything runs (``eval_seconds``, ``suggest_seconds``) and
    learns from every trial that arrives, so that a fresh store orders well after a few trials.
    A strategy not seen yet is assumed as slow as the slowest one known: runs of unknown cost
    start early, where a long one does no harm.
    """

    DEFAULT_EVAL = 1.0

    def __init__(self, eval_seconds: dict[str, float] | None = None,
                 suggest_seconds: dict[str, float] | None = None):
        self._prior = {"eval": dict(eval_seconds or {}), "suggest": dict(suggest_seconds or {})}
        self._seen: dict[tuple[str, str], list[float]] = {}  # (kind, name) -> [sum, count]

    def observe(self, spec: RunSpec, record: TrialRecord) -> None:
        for kind, name, seconds in (("eval", spec.problem, record.eval_seconds / max(record.cost, 1e-9)),
                                    ("suggest", spec.strategy, record.suggest_seconds)):
            acc = self._seen.setdefault((kind, name), [0.0, 0])
            acc[0] += seconds
            acc[1] += 1

    def rates(self) -> Callable[[str, str], float]:
        """Expected seconds per unit of budget of a (problem, strategy), with what is known
        now, frozen: cheap to call for every group of pending runs."""
        evals, suggests = self.table("eval"), self.table("suggest")
        eval_default = max(evals.values(), default=self.DEFAULT_EVAL)
        suggest_default = max(suggests.values(), default=0.0)

        def rate(problem: str, strategy: str) -> float:
            return evals.get(problem, eval_default) + suggests.get(strategy, suggest_default)

        return rate

    def table(self, kind: str) -> dict[str, float]:
        """What is known now of ``kind`` ("eval": seconds per full evaluation by problem,
        "suggest": seconds per suggestion by strategy): measured here, else known beforehand."""
        table = {name: v for name, v in self._prior[kind].items() if v is not None}
        table.update({name: acc[0] / acc[1] for (k, name), acc in self._seen.items() if k == kind})
        return table



class Pending:
    """Runs waiting to start, taken longest first (the earliest listed among equals).

    Runs of one (problem, strategy) differ only in their seed and in what they have already
    spent, so they are kept in groups, longest first: choosing the next run looks at one run per
    group, not at every run, which keeps scheduling cheap for suites of many thousand runs.
    """

    def __init__(self, tasks: Iterable[Task] = ()):
        self._groups: dict[tuple[str, str], list[tuple[float, int, Task]]] = {}
        self._count = itertools.count()
        self._size = 0
        for task in tasks:
            self.add(task)

    def __len__(self) -> int:
        return self._size

    def add(self, task: Task) -> None:
        group = self._groups.setdefault((task.spec.problem, task.spec.strategy), [])
        bisect.insort(group, (-task.remaining, next(self._count), task))
        self._size += 1

    def take(self, costs: CostModel, hold: Callable[[Task], bool] | None = None) -> Task | None:
        """The run expected to last longest, passing over those to ``hold`` back."""
        rate = costs.rates()
        best, best_at = None, None
        for key, group in self._groups.items():
            for i, (minus_remaining, order, task) in enumerate(group):
                if hold is None or not hold(task):
                    rank = (-minus_remaining * rate(*key), -order)
                    if best is None or rank > best:
                        best, best_at = rank, (key, i)
                    break
        if best is None:
            return None
        group = self._groups[best_at[0]]
        task = group.pop(best_at[1])[2]
        if not group:
            del self._groups[best_at[0]]
        self._size -= 1
        return task


def longest_first(tasks: Iterable[Task], costs: CostModel | None = None) -> list[Task]:
    """The order in which :func:`bench.owner.execute` would start ``tasks`` if nothing new were learnt."""
    pending, costs = Pending(tasks), costs or CostModel()
    return [pending.take(costs) for _ in range(len(pending))]
