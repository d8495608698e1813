"""Problems for the execution tests: runs long enough to be interrupted, and models that kill the
worker evaluating them (as the kernel's out-of-memory killer would)."""

import os
import signal
import time
from pathlib import Path

import numpy as np
from sklearn.linear_model import Ridge

from bench.problem import Dataset, Problem
from bench.space import Categorical, Real, Space

VERSION = "scale-1"
SUITES_DIR = Path(__file__).with_name("suites")


def _line():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(60, 3))
    return X, X @ np.array([1.0, -2.0, 0.5]) + rng.normal(scale=0.3, size=60)


LINE = Dataset("line", "regression", _line)
SPACE = Space([
    Real("alpha", 1e-3, 1e2, log=True),
    Categorical("fit_intercept", (True, False)),
])


class SleepyRidge(Ridge):
    """A ridge regression whose fit also sleeps ``delay`` seconds: runs that last a while."""

    def __init__(self, alpha=1.0, fit_intercept=True, delay=0.0):
        super().__init__(alpha=alpha, fit_intercept=fit_intercept)
        self.delay = delay

    def fit(self, X, y, sample_weight=None):
        time.sleep(self.delay)
        return super().fit(X, y, sample_weight)


class WorkerKillingRidge(Ridge):
    """Kills the worker that evaluates it (the evaluation child's parent) when ``alpha`` lies
    between ``above`` and ``below``: every time, or only the first time if ``marker`` names a file
    to create."""

    def __init__(self, alpha=1.0, fit_intercept=True, above=1.0, below=float("inf"), marker=""):
        super().__init__(alpha=alpha, fit_intercept=fit_intercept)
        self.above = above
        self.below = below
        self.marker = marker

    def fit(self, X, y, sample_weight=None):
        if (self.above < self.alpha < self.below
                and not (self.marker and os.path.exists(self.marker))):
            if self.marker:  # the time of the kill (a file's mtime can lag the clock by a tick)
                Path(self.marker).write_text(repr(time.time()))
            os.kill(os.getppid(), signal.SIGKILL)
            time.sleep(5)  # the child itself dies with its worker
        return super().fit(X, y, sample_weight)


def sleepy(name: str, delay: float) -> Problem:
    return Problem(name, LINE, SleepyRidge, SPACE, fixed={"delay": delay}, cv=2)


def killer(name: str, marker: str = "", above: float = 1.0,
           below: float = float("inf")) -> Problem:
    return Problem(name, LINE, WorkerKillingRidge, SPACE,
                   fixed={"above": above, "below": below, "marker": marker}, cv=2)


PROBLEMS = [sleepy("sleepy", 0.02), sleepy("sleepier", 0.04)]
