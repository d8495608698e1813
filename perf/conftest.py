"""Benchmarks of the harness itself (``make perf``). They report timings; none asserts one.

This folder goes on the evaluation children's PYTHONPATH, so that they can load the null
problem, and on this process's path for the same reason.
"""

import os
import sys
from pathlib import Path

import pytest

PERF = Path(__file__).resolve().parent
sys.path.insert(0, str(PERF))
os.environ["PYTHONPATH"] = os.pathsep.join(
    p for p in (str(PERF), os.environ.get("PYTHONPATH", "")) if p
)


@pytest.fixture(autouse=True)
def one_thread():
    """As in a worker: one BLAS/OpenMP thread, so that timings match what runs cost there."""
    from threadpoolctl import threadpool_limits

    with threadpool_limits(1):
        yield


def pytest_terminal_summary(terminalreporter):
    """Per-trial figures that the benchmark tables (per call) do not show directly."""
    from perf_notes import NOTES

    if NOTES:
        terminalreporter.section("harness overhead per trial (excluding evaluation and suggestion)")
        for line in NOTES:
            terminalreporter.write_line(line)
