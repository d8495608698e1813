"""Running the planned runs: in this process, on local cores (loky), or on a Dask cluster.

The process the user started owns the store and is its only writer. It schedules whole runs on
workers and commits every trial the moment it comes back. Workers send their events (a run
started, a trial finished, a run ended) through a channel that never makes them wait for the
owner: a socket to the owner for local workers, a Dask queue on a cluster.

Scheduling is longest-first with what is known so far: seconds per evaluation by problem and
seconds per suggestion by strategy, from the catalogue's references and earlier runs in the store,
refined by every trial that arrives. The owner hands out one run per free worker, so the last runs
to finish are short ones and no worker idles long at the end.

A run's stored trials travel with it, so a resumed or retried run replays them instead of
evaluating them again. When a local worker dies (killed, out of memory, a crash in a library), the
pool breaks: the runs it held are retried on a fresh pool from what the store holds, up to
:data:`MAX_ATTEMPTS` times. Dask reschedules the runs of a lost worker itself; their trials come
back a second time and the store, keyed by (run, trial), keeps one of each.
"""

from __future__ import annotations

import bisect
import itertools
import os
import queue as queue_module
import secrets
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Protocol

from bench.evaluator import THREAD_ENV, ChildEvaluator, Evaluator
from bench.runner import ReplayDiverged, RunOutcome, RunSpec, TrialRecord, execute_run
from bench.strategy import StrategyInfo

if TYPE_CHECKING:  # workers never import the store (nor pandas with it)
    from bench.store import Store

#: A run whose worker died this many times is failed rather than retried again.
MAX_ATTEMPTS = 3
#: Runs handed to a pool beyond its workers: a worker that frees up starts the next one at once
#: instead of waiting for the owner to hear of it and answer.
QUEUED = 1
#: Packages whose versions must agree between the owner and a worker: they make the scores.
PINNED = ("numpy", "scipy", "scikit-learn", "threadpoolctl")

Event = tuple  # ("start", run_id, pid) | ("trial", TrialRecord) | ("reset", run_id) | ("done", RunOutcome)


@dataclass(frozen=True)
class Task:
    """A run to execute, with all a worker needs (and nothing it would have to look up)."""

    spec: RunSpec
    problem: Any
    strategy: StrategyInfo
    prior: tuple[TrialRecord, ...] = ()
    ref_random: float | None = None
    cost_curve: tuple | None = None  # the problem's frozen c(f) (bench.costcurve)
    expected_seconds: float = 0.0
    problem_digest: str = ""  # the catalogue's hash of the problem: workers share equal problems
    environment: tuple[tuple[str, str], ...] = ()  # the owner's versions of PINNED

    @property
    def remaining(self) -> float:
        return max(0.0, self.spec.budget - sum(r.cost for r in self.prior))


@dataclass
class Plan:
    """The runs a command asks for, split by what the store already has."""

    specs: list[RunSpec]
    todo: list[Task] = field(default_factory=list)
    done: list[RunSpec] = field(default_factory=list)
    failed: list[RunSpec] = field(default_factory=list)  # failed before, not retried
    costs: CostModel | None = None

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
    retried: int = 0  # runs started again after their worker died


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

    def per_trial(self, kind: str, name: str) -> float | None:
        acc = self._seen.get((kind, name))
        if acc:
            return acc[0] / acc[1]
        return self._prior[kind].get(name)

    def expected(self, task: Task) -> float:
        return task.remaining * self.rates()(task.spec.problem, task.spec.strategy)

    def rates(self) -> Callable[[str, str], float]:
        """Expected seconds per unit of budget of a (problem, strategy), with what is known
        now, frozen: cheap to call for every group of pending runs."""
        evals, eval_default = self._table("eval", self.DEFAULT_EVAL)
        suggests, suggest_default = self._table("suggest", 0.0)

        def rate(problem: str, strategy: str) -> float:
            return evals.get(problem, eval_default) + suggests.get(strategy, suggest_default)

        return rate

    def _table(self, kind: str, default: float) -> tuple[dict[str, float], float]:
        table = {name: v for name, v in self._prior[kind].items() if v is not None}
        table.update({name: acc[0] / acc[1] for (k, name), acc in self._seen.items() if k == kind})
        return table, max(table.values(), default=default)


# -- in the worker ---------------------------------------------------------------------------
class RunCancelled(BaseException):
    """The owner gave the run up (Ctrl-C, or the cluster released it): stop between trials."""


_LOCAL = threading.local()  # one evaluation child per worker thread
_PROBLEMS: dict[str, Any] = {}  # equal problems share one object, so the child loads each once
_CHECKED: dict[tuple, str] = {}


def _worker_evaluator(fork: bool = False) -> ChildEvaluator:
    evaluator = getattr(_LOCAL, "evaluator", None)
    if evaluator is None:
        evaluator = _LOCAL.evaluator = ChildEvaluator(fork=fork)
    return evaluator


def environment() -> tuple[tuple[str, str], ...]:
    """This process's Python and PINNED package versions."""
    from bench.strategy import distribution_version

    python = "%d.%d.%d" % sys.version_info[:3]
    return (("python", python),) + tuple((d, distribution_version(d) or "-") for d in PINNED)


def _mismatch(task: Task) -> str:
    """Why this worker cannot run ``task`` the way the owner would, or ''."""
    key = (task.strategy.name, task.strategy.version, task.environment)
    if key not in _CHECKED:
        from bench.strategy import describe

        problems = []
        if task.environment:
            mine = dict(environment())
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
    emit(("start", spec.run_id, os.getpid()))
    mismatch = _mismatch(task)
    if mismatch:
        outcome = RunOutcome(spec.run_id, "failed", "this worker's environment differs from the "
                             f"owner's ({mismatch}): install the same locked versions everywhere")
        emit(("done", outcome))
        return outcome
    problem = _PROBLEMS.setdefault(task.problem_digest, task.problem) \
        if task.problem_digest else task.problem
    evaluate = evaluate or _worker_evaluator()

    def emit_trial(record: TrialRecord) -> None:
        if cancelled is not None and cancelled():
            raise RunCancelled(spec.run_id)
        emit(("trial", record))

    _pin_threads()
    args = (spec, problem, task.strategy, evaluate, emit_trial)
    try:
        outcome = execute_run(*args, prior=task.prior, ref_random=task.ref_random,
                                cost_curve=task.cost_curve)
    except ReplayDiverged:
        emit(("reset", spec.run_id))
        outcome = execute_run(*args, prior=(), ref_random=task.ref_random,
                                cost_curve=task.cost_curve)
    emit(("done", outcome))
    return outcome


# -- backends --------------------------------------------------------------------------------
@dataclass(frozen=True)
class Lost:
    """A run whose worker went away: ``retry`` if it may run again, else it failed."""

    run_id: str
    reason: str
    retry: bool


class Backend(Protocol):
    workers: int

    def capacity(self) -> int: ...
    def submit(self, task: Task) -> None: ...
    def wait(self, handle: Callable[[Event], None], timeout: float) -> list[Lost]: ...
    def abort(self) -> None: ...
    def close(self) -> None: ...


class SerialBackend:
    """Runs one after another in this process (evaluations still go to a child process)."""

    workers = 1

    def __init__(self, evaluate: Evaluator | None = None):
        self.evaluate = evaluate
        self._next: Task | None = None

    def capacity(self) -> int:
        return 1

    def submit(self, task: Task) -> None:
        self._next = task

    def wait(self, handle: Callable[[Event], None], timeout: float) -> list[Lost]:
        task, self._next = self._next, None
        if task is not None:
            work(task, handle, self.evaluate or _worker_evaluator())
        return []

    def abort(self) -> None:
        self.close()

    def close(self) -> None:
        evaluator = getattr(_LOCAL, "evaluator", None)
        if self.evaluate is None and evaluator is not None:
            evaluator.close()
            _LOCAL.evaluator = None


class LokyBackend:
    """Runs in parallel on local cores with joblib's loky process pool.

    Workers connect back to a socket of the owner and send their events without waiting for an
    answer; a reader thread per worker puts them on one queue for the owner's loop.
    """

    def __init__(self, workers: int):
        from multiprocessing.connection import Listener

        self.workers = workers
        self._folder = tempfile.TemporaryDirectory(prefix="searchbench-")
        self._authkey = secrets.token_bytes(16)
        self._listener = Listener(os.path.join(self._folder.name, "events"), "AF_UNIX",
                                  authkey=self._authkey)
        self._events: queue_module.SimpleQueue = queue_module.SimpleQueue()
        self._readers: list[threading.Thread] = []
        self._futures: dict[Any, Task] = {}
        self._closed = False
        threading.Thread(target=self._accept, name="searchbench-accept", daemon=True).start()
        self._executor = self._pool()
        self._executor.submit(_nothing)

    def _pool(self):
        from joblib.externals.loky import get_reusable_executor

        return get_reusable_executor(max_workers=self.workers, reuse="auto", env=THREAD_ENV,
                                     initializer=_init_local_worker)

    def _accept(self) -> None:
        while True:
            try:
                conn = self._listener.accept()
            except (OSError, EOFError):  # closed, or a peer that failed to authenticate
                if self._closed:
                    return
                continue
            reader = threading.Thread(target=self._read, args=(conn,), daemon=True,
                                      name="searchbench-reader")
            self._readers.append(reader)
            reader.start()

    def _read(self, conn) -> None:
        try:
            while True:
                self._events.put(conn.recv())
        except (EOFError, OSError):
            conn.close()

    def capacity(self) -> int:
        return self.workers + QUEUED

    def submit(self, task: Task) -> None:
        address = self._listener.address
        self._futures[self._executor.submit(_work_locally, task, address, self._authkey)] = task

    def wait(self, handle: Callable[[Event], None], timeout: float) -> list[Lost]:
        _hand_on(self._events, handle, timeout)
        finished = [f for f in self._futures if f.done()]
        lost = []
        broken = False
        for future in finished:
            task = self._futures.pop(future)
            try:
                future.result()
            except Exception as exc:
                from concurrent.futures.process import BrokenProcessPool

                if isinstance(exc, BrokenProcessPool):
                    broken = True
                    lost.append(Lost(task.spec.run_id, f"{type(exc).__name__}: {exc}", True))
                else:  # the task could not be shipped, or broke outside the run's own guards
                    lost.append(Lost(task.spec.run_id, f"worker failed: {type(exc).__name__}: "
                                     f"{exc}", False))
        if broken:
            # Every worker of a broken pool is killed: wait until their last events are read,
            # so that the retried runs start from everything the store can hold.
            for task in self._futures.values():
                lost.append(Lost(task.spec.run_id, "the worker pool broke", True))
            self._futures.clear()
            deadline = time.monotonic() + 10
            for reader in list(self._readers):
                reader.join(max(0.0, deadline - time.monotonic()))
            _hand_on(self._events, handle, 0)
            self._executor = self._pool()
        return lost

    def abort(self) -> None:
        self._executor.shutdown(wait=False, kill_workers=True)
        self._futures.clear()

    def close(self) -> None:
        """Stop the workers (idle ones, or ones still warming up) and the channel."""
        self._executor.shutdown(wait=False, kill_workers=True)
        self._closed = True
        self._listener.close()
        self._folder.cleanup()


def _init_local_worker() -> None:
    """Prepare a loky worker while the owner is still planning: import what runs need and
    start the evaluation child, a fork of this worker that inherits those imports."""
    import signal

    from bench.lifetime import exit_with_parent

    exit_with_parent()  # an owner killed with SIGKILL cannot stop its workers: they notice
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the owner's: it stops the workers
    try:
        import bench.problem  # noqa: F401  (scikit-learn: every problem needs it)
        from bench.catalogue import load_catalogue

        load_catalogue()  # the catalogue module, as the tasks' problems will need it
    except Exception:  # a bad catalogue is reported by the owner; warming up is optional
        pass
    _worker_evaluator(fork=True).start()


def _nothing() -> None:
    """A first task, so that loky starts its workers at once."""


_CONNECTIONS: dict[str, Any] = {}


def _work_locally(task: Task, address: str, authkey: bytes) -> None:
    from multiprocessing.connection import Client

    conn = _CONNECTIONS.get(address)
    if conn is None:
        conn = _CONNECTIONS[address] = Client(address, "AF_UNIX", authkey=authkey)
    work(task, conn.send, _worker_evaluator(fork=True))


class DaskBackend:
    """Runs on a Dask distributed cluster; events come back through a Dask queue.

    Dask runs the tasks of a lost worker again elsewhere (up to the scheduler's
    ``allowed-failures``, then :class:`distributed.KilledWorker`). A task stops between trials
    once its future is cancelled, which is what the owner does on Ctrl-C.
    """

    def __init__(self, address: str):
        from distributed import Client, Queue

        try:
            self.client = Client(address, timeout=15)
        except Exception as exc:
            from bench.errors import BadInput

            raise BadInput(f"cannot reach the Dask scheduler at {address!r}: {exc}") from None
        self._queue = Queue(f"searchbench-{uuid.uuid4().hex}", client=self.client)
        self._tag = uuid.uuid4().hex[:8]
        self._futures: dict[Any, Task] = {}
        self._checked = 0.0
        self.workers = self._threads()

    def _threads(self) -> int:
        return max(1, sum(self.client.nthreads().values()))

    def capacity(self) -> int:
        if time.monotonic() - self._checked > 5:  # workers come and go
            self._checked = time.monotonic()
            self.workers = self._threads()
        return self.workers + QUEUED

    def submit(self, task: Task) -> None:
        key = f"searchbench-run-{task.spec.run_id}-{self._tag}"
        future = self.client.submit(_work_on_dask, task, self._queue.name, pure=False, key=key)
        self._futures[future] = task

    def wait(self, handle: Callable[[Event], None], timeout: float) -> list[Lost]:
        # Polled: a blocking get that times out is logged as an error by the scheduler.
        deadline = time.monotonic() + timeout
        while True:
            batches = self._queue.get(batch=True)
            if batches or time.monotonic() >= deadline:
                break
            time.sleep(0.02)
        for batch in batches:
            for event in batch:
                handle(event)
        lost = []
        for future in [f for f in self._futures if f.status in ("error", "cancelled")]:
            task = self._futures.pop(future)
            for batch in self._queue.get(batch=True):  # anything it sent before it failed
                for event in batch:
                    handle(event)
            try:
                error = future.exception(timeout=5)
                reason = f"{type(error).__name__}: {error}"
            except Exception as exc:
                reason = f"{type(exc).__name__}: {exc}"
            lost.append(Lost(task.spec.run_id, f"worker failed: {reason}", False))
        for future in [f for f in self._futures if f.status == "finished"]:
            del self._futures[future]  # its "done" event has come, or comes next
        return lost

    def abort(self) -> None:
        self.client.cancel(list(self._futures), force=True)
        self._futures.clear()

    def close(self) -> None:
        self._queue.close()
        self.client.close()


def _dask_task_cancelled() -> bool:
    """Whether the Dask task running in this thread was cancelled (a local look-up)."""
    try:
        from distributed import get_worker
        from distributed.worker import thread_state

        state = get_worker().state.tasks.get(thread_state.key)
    except Exception:  # not in a Dask task, or internals that moved: never stop a run for that
        return False
    return state is not None and state.state == "cancelled"


class _DaskSender:
    """Sends a task's events to the owner's Dask queue from a thread of its own, in batches.

    A put is a round trip to the scheduler; the run goes on meanwhile instead of waiting for
    it. ``close`` returns once everything is sent, so a run that ends has delivered its events.
    """

    def __init__(self, queue_name: str):
        from distributed import Queue

        self._channel = Queue(queue_name)
        self._pending: queue_module.SimpleQueue = queue_module.SimpleQueue()
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._send, name="searchbench-sender", daemon=True)
        self._thread.start()

    def __call__(self, event: Event) -> None:
        if self._error is not None:
            raise RuntimeError(f"cannot send to the owner: {self._error}") from self._error
        self._pending.put(event)

    def _send(self) -> None:
        while True:
            batch = [self._pending.get()]
            while not self._pending.empty():
                batch.append(self._pending.get_nowait())
            last = batch[-1] is None
            events = [e for e in batch if e is not None]
            try:
                if events:
                    self._channel.put(events)
            except BaseException as exc:  # the scheduler is gone: the run fails on next emit
                self._error = exc
            if last:
                return

    def close(self) -> None:
        self._pending.put(None)
        self._thread.join()
        if self._error is not None:
            raise RuntimeError(f"cannot send to the owner: {self._error}") from self._error


def _work_on_dask(task: Task, queue_name: str) -> None:
    sender = _DaskSender(queue_name)
    try:
        work(task, sender, cancelled=_dask_task_cancelled)
    finally:
        sender.close()


def _hand_on(events: queue_module.SimpleQueue, handle: Callable[[Event], None],
             timeout: float) -> None:
    """Hand on every queued event; wait up to ``timeout`` seconds for the first one."""
    try:
        handle(events.get(timeout=timeout) if timeout else events.get_nowait())
        while True:
            handle(events.get_nowait())
    except queue_module.Empty:
        return


# -- the owner's side ------------------------------------------------------------------------
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
        store.start_run(task.spec)
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
        kind, run_id = event[0], _run_id(event)
        if run_id not in running:  # a late copy from a worker that was given up
            return
        if kind == "trial":
            record: TrialRecord = event[1]
            costs.observe(running[run_id].spec, record)
            if _commit(store, record):
                summary.trials += 1
                spent[run_id] += record.cost
                advance(record.cost)
        elif kind == "start":
            begun.add(run_id)
        elif kind == "reset":
            store.reset_run(run_id)
        else:
            finish(event[1])

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


def _run_id(event: Event) -> str:
    value = event[1]
    return value if isinstance(value, str) else value.run_id


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
    """The order in which :func:`execute` would start ``tasks`` if nothing new were learnt."""
    pending, costs = Pending(tasks), costs or CostModel()
    return [pending.take(costs) for _ in range(len(pending))]
