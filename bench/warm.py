"""Start-up paid once: the processes that run and evaluate trials start as copies of a process
that has already imported the harness, scikit-learn and the catalogue.

Importing scikit-learn costs about a second and a half of CPU. A fresh interpreter per worker and
per evaluation child paid it again each time; instead:

- with one worker (``--jobs 1``, or a single run to do), the runs execute in the command's own
  process and the evaluation child is a fork of it (:func:`fork_safe` permitting);
- with several, loky's workers are forked from a fork server that has imported
  :mod:`bench.preload` (:func:`pool_context`), and each worker's evaluation child is a fork of
  the worker. The server can be started early (:func:`start_fork_server`), so that it imports
  while the command loads the catalogue and plans.

A process that has imported torch is never forked (torch's threads and state do not survive a
fork): the evaluation child is then a fresh interpreter, and the pool falls back to loky's own
start method. Dask workers are left as they are.
"""

from __future__ import annotations

import os
import sys

from bench.evaluator import THREAD_ENV, fork_safe

#: What the fork server imports before forking workers (see :mod:`bench.preload`).
PRELOAD = ["bench.preload"]


def fork_here() -> bool:
    """Whether this process may fork its evaluation child itself: :func:`fork_safe`, and no
    other thread (a lock another thread holds at the fork stays held in the copy). The command's
    own process has none when it starts its runs; a test process that has run Dask may."""
    import threading

    return fork_safe() and threading.active_count() == 1


def local_workers(jobs: int | None, runs: int | None = None) -> int:
    """Workers worth starting for ``runs`` runs on ``jobs`` cores (all cores by default): never
    more than there are runs."""
    jobs = jobs or os.cpu_count() or 1
    return max(1, min(jobs, runs)) if runs is not None else jobs


def pool_context():
    """The multiprocessing context for local workers: a fork server preloaded with the
    harness's imports (started now if it is not running), or None (loky's default, fresh
    interpreters) where forking is unsafe."""
    import multiprocessing

    if not fork_safe() or "forkserver" not in multiprocessing.get_all_start_methods():
        return None
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(PRELOAD)
    _ensure_fork_server()
    return context


def start_fork_server() -> None:
    """Start the fork server now, if local workers will use one: it imports in the background
    while this process goes on."""
    pool_context()


def _ensure_fork_server() -> None:
    # The server and every worker forked from it get one BLAS/OpenMP thread: set in the
    # environment it starts with, before it loads NumPy.
    from multiprocessing import forkserver

    saved = {name: os.environ.get(name) for name in THREAD_ENV}
    os.environ.update(THREAD_ENV)
    try:
        forkserver.ensure_running()
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def single_run(args) -> bool:
    """Whether ``run``'s arguments name at most one run without the catalogue's help: one
    problem, one strategy and one seed, each given explicitly (no pattern)."""
    names = [getattr(args, "problems", None), getattr(args, "strategies", None)]
    if getattr(args, "seeds", None) != 1 or not all(names):
        return False
    return all("," not in n and not any(c in n for c in "*?[") for n in names)
