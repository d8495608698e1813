"""Each discovered strategy's cost per suggestion (one ask and its tell) once it has seen 10, 50
and 100 observations, on a small mixed space (log-scaled reals, a categorical, a conditional
integer). Strategies are discovered, so one dropped into ``strategies/`` is measured too.
Timings are reported, never asserted."""

from __future__ import annotations

import os

import pytest

from bench.registry import discover
from bench.runner import _as_suggestion
from null_problem import SPACE, objective

#: Levels measured; SEARCHBENCH_PERF_OBSERVATIONS="10" gives a quicker look.
OBSERVATIONS = tuple(int(n) for n in os.environ.get("SEARCHBENCH_PERF_OBSERVATIONS", "10,50,100")
                     .split(","))
BUDGET = 200  # above every level measured, so that no strategy stops for lack of budget
ROUNDS = 5  # suggestions timed per level; the state drifts by as many observations

AVAILABLE = [info for info in discover().values() if info.available]
_STATE: dict[str, tuple] = {}  # strategy name -> (instance, observations told)


def advance(info, upto: int):
    """The strategy's instance, told ``upto`` observations (kept from one level to the next)."""
    instance, told = _STATE.get(info.name, (None, 0))
    if instance is None:
        instance = info.cls(SPACE, BUDGET, 0, 0.1)
    while told < upto:
        if not step(instance):
            break
        told += 1
    _STATE[info.name] = (instance, told)
    return instance, told


def step(instance) -> bool:
    suggestion = _as_suggestion(instance.ask())
    if suggestion is None:
        return False
    instance.tell(suggestion, objective(suggestion.params))
    return True


@pytest.mark.parametrize("observations", OBSERVATIONS)
@pytest.mark.parametrize("info", AVAILABLE, ids=[i.name for i in AVAILABLE])
def test_ask_and_tell(benchmark, info, observations):
    benchmark.group = f"ask + tell after {observations} observations"
    benchmark.extra_info["library"] = f"{info.library} {info.library_version}"
    instance, told = advance(info, observations)
    if told < observations:
        pytest.skip(f"{info.name} is exhausted after {told} suggestions on this space")
    done = []
    benchmark.pedantic(lambda: done.append(step(instance)), rounds=ROUNDS, iterations=1)
    _STATE[info.name] = (instance, told + sum(done))
    if not all(done):
        pytest.skip(f"{info.name} ran out of suggestions while being timed")
