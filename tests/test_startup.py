"""Start-up paid once (bench.warm): evaluation children and local workers are forks of processes
that hold the harness's imports, never of one that holds torch; a run imports only the libraries
of the strategies it runs."""

import os
import subprocess
import sys
import types

import pytest

from bench import warm
from bench.evaluator import ChildEvaluator
from conftest import ROOT

#: Libraries of strategies other than random search (and torch, which a fork must never carry).
OTHER_LIBRARIES = ("optuna", "skopt", "smac", "nevergrad", "hyperopt", "ConfigSpace", "torch",
                   "botorch")


def cmdline(pid: int) -> list[str]:
    with open(f"/proc/{pid}/cmdline", "rb") as f:
        return f.read().decode().split("\0")


linux = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")


def ran_in_a_process_without_torch(test: str) -> bool:
    """Run ``test`` in a new pytest process when an earlier test of this session imported torch:
    the harness rightly never forks a process that holds it, so the fork paths can only be
    checked where it is absent. True when it ran there (and passed)."""
    if "torch" not in sys.modules:
        return False
    done = subprocess.run([sys.executable, "-m", "pytest", f"{__file__}::{test}", "-q",
                           "-p", "no:cacheprovider"], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert "1 passed" in done.stdout
    return True


@pytest.mark.serial
@linux
def test_a_forked_child_evaluates_with_this_process_s_imports_and_keeps_its_time_limit(tiny):
    if ran_in_a_process_without_torch(
            "test_a_forked_child_evaluates_with_this_process_s_imports_and_keeps_its_time_limit"):
        return
    child = ChildEvaluator(fork=True)
    try:
        fast = child(tiny.problems["slow-line"], {"alpha": 0.5}, 1.0)
        pid = child._proc.pid
        # a copy of this process, not a new interpreter started for the child
        assert cmdline(pid) == cmdline(os.getpid())
        slow = child(tiny.problems["slow-line"], {"alpha": 2.5}, 1.0)
        again = child(tiny.problems["slow-line"], {"alpha": 0.5}, 1.0)
    finally:
        child.close()
    assert fast.status == "ok" and fast.score > 0.9
    assert slow.status == "timeout" and "time limit of 1 s" in slow.error
    assert again.status == "ok" and again.score == fast.score


@linux
def test_a_process_holding_torch_is_never_forked(tiny, monkeypatch):
    monkeypatch.setitem(sys.modules, "torch", types.ModuleType("torch"))
    assert not warm.fork_safe()
    assert warm.pool_context() is None
    child = ChildEvaluator(fork=True)
    try:
        outcome = child(tiny.problems["ridge-line"], {"alpha": 0.5}, 1.0)
        pid = child._proc.pid
        assert "child_main" in " ".join(cmdline(pid))  # a fresh interpreter
    finally:
        child.close()
    assert outcome.status == "ok"


def test_workers_are_sized_to_the_runs():
    assert warm.local_workers(4, runs=1) == 1
    assert warm.local_workers(4, runs=3) == 3
    assert warm.local_workers(2, runs=10) == 2
    assert warm.local_workers(None, runs=None) == (os.cpu_count() or 1)


@pytest.mark.parametrize("given, single", [
    (dict(problems="knn-wine", strategies="random", seeds=1), True),
    (dict(problems="knn-wine", strategies="random", seeds=2), False),
    (dict(problems="knn-*", strategies="random", seeds=1), False),
    (dict(problems="knn-wine,tree-wine", strategies="random", seeds=1), False),
    (dict(problems="knn-wine", strategies=None, seeds=1), False),
])
def test_a_single_run_is_recognised_without_the_catalogue(given, single):
    assert warm.single_run(types.SimpleNamespace(**given)) is single


RUN_AND_LIST_MODULES = """
import sys
from bench.cli import main
code = main(sys.argv[1:])
print(",".join(sorted(name for name in {libraries!r} if name in sys.modules)))
sys.exit(code)
"""


def test_a_run_of_one_strategy_imports_no_other_strategy_library(tmp_path):
    env = dict(os.environ, SEARCHBENCH_CATALOGUE="tiny_catalogue")
    code = RUN_AND_LIST_MODULES.format(libraries=OTHER_LIBRARIES)
    proc = subprocess.run(
        [sys.executable, "-c", code, "run", "tiny", "--strategies", "random", "--problems",
         "ridge-line", "--seeds", "1", "--budget", "2", "--store", str(tmp_path / "s.sqlite"),
         "--no-progress"], capture_output=True, text=True, env=env, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == ""


ONE_WORKER = """
import os, sys
from bench.backends import SerialBackend, make_backend
from bench.worker import worker_evaluator

backend = make_backend(4, runs=1)
child = worker_evaluator()._proc.pid
same = open(f"/proc/{child}/cmdline").read() == open(f"/proc/{os.getpid()}/cmdline").read()
print(type(backend).__name__, same)
backend.close()
"""


@linux
def test_one_run_executes_here_and_its_evaluation_child_is_a_fork_of_this_process():
    env = dict(os.environ, SEARCHBENCH_CATALOGUE="tiny_catalogue")
    out = subprocess.run([sys.executable, "-c", ONE_WORKER], capture_output=True, text=True,
                         env=env, cwd=ROOT, check=True).stdout.split()
    assert out == ["SerialBackend", "True"]


@linux
def test_local_workers_are_forks_of_the_preloaded_fork_server(tiny):
    if ran_in_a_process_without_torch("test_local_workers_are_forks_of_the_preloaded_fork_server"):
        return
    from bench.backends import LokyBackend

    backend = LokyBackend(2)
    try:
        parent = backend._executor.submit(os.getppid).result(timeout=300)
        server = " ".join(cmdline(parent))
    finally:
        backend.close()
    assert parent != os.getpid()  # not started by this process, as fresh workers would be
    assert "forkserver" in server
