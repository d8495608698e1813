"""The suggest-time probe: what a strategy costs to ask and tell, away from any evaluation.

Used by the dry run's estimate (for strategies the store has no trial of) and by
``perf/suggest_seconds.py``. The strategy runs on one BLAS thread, as in a worker, and is told
made-up scores, so that only its own work is timed.
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from bench.records import COST_EPS
from bench.space import Space
from bench.strategy import Strategy, Suggestion


@dataclass(frozen=True)
class Probe:
    seconds: float  # in ask and tell
    setup: float  # making the strategy (and importing what it imports first)
    trials: int


def probe(cls: type[Strategy], space: Space, budget: int, seed: int = 0,
          min_fidelity: float = 1.0, score: Callable[[Suggestion], float] | None = None,
          clock: Callable[[], float] = time.process_time) -> Probe:
    """Run ``cls`` for one run of ``budget`` evaluations, telling it ``score(suggestion)``
    (uniform random numbers by default), and time it with ``clock`` (CPU time by default, so
    that other load on the machine does not count)."""
    from threadpoolctl import threadpool_limits

    rng = np.random.default_rng(seed)
    score = score or (lambda _: float(rng.random()))
    seconds, spent, trials = 0.0, 0.0, 0
    # made-up scores make some libraries warn (empty means, flat surrogates): not the user's concern
    with threadpool_limits(1), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        started = clock()
        strategy = cls(space, budget, seed, min_fidelity)
        setup = clock() - started
        while True:
            started = clock()
            suggestion = strategy.ask()
            seconds += clock() - started
            if suggestion is None:
                break
            if isinstance(suggestion, dict):
                suggestion = Suggestion(suggestion)
            if spent + suggestion.fidelity > budget + COST_EPS:
                break
            value = score(suggestion)
            started = clock()
            strategy.tell(suggestion, value)
            seconds += clock() - started
            spent += suggestion.fidelity
            trials += 1
    return Probe(seconds, setup, trials)
