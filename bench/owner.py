"""The owner's loop: hand planned runs to a backend and commit every trial as it comes back.

The process the user started owns the store and is its only writer. It schedules whole runs
longest first (:mod:`bench.costs`), one per free worker, and commits every trial the moment it
comes back. A run's stored trials travel with it, so a resumed or retried run replays them
instead of evaluating them again. When a local worker dies (killed, out of memory, a crash in a
library), the pool breaks: the runs it held are retried on a fresh pool from what the store
holds, up to :data:`MAX_ATTEMPTS` times. Dask reschedules the runs of a lost worker itself;
their trials come back a second time and the store, keyed by (run, trial), keeps one of each.
"""

from __future__ import annotations

import sys
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from bench.backends import Backend
from bench.costs import CostModel, Pending
from bench.records import (Diverged, Event, RunOutcome, Started, Summary, Task, TrialDone,
                           TrialRecord)

if TYPE_CHECKING:  # workers never import the store (nor pandas with it)
    from bench.store import Store

#: A run whose worker died this many times is failed rather than retried again.
MAX_ATTEMPTS = 3


def execute(tasks: Sequence[Task], store: Store, backend: Backend, progress: bool = True,
            label: str = "runs", costs: CostModel | None = None) -> Summary:
    """Run ``tasks`` on ``backend``, committing every trial to ``store`` as it arrives.

    On Ctrl-C the workers are stopped and KeyboardInterrupt propagates; every trial that came
    back is committed, and the runs left partial resume on the next invocation.
    """
    from tqdm import tqdm

    costs = costs or CostModel()
    summary = Summary(executed=len(tasks))
    started = time.perf_counter()
    for task in tasks:
        store.start_run(task.spec, task.environment)
    pending = Pending(tasks)
    running: dict[str, Task] = {}
    begun: set[str] = set()  # runs a worker has started
    retried: set[str] = set()
    attempts: Counter[str] = Counter()  # how often a run's worker died under it
    spent = {t.spec.run_id: t.spec.budget - t.remaining for t in tasks}
    # Costs are fractional for multi-fidelity runs: show whole evaluations.
    bar = tqdm(total=round(sum(t.remaining for t in tasks), 3), unit="eval", desc=label,
               disable=not progress, file=sys.stderr, dynamic_ncols=True, smoothing=0.05,
               bar_format="{l_bar}{bar}| {n:.0f}/{total:.0f} evals [{elapsed}<{remaining}, "
                          "{rate_fmt}]")

    def advance(cost: float) -> None:
        # fractional costs add up with rounding errors: never step past the total
        step = min(cost, bar.total - bar.n)
        if step > 0:
            bar.update(step)

    def finish(outcome: RunOutcome) -> None:
        store.finish_run(outcome)
        task = running.pop(outcome.run_id)
        advance(task.spec.budget - spent[outcome.run_id])  # exhausted or failed
        if outcome.status == "complete":
            summary.completed += 1
        else:
            summary.failed.append((task.spec, outcome.error))

    def handle(event: Event) -> None:
        run_id = event.run_id
        if run_id not in running:  # a late copy from a worker that was given up
            return
        if isinstance(event, TrialDone):
            costs.observe(running[run_id].spec, event.record)
            if _commit(store, event.record):
                summary.trials += 1
                spent[run_id] += event.record.cost
                advance(event.record.cost)
        elif isinstance(event, Started):
            begun.add(run_id)
        elif isinstance(event, Diverged):
            store.reset_run(run_id, diverged=True)
            summary.diverged += 1
        else:
            finish(event.outcome)

    try:
        while pending or running:
            while pending and len(running) < backend.capacity():
                # A run whose worker died waits until no other such run is running, so that a
                # run that kills its worker does not take the same innocent runs down each time.
                suspects = any(attempts[r] for r in running)
                task = pending.take(costs, hold=(lambda t: attempts[t.spec.run_id] > 0)
                                    if suspects else None)
                if task is None:
                    break
                if task.spec.run_id in retried:  # replay what the store holds now
                    task = replace(task, prior=tuple(store.trials(task.spec.run_id)))
                running[task.spec.run_id] = task
                begun.discard(task.spec.run_id)
                backend.submit(task)
            for lost in backend.wait(handle, timeout=0.2):
                if lost.run_id not in running:
                    continue
                if lost.run_id in begun:
                    attempts[lost.run_id] += 1
                if lost.retry and attempts[lost.run_id] < MAX_ATTEMPTS:
                    pending.add(running.pop(lost.run_id))
                    retried.add(lost.run_id)
                    summary.retried += 1
                else:
                    tries = f" (its worker died {attempts[lost.run_id]} times)" if lost.retry else ""
                    finish(RunOutcome(lost.run_id, "failed", lost.reason + tries,
                                      *_progress(store, lost.run_id)))
    except BaseException:
        backend.abort()
        raise
    finally:
        bar.close()
        summary.seconds = time.perf_counter() - started
    return summary


def _commit(store: Store, record: TrialRecord) -> bool:
    """Store a trial; a copy of a stored one (a rescheduled run) is dropped if it agrees.

    A copy that disagrees comes from a run recomputed after its worker was lost, whose earlier
    attempt saw a machine-dependent outcome (a timeout): the newest attempt wins from that trial
    on, so the stored run is always one consistent sequence.
    """
    if store.add_trial(record):
        return True
    stored = store.trials(record.run_id)
    old = stored[record.trial] if record.trial < len(stored) else None
    if old is not None and _same_result(old, record):
        return False
    store.drop_trials(record.run_id, first=record.trial)
    return store.add_trial(record)


def _same_result(a: TrialRecord, b: TrialRecord) -> bool:
    keys = ("params", "fidelity", "status", "score", "score_std", "test_score")
    return all(getattr(a, k) == getattr(b, k) for k in keys)


def _progress(store: Store, run_id: str) -> tuple[int, float]:
    trials = store.trials(run_id)
    return len(trials), sum(t.cost for t in trials)
