"""Evaluating configurations where the harness can stop them.

A scikit-learn fit is C code that a signal cannot interrupt in-process, so evaluations run in a
child process (one per worker, reused from trial to trial). When a trial passes its time limit the
child is killed, the trial is recorded as a timeout, and a new child starts for the next trial.
The child pins BLAS and OpenMP to one thread so that parallel workers do not fight over cores and
scores do not depend on the thread count.

The time limit counts from the moment the child has the problem loaded: starting a child and
importing the model's libraries is not the trial's time (on a loaded machine it can take seconds).
The child never outlives its parent (a worker killed with SIGKILL leaves no evaluation running)
and ignores Ctrl-C, which is its parent's to handle: an interrupted run stops between trials and
never records a trial as failed because the user pressed Ctrl-C.

The child runs :func:`child_main`.
"""

from __future__ import annotations

import os
import pickle
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any, Protocol

from bench.space import Config

#: Environment of the child: one BLAS/OpenMP thread.
THREAD_ENV = {
    "OMP_NUM_THREADS": "1",
    "OPENBLAS_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "BLIS_NUM_THREADS": "1",
    "VECLIB_MAXIMUM_THREADS": "1",
    "NUMEXPR_NUM_THREADS": "1",
}

#: Modules that must not be imported in a process that is forked afterwards.
FORK_UNSAFE = ("torch",)


def fork_safe() -> bool:
    """Whether this process can be copied with ``os.fork``: POSIX, and nothing imported that
    does not survive a fork."""
    return hasattr(os, "fork") and not any(name in sys.modules for name in FORK_UNSAFE)


#: How long a child may take to start and load a problem (imports, data) before it is given up.
STARTUP_LIMIT = 600.0


@dataclass(frozen=True)
class Outcome:
    """The result of one evaluation as the runner sees it."""

    status: str  # ok | failed | timeout (and "ready", between the evaluator and its child)
    score: float | None = None
    score_std: float | None = None
    test_score: float | None = None
    seconds: float = 0.0  # wall seconds of the evaluation
    error: str = ""
    extras: dict | None = None  # named side metrics of the evaluation (modes covered, ...)
    #: CPU seconds of the evaluation on the process that evaluated it (``time.process_time``:
    #: hardly moved by what else the machine does, unlike ``seconds``); None when unknown (a
    #: trial stopped at its time limit: its process was killed before it could say)
    cpu_seconds: float | None = None


class Evaluator(Protocol):
    def __call__(self, problem: Any, params: Config, fidelity: float) -> Outcome: ...


def evaluate_here(problem: Any, params: Config, fidelity: float) -> Outcome:
    """Evaluate in this process (no time limit can be enforced), timed in wall and CPU seconds.

    This is where every trial is timed (the evaluation child runs it too) and where the cost
    curves are measured (:func:`bench.costcurve.measure_curve`), so that a trial's CPU seconds
    and the curve it is charged by count the same work.
    """
    from bench.problem import TrialFailed

    started, cpu_started = time.perf_counter(), time.process_time()

    def failed(error: str) -> Outcome:
        return Outcome("failed", seconds=time.perf_counter() - started, error=error,
                       cpu_seconds=time.process_time() - cpu_started)

    try:
        ev = problem.evaluate(params, fidelity)
    except TrialFailed as exc:
        return failed(str(exc))
    except Exception as exc:  # a problem written outside the catalogue may raise anything
        return failed(f"{type(exc).__name__}: {exc}")
    cpu_seconds, seconds = time.process_time() - cpu_started, time.perf_counter() - started
    extras = dict(ev.extras) if ev.extras else None
    return Outcome("ok", ev.score, ev.score_std, ev.test_score, seconds, extras=extras,
                   cpu_seconds=cpu_seconds)


class ChildEvaluator:
    """Evaluates in a reusable child process and enforces each problem's ``time_limit``.

    Parameters
    ----------
    fork : bool
        Start the child as a copy of this process (``os.fork``), which inherits what this
        process has imported: no interpreter start-up and no second import of scikit-learn,
        about two CPU seconds saved per child. Only for a single-threaded process such as a
        loky worker; by default the child is a fresh interpreter (``subprocess.Popen``), which is
        safe anywhere, Dask's daemonic, multi-threaded workers included.
    """

    def __init__(self, fork: bool = False) -> None:
        self.fork = fork and hasattr(os, "fork")
        self._proc: subprocess.Popen | _Forked | None = None
        self._send: Connection | None = None
        self._recv: Connection | None = None
        self._known: dict[str, Any] = {}  # problems the child holds, by id
        self._thread: int | None = None

    def __call__(self, problem: Any, params: Config, fidelity: float) -> Outcome:
        self._ensure_started()
        if self._known.get(problem.id) is not problem:
            failure = self._load(problem)
            if failure is not None:
                return failure
        self._send.send_bytes(pickle.dumps(("evaluate", problem.id, params, fidelity)))
        limit = problem.time_limit
        if not self._recv.poll(limit):
            self.close()
            return Outcome("timeout", seconds=float(limit),
                           error=f"stopped after its time limit of {limit:g} s")
        return self._receive()

    def _load(self, problem: Any) -> Outcome | None:
        """Send ``problem`` to the child and wait until it is ready to evaluate it."""
        import cloudpickle

        self._send.send_bytes(pickle.dumps(("problem", problem.id, cloudpickle.dumps(problem))))
        if not self._recv.poll(STARTUP_LIMIT):
            self.close()
            return Outcome("failed", error=f"the evaluation process could not load problem "
                           f"{problem.id!r} within {STARTUP_LIMIT:g} s")
        answer = self._receive()
        if answer.status != "ready":
            return answer
        self._known[problem.id] = problem
        return None

    def _receive(self) -> Outcome:
        try:
            return pickle.loads(self._recv.recv_bytes())
        except (EOFError, OSError):
            code = self._proc.wait() if self._proc else None
            self.close()
            return Outcome("failed", error=f"the evaluation process died (exit code {code})")

    def start(self) -> None:
        """Start the child now rather than at the first evaluation."""
        self._ensure_started()

    def _ensure_started(self) -> None:
        # The child dies with the thread that started it (see child_main), so another thread
        # (a Dask worker may run tasks on several) starts its own.
        same_thread = self._thread == threading.get_ident()
        if self._proc is not None and self._proc.poll() is None and same_thread:
            return
        self.close()
        self._thread = threading.get_ident()
        to_child_r, to_child_w = os.pipe()
        from_child_r, from_child_w = os.pipe()
        if self.fork and fork_safe():  # never a copy of a process that holds torch
            self._proc = _Forked.start(to_child_r, from_child_w)
        else:
            self._proc = subprocess.Popen(
                [sys.executable, "-c", "from bench.evaluator import child_main; child_main()",
                 str(to_child_r), str(from_child_w), str(os.getpid())],
                pass_fds=(to_child_r, from_child_w),
                env=dict(os.environ, **THREAD_ENV),
                stdin=subprocess.DEVNULL,
            )
        os.close(to_child_r)
        os.close(from_child_w)
        self._send = Connection(to_child_w, readable=False)
        self._recv = Connection(from_child_r, writable=False)
        self._known.clear()

    def close(self) -> None:
        for conn in (self._send, self._recv):
            if conn is not None:
                conn.close()
        self._send = self._recv = None
        if self._proc is not None:
            if self._proc.poll() is None:
                self._proc.kill()
            self._proc.wait()
            self._proc = None
        self._known.clear()

    def __del__(self):
        try:
            self.close()
        except Exception:
            pass


class _Forked:
    """A child made with ``os.fork``, handled like a :class:`subprocess.Popen`."""

    def __init__(self, pid: int):
        self.pid = pid
        self.returncode: int | None = None

    @classmethod
    def start(cls, recv_fd: int, send_fd: int) -> _Forked:
        parent = os.getpid()
        pid = os.fork()
        if pid:
            return cls(pid)
        try:  # the child: keep stdio and its two pipe ends, nothing of the parent's channels
            os.closerange(3, min(recv_fd, send_fd))
            os.closerange(min(recv_fd, send_fd) + 1, max(recv_fd, send_fd))
            os.closerange(max(recv_fd, send_fd) + 1, 65536)
            for name, value in THREAD_ENV.items():
                os.environ[name] = value
            _child(recv_fd, send_fd, parent)
        finally:
            os._exit(0)  # never return into the parent's code, nor run its exit handlers

    def poll(self) -> int | None:
        if self.returncode is None:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                self.returncode = os.waitstatus_to_exitcode(status)
        return self.returncode

    def wait(self) -> int:
        if self.returncode is None:
            _, status = os.waitpid(self.pid, 0)
            self.returncode = os.waitstatus_to_exitcode(status)
        return self.returncode

    def kill(self) -> None:
        if self.poll() is None:
            os.kill(self.pid, signal.SIGKILL)


def _serve(recv: Connection, send: Connection) -> None:
    """The child's loop: receive problems and configurations, send back outcomes."""
    from threadpoolctl import threadpool_limits

    threadpool_limits(1)
    problems: dict[str, Any] = {}
    while True:
        try:
            message = pickle.loads(recv.recv_bytes())
        except EOFError:
            return
        if message[0] == "problem":
            _, pid, blob = message
            send.send_bytes(pickle.dumps(_load_problem(problems, pid, blob)))
            continue
        _, pid, params, fidelity = message
        send.send_bytes(pickle.dumps(evaluate_here(problems[pid], params, fidelity)))


def _load_problem(problems: dict[str, Any], pid: str, blob: bytes) -> Outcome:
    """Unpickle a problem and load its data, so that its first trial is timed like the others."""
    import cloudpickle

    try:
        problem = cloudpickle.loads(blob)
        problem.prepare()
    except Exception as exc:
        return Outcome("failed", error=f"the evaluation process could not load problem {pid!r}: "
                       f"{type(exc).__name__}: {exc}")
    problems[pid] = problem
    return Outcome("ready")


def _die_with_parent(parent: int) -> None:
    """Never outlive the worker: a killed worker must not leave a fit running."""
    if sys.platform.startswith("linux"):
        import ctypes

        try:  # PR_SET_PDEATHSIG: the kernel kills us when the thread that started us ends
            ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)
        except (OSError, AttributeError):
            pass

    def watch() -> None:  # elsewhere, and as a fallback: notice being re-parented
        while True:
            time.sleep(1.0)
            if os.getppid() != parent:
                os._exit(1)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()
    if os.getppid() != parent:  # the parent died before we got here
        os._exit(1)


def child_main() -> None:
    """Entry point of a fresh child process: its pipes' descriptors and its parent's pid are
    its arguments."""
    _child(int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]))


def _child(recv_fd: int, send_fd: int, parent: int) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    _die_with_parent(parent)
    os.dup2(2, 1)  # whatever the model code prints goes to stderr, never into the protocol
    recv = Connection(recv_fd, writable=False)
    send = Connection(send_fd, readable=False)
    _serve(recv, send)
