"""Where runs execute: in this process, on local cores (loky), or on a Dask cluster.

Each backend takes tasks and hands the owner the events its workers send, through a channel
that never makes a worker wait for the owner: a socket to the owner for local workers, a Dask
queue on a cluster. A backend reports the runs whose worker went away (:class:`Lost`).
"""

from __future__ import annotations

import os
import queue as queue_module
import secrets
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from bench.evaluator import THREAD_ENV, Evaluator
from bench.records import Event, Task
from bench.warm import fork_here, local_workers, pool_context
from bench.worker import close_worker_evaluator, work, worker_evaluator

#: Runs handed to a pool beyond its workers: a worker that frees up starts the next one at once
#: instead of waiting for the owner to hear of it and answer.
QUEUED = 1


def make_backend(jobs: int | None = None, scheduler: str | None = None,
                 runs: int | None = None) -> Backend:
    """The backend a command asks for: a Dask cluster at ``scheduler``, else ``jobs`` local
    workers (all cores by default), never more than its ``runs``; one runs in this process."""
    if scheduler:
        return DaskBackend(scheduler)
    jobs = local_workers(jobs, runs)
    return SerialBackend() if jobs == 1 else LokyBackend(jobs)


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
        if evaluate is None:
            # The evaluation child is a copy of this process, which has imported scikit-learn
            # and the catalogue: made now, before the progress bar starts a thread.
            worker_evaluator(fork=fork_here()).start()

    def capacity(self) -> int:
        return 1

    def submit(self, task: Task) -> None:
        self._next = task

    def wait(self, handle: Callable[[Event], None], timeout: float) -> list[Lost]:
        task, self._next = self._next, None
        if task is not None:
            work(task, handle, self.evaluate or worker_evaluator())
        return []

    def abort(self) -> None:
        self.close()

    def close(self) -> None:
        if self.evaluate is None:
            close_worker_evaluator()


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

        # Workers are forks of a server that has imported the harness (bench.warm); they take
        # this process's environment of now, as workers started afresh would.
        return get_reusable_executor(max_workers=self.workers, reuse="auto", env=THREAD_ENV,
                                     context=pool_context(), initializer=_init_local_worker,
                                     initargs=(dict(os.environ, **THREAD_ENV), os.getpid()))

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


def _init_local_worker(environ: dict[str, str] | None = None, owner: int | None = None) -> None:
    """Prepare a loky worker while the owner is still planning: import what runs need (already
    done by a worker forked from the fork server) and start the evaluation child, a fork of this
    worker that inherits those imports. ``environ``: the owner's environment; ``owner``: its
    process, which the worker outlives by half a second at most."""
    import signal

    if environ is not None and os.environ != environ:
        os.environ.clear()
        os.environ.update(environ)

    from bench.lifetime import exit_with_parent

    exit_with_parent(owner)  # an owner killed with SIGKILL cannot stop its workers: they notice
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the owner's: it stops the workers
    try:
        import bench.problem  # noqa: F401  (scikit-learn: every problem needs it)
        from bench.catalogue import load_catalogue

        load_catalogue()  # the catalogue module, as the tasks' problems will need it
    except Exception:  # a bad catalogue is reported by the owner; warming up is optional
        pass
    worker_evaluator(fork=True).start()


def _nothing() -> None:
    """A first task, so that loky starts its workers at once."""


_CONNECTIONS: dict[str, Any] = {}


def _work_locally(task: Task, address: str, authkey: bytes) -> None:
    from multiprocessing.connection import Client

    conn = _CONNECTIONS.get(address)
    if conn is None:
        conn = _CONNECTIONS[address] = Client(address, "AF_UNIX", authkey=authkey)
    work(task, conn.send, worker_evaluator(fork=True))


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


