"""The worker's side of execution: run one task and send its events to the owner.

A worker checks that it would compute what the owner expects (same versions, same strategy
identity), limits itself to one BLAS thread, replays the task's stored trials and runs the rest.
A resumed strategy that proposes otherwise than before is reported (:class:`Diverged`) and its
run starts over.
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Callable
from typing import Any

from bench.evaluator import THREAD_ENV, ChildEvaluator, Evaluator
from bench.records import Diverged, Event, Finished, RunOutcome, Started, Task, TrialDone, TrialRecord
from bench.runner import ReplayDiverged, execute_run
from bench.environment import versions


class RunCancelled(BaseException):
    """The owner gave the run up (Ctrl-C, or the cluster released it): stop between trials."""


_LOCAL = threading.local()  # one evaluation child per worker thread
_PROBLEMS: dict[str, Any] = {}  # equal problems share one object, so the child loads each once
_CHECKED: dict[tuple, str] = {}


def worker_evaluator(fork: bool = False) -> ChildEvaluator:
    """This thread's evaluation child, started on first use."""
    evaluator = getattr(_LOCAL, "evaluator", None)
    if evaluator is None:
        evaluator = _LOCAL.evaluator = ChildEvaluator(fork=fork)
    return evaluator


def close_worker_evaluator() -> None:
    """Stop this thread's evaluation child, if it has one."""
    evaluator = getattr(_LOCAL, "evaluator", None)
    if evaluator is not None:
        evaluator.close()
        _LOCAL.evaluator = None


def _mismatch(task: Task) -> str:
    """Why this worker cannot run ``task`` the way the owner would, or ''."""
    key = (task.strategy.name, task.strategy.version, task.environment)
    if key not in _CHECKED:
        from bench.strategy import describe

        problems = []
        if task.environment:
            mine = dict(versions(name for name, _ in task.environment))
            problems += [f"{name} {mine.get(name)} here, {version} on the owner"
                         for name, version in task.environment if mine.get(name) != version]
        if task.strategy.cls is not None:
            here = describe(task.strategy.cls, task.strategy.name, task.strategy.origin).version
            if here != task.strategy.version:
                problems.append(f"strategy {task.strategy.name} is {here} here, "
                                f"{task.strategy.version} on the owner")
        _CHECKED[key] = "; ".join(problems)
    return _CHECKED[key]


_PINNED_AT = -1  # how many modules were loaded when the thread pools were last limited


def _pin_threads() -> None:
    """One BLAS/OpenMP thread in this worker process, whichever library a strategy brings.

    The variables cover libraries loaded from now on; threadpoolctl limits those already
    loaded. Its look-up costs milliseconds, so it is redone only after new imports (a strategy's
    library, loaded by its first run), not for every run.
    """
    global _PINNED_AT
    if len(sys.modules) == _PINNED_AT:
        return
    from threadpoolctl import threadpool_limits

    os.environ.update(THREAD_ENV)
    threadpool_limits(1)
    _PINNED_AT = len(sys.modules)


def work(task: Task, emit: Callable[[Event], None], evaluate: Evaluator | None = None,
         cancelled: Callable[[], bool] | None = None) -> RunOutcome:
    """Execute one run, sending its start, each finished trial and its end through ``emit``."""
    spec = task.spec
    emit(Started(spec.run_id, os.getpid()))
    mismatch = _mismatch(task)
    if mismatch:
        outcome = RunOutcome(spec.run_id, "failed", "this worker's environment differs from the "
                             f"owner's ({mismatch}): install the same locked versions everywhere")
        emit(Finished(outcome))
        return outcome
    problem = _PROBLEMS.setdefault(task.problem_digest, task.problem) \
        if task.problem_digest else task.problem
    evaluate = evaluate or worker_evaluator()

    def emit_trial(record: TrialRecord) -> None:
        if cancelled is not None and cancelled():
            raise RunCancelled(spec.run_id)
        emit(TrialDone(record))

    _pin_threads()
    args = (spec, problem, task.strategy, evaluate, emit_trial)
    try:
        outcome = execute_run(*args, prior=task.prior, ref_random=task.ref_random)
    except ReplayDiverged as exc:
        emit(Diverged(spec.run_id, str(exc)))
        outcome = execute_run(*args, prior=(), ref_random=task.ref_random)
    emit(Finished(outcome))
    return outcome


