"""Planning what is missing and running it: in this process, on local cores, or on Dask.

The process the user started owns the store and is its only writer. Workers (loky processes or
Dask workers) run whole runs and send every finished trial back as it finishes, through a queue;
the owner commits each at once. A run's prior trials travel with its task, so a resumed or retried
run replays them instead of evaluating again, and the store ignores a trial it already holds.
"""

from __future__ import annotations

from multiprocessing.managers import SyncManager
import queue as queue_module
import sys
import time
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from bench.evaluator import ChildEvaluator, Evaluator
from bench.lifetime import exit_with_parent
from bench.runner import ReplayDiverged, RunOutcome, RunSpec, TrialRecord, execute_run
from bench.store import Store
from bench.strategy import StrategyInfo

Event = tuple  # ("trial", TrialRecord) | ("reset", run_id) | ("done", RunOutcome)


@dataclass(frozen=True)
class Task:
    """A run to execute, with all a worker needs (and nothing it would have to look up)."""

    spec: RunSpec
    problem: Any
    strategy: StrategyInfo
    prior: tuple[TrialRecord, ...] = ()
    ref_random: float | None = None
    expected_seconds: float = 0.0


@dataclass
class Plan:
    """The runs a command asks for, split by what the store already has."""

    specs: list[RunSpec]
    todo: list[Task] = field(default_factory=list)
    done: list[RunSpec] = field(default_factory=list)
    failed: list[RunSpec] = field(default_factory=list)  # failed before, not retried

    @property
    def resumed(self) -> int:
        return sum(1 for t in self.todo if t.prior)


@dataclass
class Summary:
    """What an execution did."""

    executed: int = 0
    completed: int = 0
    trials: int = 0
    failed: list[tuple[RunSpec, str]] = field(default_factory=list)
    seconds: float = 0.0


# -- in the worker ---------------------------------------------------------------------------
_EVALUATOR: Evaluator | None = None


def _worker_evaluator() -> Evaluator:
    global _EVALUATOR
    if _EVALUATOR is None:
        _EVALUATOR = ChildEvaluator()
    return _EVALUATOR


def work(task: Task, emit: Callable[[Event], None], evaluate: Evaluator | None = None) -> RunOutcome:
    """Execute one run, sending each finished trial through ``emit``."""
    from threadpoolctl import threadpool_limits

    evaluate = evaluate or _worker_evaluator()

    def emit_trial(record: TrialRecord) -> None:
        emit(("trial", record))

    with threadpool_limits(1):
        args = (task.spec, task.problem, task.strategy, evaluate, emit_trial)
        try:
            return execute_run(*args, prior=task.prior, ref_random=task.ref_random)
        except ReplayDiverged:
            emit(("reset", task.spec.run_id))
            return execute_run(*args, prior=(), ref_random=task.ref_random)


def _work_to_queue(task: Task, channel) -> RunOutcome:
    return work(task, channel.put)


# -- backends --------------------------------------------------------------------------------
class SerialBackend:
    """Runs one after another in this process (evaluations still go to a child process)."""

    workers = 1

    def __init__(self, evaluate: Evaluator | None = None):
        self.evaluate = evaluate

    def run(self, tasks: Sequence[Task], handle: Callable[[Event], None]) -> None:
        for task in tasks:
            handle(("done", work(task, handle, self.evaluate)))


class LokyBackend:
    """Runs in parallel on local cores with joblib's loky process pool."""

    def __init__(self, workers: int):
        self.workers = workers

    def run(self, tasks: Sequence[Task], handle: Callable[[Event], None]) -> None:
        from joblib.externals.loky import get_reusable_executor

        manager = SyncManager()
        manager.start(exit_with_parent)
        channel = manager.Queue()
        executor = get_reusable_executor(max_workers=self.workers, reuse=True,
                                         initializer=exit_with_parent)
        try:
            futures = {executor.submit(_work_to_queue, t, channel): t for t in tasks}
            pending = set(futures)
            while pending:
                _drain(channel, handle, wait=0.05)
                finished = {f for f in pending if f.done()}
                if finished:  # their last trials were queued before they returned
                    _drain(channel, handle, wait=0)
                for f in finished:
                    handle(("done", _result(f, futures[f])))
                pending -= finished
        finally:
            manager.shutdown()


class DaskBackend:
    """Runs on a Dask distributed cluster; trials come back through a Dask queue."""

    def __init__(self, address: str):
        from distributed import Client

        try:
            self.client = Client(address, timeout=15)
        except Exception as exc:
            from bench.errors import BadInput

            raise BadInput(f"cannot reach the Dask scheduler at {address!r}: {exc}") from None
        self.workers = max(1, sum(self.client.nthreads().values()))

    def run(self, tasks: Sequence[Task], handle: Callable[[Event], None]) -> None:
        from distributed import Queue

        channel = Queue(f"searchbench-{uuid.uuid4().hex}", client=self.client)
        tag = uuid.uuid4().hex[:8]
        futures = {
            self.client.submit(_work_to_dask_queue, t, channel.name, pure=False,
                               key=f"searchbench-run-{t.spec.run_id}-{tag}"): t
            for t in tasks
        }
        pending = set(futures)
        while pending:
            for event in channel.get(batch=True):
                handle(event)
            finished = {f for f in pending if f.done()}
            if not finished:
                time.sleep(0.05)
                continue
            for event in channel.get(batch=True):
                handle(event)
            for f in finished:
                handle(("done", _result(f, futures[f])))
            pending -= finished

    def close(self) -> None:
        self.client.close()


def _work_to_dask_queue(task: Task, queue_name: str) -> RunOutcome:
    from distributed import Queue

    channel = Queue(queue_name)
    return work(task, channel.put)


def _drain(channel, handle: Callable[[Event], None], wait: float) -> None:
    """Hand on every queued event; wait up to ``wait`` seconds for the first one."""
    try:
        handle(channel.get(timeout=wait) if wait else channel.get_nowait())
        while True:
            handle(channel.get_nowait())
    except queue_module.Empty:
        return


def _result(future, task: Task) -> RunOutcome:
    try:
        return future.result()
    except Exception as exc:  # the worker died, or the task could not be shipped
        return RunOutcome(task.spec.run_id, "failed",
                          f"worker failed: {type(exc).__name__}: {exc}")


# -- the owner's side ------------------------------------------------------------------------
def execute(tasks: Sequence[Task], store: Store, backend, progress: bool = True,
            label: str = "runs") -> Summary:
    """Run ``tasks`` on ``backend``, committing every trial to ``store`` as it arrives."""
    from tqdm import tqdm

    summary = Summary(executed=len(tasks))
    started = time.perf_counter()
    specs = {t.spec.run_id: t.spec for t in tasks}
    for task in tasks:
        store.start_run(task.spec)
    total = sum(t.spec.budget - sum(r.cost for r in t.prior) for t in tasks)
    bar = tqdm(total=round(total, 3), unit="eval", desc=label, disable=not progress,
               file=sys.stderr, dynamic_ncols=True, smoothing=0.05)
    spent: dict[str, float] = {t.spec.run_id: sum(r.cost for r in t.prior) for t in tasks}
    def handle(event: Event) -> None:
        kind = event[0]
        if kind == "trial":
            record: TrialRecord = event[1]
            if store.add_trial(record):
                summary.trials += 1
                spent[record.run_id] += record.cost
                bar.update(record.cost)
        elif kind == "reset":
            store.reset_run(event[1])
        else:
            outcome: RunOutcome = event[1]
            store.finish_run(outcome)
            spec = specs[outcome.run_id]
            bar.update(max(0.0, spec.budget - spent[outcome.run_id]))  # exhausted or failed
            if outcome.status == "complete":
                summary.completed += 1
            else:
                summary.failed.append((spec, outcome.error))

    try:
        backend.run(_longest_first(tasks), handle)
    finally:
        bar.close()
        summary.seconds = time.perf_counter() - started
    return summary


def _longest_first(tasks: Iterable[Task]) -> list[Task]:
    """Longest runs first, so that the last runs to finish are short ones (less idle time)."""
    return sorted(tasks, key=lambda t: -t.expected_seconds)
