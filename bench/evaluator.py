"""Evaluating configurations where the harness can stop them.

A scikit-learn fit is C code that a signal cannot interrupt in-process, so evaluations run in a
child process (one per worker, reused from trial to trial). When a trial passes its time limit the
child is killed, the trial is recorded as a timeout, and a new child starts for the next trial.
The child pins BLAS and OpenMP to one thread so that parallel workers do not fight over cores and
scores do not depend on the thread count.

The child runs :func:`child_main`.
"""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
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


#: Start-up and data loading of the child are given this long (they are not trial time).
SETUP_SECONDS = 300.0
ACK = b"ready"


@dataclass(frozen=True)
class Outcome:
    """The result of one evaluation as the runner sees it."""

    status: str  # ok | failed | timeout
    score: float | None = None
    score_std: float | None = None
    test_score: float | None = None
    seconds: float = 0.0
    error: str = ""


class Evaluator(Protocol):
    def __call__(self, problem: Any, params: Config, fidelity: float) -> Outcome: ...


def evaluate_here(problem: Any, params: Config, fidelity: float) -> Outcome:
    """Evaluate in this process (no time limit can be enforced)."""
    from bench.problem import TrialFailed

    started = time.perf_counter()
    try:
        ev = problem.evaluate(params, fidelity)
    except TrialFailed as exc:
        return Outcome("failed", seconds=time.perf_counter() - started, error=str(exc))
    except Exception as exc:  # a problem written outside the catalogue may raise anything
        error = f"{type(exc).__name__}: {exc}"
        return Outcome("failed", seconds=time.perf_counter() - started, error=error)
    return Outcome("ok", ev.score, ev.score_std, ev.test_score, time.perf_counter() - started)


class ChildEvaluator:
    """Evaluates in a reusable child process and enforces each problem's ``time_limit``."""

    def __init__(self) -> None:
        self._proc: subprocess.Popen | None = None
        self._send: Connection | None = None
        self._recv: Connection | None = None
        self._known: dict[str, Any] = {}  # problems the child holds, by id

    def __call__(self, problem: Any, params: Config, fidelity: float) -> Outcome:
        self._ensure_started()
        if self._known.get(problem.id) is not problem:
            import cloudpickle

            self._send.send_bytes(pickle.dumps(("problem", problem.id, cloudpickle.dumps(problem))))
            self._await_ack()  # the child has loaded the data: not part of any trial's time
            self._known[problem.id] = problem
        self._send.send_bytes(pickle.dumps(("evaluate", problem.id, params, fidelity)))
        limit = problem.time_limit
        if not self._recv.poll(limit):
            self.close()
            return Outcome("timeout", seconds=float(limit),
                           error=f"stopped after its time limit of {limit:g} s")
        try:
            return pickle.loads(self._recv.recv_bytes())
        except (EOFError, OSError):
            code = self._proc.wait() if self._proc else None
            self.close()
            return Outcome("failed", error=f"the evaluation process died (exit code {code})")

    def _ensure_started(self) -> None:
        if self._proc is not None and self._proc.poll() is None:
            return
        self.close()
        to_child_r, to_child_w = os.pipe()
        from_child_r, from_child_w = os.pipe()
        env = dict(os.environ, **THREAD_ENV)
        self._proc = subprocess.Popen(
            [sys.executable, "-c", "from bench.evaluator import child_main; child_main()",
             str(to_child_r), str(from_child_w)],
            pass_fds=(to_child_r, from_child_w),
            env=env,
            stdin=subprocess.DEVNULL,
        )
        os.close(to_child_r)
        os.close(from_child_w)
        self._send = Connection(to_child_w, readable=False)
        self._recv = Connection(from_child_r, writable=False)
        self._known.clear()
        self._await_ack()  # imports done: start-up never counts against a trial's time limit

    def _await_ack(self) -> None:
        if not self._recv.poll(SETUP_SECONDS) or self._recv.recv_bytes() != ACK:
            self.close()
            raise RuntimeError(f"the evaluation process did not get ready in {SETUP_SECONDS} s")

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


def _prepare(problem: Any) -> None:
    """Load the data and make the folds now, so that no trial's time limit pays for them."""
    try:
        problem.folds
    except Exception:
        pass  # a duck-typed problem without folds, or data that fails: the trial will say so


def _serve(recv: Connection, send: Connection) -> None:
    """The child's loop: receive problems and configurations, send back outcomes."""
    import cloudpickle
    from threadpoolctl import threadpool_limits

    threadpool_limits(1)
    import bench.problem  # noqa: F401  (scikit-learn and friends, before saying ready)

    send.send_bytes(ACK)
    problems: dict[str, Any] = {}
    while True:
        try:
            message = pickle.loads(recv.recv_bytes())
        except EOFError:
            return
        if message[0] == "problem":
            _, pid, blob = message
            problems[pid] = cloudpickle.loads(blob)
            _prepare(problems[pid])
            send.send_bytes(ACK)
            continue
        _, pid, params, fidelity = message
        send.send_bytes(pickle.dumps(evaluate_here(problems[pid], params, fidelity)))


def child_main() -> None:
    """Entry point of the child process; its pipes' descriptors are its arguments."""
    from bench.lifetime import exit_with_parent

    exit_with_parent()
    os.dup2(2, 1)  # whatever the model code prints goes to stderr, never into the protocol
    recv = Connection(int(sys.argv[1]), writable=False)
    send = Connection(int(sys.argv[2]), readable=False)
    _serve(recv, send)
