"""Stores filled with made-up trials, for testing and timing the report without evaluating models.

Scores are drawn so that their meaning is known in advance: a trial of a strategy with skill
``k`` scores ``ref_random + (ref_best - ref_random) * (2u - 1)`` where ``u`` is the largest of
``1 + k`` uniform draws. With ``k = 0`` the median trial scores exactly ``ref_random`` (what a
random configuration scores, by the definition of the reference), and a larger ``k`` is
stochastically better.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone

import numpy as np

from bench.catalogue import Catalogue, Reference
from bench.plan import run_specs
from bench.records import RunOutcome, TrialRecord
from bench.strategy import StrategyInfo
from bench.suite import Suite


@dataclass(frozen=True)
class FakeProblem:
    """Just enough of a problem for the catalogue and the report: an id, a task, a metric."""

    id: str
    task: str = "classification"
    metric: str = "accuracy"
    requires: tuple[str, ...] = ()
    unavailable: str | None = None  # always runnable: it is never evaluated

    def to_dict(self) -> dict:
        return {"id": self.id, "task": self.task, "metric": self.metric}

    def data_digest(self) -> str:
        return ""  # no data: the report reads its trials from the store


@dataclass(frozen=True)
class Behaviour:
    """How a made-up strategy scores: its skill (a whole number), its suggestion time, whether
    it stops early and whether some of its trials fail."""

    skill: int = 0
    suggest_seconds: float = 1e-3
    exhausted_after: int | None = None
    fail_every: int | None = None  # every n-th trial fails (n > 0)


def strategy(name: str) -> StrategyInfo:
    """A made-up strategy's identity (it never runs: its trials are written directly)."""
    return StrategyInfo(name=name, origin=f"synthetic:{name}", library="synthetic",
                        library_version="0", source_hash=name[:10])


def catalogue(n_problems: int, with_references: int | None = None, saturated: Sequence[int] = (),
              version: str = "synthetic-1") -> Catalogue:
    """``n_problems`` problems ``p00``, ``p01``...; the first ``with_references`` (default all)
    have references, those in ``saturated`` have ``ref_best == ref_random``."""
    with_references = n_problems if with_references is None else with_references
    problems = [FakeProblem(f"p{i:02d}", metric="accuracy" if i % 3 else "r2")
                for i in range(n_problems)]
    refs = {}
    for i, p in enumerate(problems[:with_references]):
        low = 0.5 + 0.02 * i
        refs[p.id] = Reference(low, low if i in saturated else low + 0.3)
    return Catalogue.from_problems(problems, version=version, references=refs)


def fill(store, cat: Catalogue, suite: Suite, behaviours: Mapping[str, Behaviour],
         skip: Sequence[tuple[str, str, int]] = (), seed: int = 0) -> list[StrategyInfo]:
    """Write complete runs of every (problem, strategy, seed) of ``suite`` for the strategies
    of ``behaviours`` (except the (problem, strategy, seed) in ``skip``) into ``store``."""
    infos = [strategy(name) for name in behaviours]
    stamp = datetime(2026, 1, 1, tzinfo=timezone.utc).isoformat()
    for spec in run_specs(suite, cat, infos):
        if (spec.problem, spec.strategy, spec.seed) in skip:
            continue
        behaviour = behaviours[spec.strategy]
        rng = np.random.default_rng([seed, spec.strategy_seed])
        ref = cat.reference(spec.problem) or Reference(0.6, 0.9)
        span = (ref.ref_best - ref.ref_random) or 0.3
        n = min(suite.budget, behaviour.exhausted_after or suite.budget)
        u = rng.random((n, 1 + int(behaviour.skill))).max(axis=1)
        scores = ref.ref_random + span * (2 * u - 1)
        tests = scores - rng.uniform(0, 0.1 * span, n)
        store.start_run(spec)
        for t in range(n):
            failed = bool(behaviour.fail_every) and t % behaviour.fail_every == behaviour.fail_every - 1
            store.add_trial(TrialRecord(
                run_id=spec.run_id, trial=t, params={"x": float(u[t])}, fidelity=1.0, cost=1.0,
                score=None if failed else float(scores[t]), score_std=0.01,
                test_score=None if failed else float(tests[t]),
                eval_seconds=float(rng.uniform(0.01, 0.05)),
                suggest_seconds=behaviour.suggest_seconds * (1 + t / 10),
                status="failed" if failed else "ok", error="ValueError: made up" if failed else "",
                finished_at=stamp,
            ))
        store.finish_run(RunOutcome(spec.run_id, "complete", "", n, float(n)))
    return infos
