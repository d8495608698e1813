"""Shared fixtures. The tests' own catalogue (``tiny_catalogue``) must be importable by the
evaluation child processes too, so this folder goes on their PYTHONPATH."""

import contextlib
import io
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent
os.environ["PYTHONPATH"] = os.pathsep.join(
    p for p in (str(TESTS), os.environ.get("PYTHONPATH", "")) if p
)

# One BLAS, OpenMP and torch thread in every test process and in what it starts, as the harness
# gives each of its workers: `make test` runs two test processes on two cores, and OpenBLAS
# threads of one waiting on a core the other holds spin instead of working (the classic-grid
# test took 144 CPU seconds with two threads per process and 90 with one, for the same fits).
for _name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_name] = "1"
from threadpoolctl import threadpool_limits  # noqa: E402 (after the variables, for what loads later)

threadpool_limits(1)


def run_cli(*args, catalogue=None, check=None, timeout=600, cwd=None):
    """Drive the real command line in a separate process, as a user would."""
    env = dict(os.environ)
    if catalogue:
        env["SEARCHBENCH_CATALOGUE"] = catalogue
    else:
        env.pop("SEARCHBENCH_CATALOGUE", None)
    proc = subprocess.run(
        [sys.executable, "-m", "bench", *map(str, args)],
        capture_output=True, text=True, env=env, timeout=timeout, cwd=cwd or ROOT,
    )
    if check is not None:
        assert proc.returncode == check, f"exit {proc.returncode}\n{proc.stdout}\n{proc.stderr}"
    return proc


def deep_problems() -> frozenset[str]:
    """The built-in problems that need torch (``requires``): evaluating one imports it."""
    from bench.catalogue import load_catalogue

    return frozenset(pid for pid, problem in load_catalogue("bench.datasets").problems.items()
                     if "torch" in problem.requires)


def evaluates_torch(item, deep: frozenset[str]) -> bool:
    """Whether ``item`` imports torch into the test process: the deep problems' own tests, and a
    test parametrized with a deep problem or a strategy of the torch extra."""
    if item.module.__name__ == "test_deep":
        return True
    for value in getattr(getattr(item, "callspec", None), "params", {}).values():
        if getattr(value, "needs_extra", None) == "torch" or (isinstance(value, str)
                                                                and value in deep):
            return True
    return False


@pytest.hookimpl(tryfirst=True)  # before -m selects on the markers added here
def pytest_collection_modifyitems(config, items):
    """Mark the tests that import torch into the test process ``torch``: once torch is loaded
    the process is never forked again (bench.evaluator.fork_safe), so every later evaluation
    child would be a fresh interpreter; `make test` runs them in a phase of their own."""
    deep = deep_problems()
    for item in items:
        if evaluates_torch(item, deep):
            item.add_marker(pytest.mark.torch)


def computed_once(tmp_path_factory, key: str, compute):
    """``compute()``'s JSON-able value, computed by one test process of this session and read by
    the others: pytest-xdist gives each of its workers its own module fixtures, and the tests
    that read one may land on either worker. The first worker to ask computes the value under a
    file lock in the session's shared temporary folder; without xdist it is simply computed."""
    if not os.environ.get("PYTEST_XDIST_WORKER"):
        return compute()
    import fcntl
    import json

    shared = tmp_path_factory.getbasetemp().parent  # the session's, above each worker's own
    path = shared / f"{key}.json"
    with open(shared / f"{key}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if path.exists():
            return json.loads(path.read_text())
        value = compute()
        path.write_text(json.dumps(value))
        return value


@dataclass(frozen=True)
class Completed:
    """What a command did, as :func:`subprocess.run` tells it (the same three fields)."""

    returncode: int
    stdout: str
    stderr: str


def main_here(monkeypatch, *args, catalogue=None, check=None, cwd=None) -> Completed:
    """The command line's ``main()`` in this process, with what :func:`run_cli` gives the child
    (the catalogue variable, the working folder): for the logic of a command, which needs no
    fresh interpreter importing scikit-learn again. Its exit code is what ``main`` returns, or
    what argparse exits with."""
    from bench.cli import main

    if catalogue:
        monkeypatch.setenv("SEARCHBENCH_CATALOGUE", catalogue)
    else:
        monkeypatch.delenv("SEARCHBENCH_CATALOGUE", raising=False)
    monkeypatch.chdir(cwd or ROOT)
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main([str(a) for a in args])
        except SystemExit as exc:  # argparse's errors and --help
            code = exc.code if isinstance(exc.code, int) else 2
    proc = Completed(code, out.getvalue(), err.getvalue())
    if check is not None:
        assert proc.returncode == check, f"exit {proc.returncode}\n{proc.stdout}\n{proc.stderr}"
    return proc


@pytest.fixture
def cli_here(monkeypatch):
    """:func:`main_here` with this test's monkeypatch: what it sets is undone after the test."""

    def run(*args, **kwargs):
        return main_here(monkeypatch, *args, **kwargs)

    return run


@pytest.fixture(autouse=True, scope="session")
def remembered_facts(tmp_path_factory):
    """What commands remember between them (bench.memo) goes to a folder of this test session,
    shared by every command the tests start and never the user's own."""
    os.environ["SEARCHBENCH_CACHE"] = str(tmp_path_factory.mktemp("remembered"))


@pytest.fixture
def cli():
    return run_cli


@pytest.fixture
def tiny():
    from bench.catalogue import load_catalogue

    return load_catalogue("tiny_catalogue")


@pytest.fixture
def strategies_copy(tmp_path, monkeypatch):
    """A copy of strategies/ that the command line reads instead (SEARCHBENCH_STRATEGIES): files
    dropped into it never touch the repository."""
    folder = tmp_path / "strategies"
    shutil.copytree(ROOT / "strategies", folder, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setenv("SEARCHBENCH_STRATEGIES", str(folder))
    return folder
