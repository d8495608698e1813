"""One run: the loop that asks a strategy, evaluates, tells, and spends the budget.

The harness owns the loop, the clock and the budget. A run is identified by its
:class:`RunSpec`; its trials stream out through ``emit`` as they finish, so the process that owns
the store commits each one at once. A run that was interrupted resumes by replaying its stored
trials into a fresh strategy (same seed, same answers), then carries on where it stopped: the
final trials equal those of a run that was never interrupted.
"""

from __future__ import annotations

import math
import time
import traceback
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from bench.costcurve import Curve, charge
from bench.evaluator import Evaluator, Outcome
from bench.records import COST_EPS, RunOutcome, RunSpec, TrialRecord, canonical, now
from bench.strategy import Strategy, StrategyInfo, Suggestion


class ReplayDiverged(RuntimeError):
    """A resumed strategy did not propose what it proposed before: the run must start over."""


def fallback_score(worst: float | None, ref_random: float | None) -> float:
    """The score that stands for a failed trial (:meth:`Strategy.tell_failure`): the worst score
    of the run so far, else ``ref_random``."""
    if worst is not None:
        return worst
    return ref_random if ref_random is not None else 0.0


def execute_run(
    spec: RunSpec,
    problem: Any,
    strategy: StrategyInfo,
    evaluate: Evaluator,
    emit: Callable[[TrialRecord], None],
    prior: Sequence[TrialRecord] = (),
    ref_random: float | None = None,
    cost_curve: Curve | None = None,
) -> RunOutcome:
    """Run ``strategy`` on ``problem`` until the budget is spent or the strategy is exhausted.

    ``prior`` holds the trials already stored for this run; they are replayed (told to the
    strategy without evaluating again) before anything new is evaluated. Raises
    :class:`ReplayDiverged` if the strategy proposes something else than before. A trial at
    fidelity f costs ``charge(f, cost_curve)``: the problem's frozen relative compute c(f)
    (:mod:`bench.costcurve`), or f without a curve.
    """
    where = f"strategy {spec.strategy!r} ({strategy.origin})"
    started = time.perf_counter()
    try:
        instance: Strategy = strategy.cls(
            problem.space, spec.budget, spec.strategy_seed, problem.fidelity.min_fraction
        )
    except Exception:
        return _failed(spec, where, "raised while starting", 0, 0.0)
    # Setting the strategy up (and importing its library) is the strategy's time too: it is
    # charged to the first trial this process records.
    setup_seconds = time.perf_counter() - started

    spent, worst, trial = 0.0, None, 0
    while True:
        started = time.perf_counter()
        try:
            suggestion = _as_suggestion(instance.ask())
        except Exception:
            return _failed(spec, where, "raised in ask()", trial, spent)
        asked = time.perf_counter() - started
        if suggestion is None:
            break
        problem_text = _check(problem, strategy, suggestion)
        if problem_text:
            return RunOutcome(
                spec.run_id, "failed", f"{where} proposed a configuration outside the space: "
                f"{problem_text}; proposed {suggestion.params!r}", trial, spent
            )
        cost = charge(suggestion.fidelity, cost_curve)
        if spent + cost > spec.budget + COST_EPS:
            break

        if trial < len(prior):
            record = prior[trial]
            if not record.same_suggestion(suggestion.params, suggestion.fidelity):
                raise ReplayDiverged(
                    f"{where} proposed {suggestion.params!r} at trial {trial} on resume, "
                    f"but {record.params!r} before"
                )
            outcome = Outcome(record.status, record.score, record.score_std, record.test_score,
                              record.eval_seconds, record.error, record.extras,
                              record.eval_cpu_seconds)
        else:
            outcome = evaluate(problem, suggestion.params, suggestion.fidelity)
            record = None

        started = time.perf_counter()
        try:
            # a failure is told as one (replayed trials too, from their stored status), with the
            # worst-score convention's value for strategies whose library has no failed state
            if outcome.status == "ok":
                worst = outcome.score if worst is None else min(worst, outcome.score)
                instance.tell(suggestion, outcome.score)
            else:
                instance.tell_failure(suggestion, fallback_score(worst, ref_random))
        except Exception:
            hook = "tell()" if outcome.status == "ok" else "tell_failure()"
            return _failed(spec, where, f"raised in {hook}", trial, spent)
        told_seconds = time.perf_counter() - started

        spent += cost
        if record is None:
            emit(TrialRecord(
                run_id=spec.run_id, trial=trial, params=suggestion.params,
                fidelity=suggestion.fidelity, cost=cost, score=outcome.score,
                score_std=outcome.score_std, test_score=outcome.test_score,
                eval_seconds=outcome.seconds, suggest_seconds=setup_seconds + asked + told_seconds,
                status=outcome.status, error=outcome.error, finished_at=now(),
                extras=outcome.extras, eval_cpu_seconds=outcome.cpu_seconds,
            ))
            setup_seconds = 0.0
        trial += 1
    return RunOutcome(spec.run_id, "complete", "", trial, spent)


def _as_suggestion(value: Any) -> Suggestion | None:
    """Accept a dict or a Suggestion; numpy scalars become plain Python values."""
    if value is None:
        return None
    if isinstance(value, dict):
        value = Suggestion(value)
    if isinstance(value, Suggestion):
        params = {k: v.item() if isinstance(v, np.generic) else v for k, v in value.params.items()}
        fidelity = value.fidelity.item() if isinstance(value.fidelity, np.generic) else value.fidelity
        return Suggestion(params, fidelity)
    raise TypeError(f"ask() must return a dict, a Suggestion or None, not {type(value).__name__}")


def _check(problem: Any, strategy: StrategyInfo, suggestion: Suggestion) -> str | None:
    """The rule a suggestion breaks (space or fidelity), or None."""
    problem_text = problem.space.violation(suggestion.params)
    if problem_text:
        return problem_text
    f = suggestion.fidelity
    if not isinstance(f, (int, float)) or not math.isfinite(f):
        return f"fidelity {f!r} is not a number"
    if not strategy.multi_fidelity and f != 1.0:
        return f"fidelity {f!r} from a strategy that is not multi-fidelity (must be 1.0)"
    if not (problem.fidelity.min_fraction - COST_EPS <= f <= 1.0):
        return f"fidelity {f!r} is outside [{problem.fidelity.min_fraction:g}, 1]"
    try:
        canonical(suggestion.params)
    except (TypeError, ValueError) as exc:
        return f"parameters cannot be stored as JSON ({exc})"
    return None


def _failed(spec: RunSpec, where: str, what: str, trial: int, spent: float) -> RunOutcome:
    return RunOutcome(
        spec.run_id, "failed", f"{where} {what}:\n{traceback.format_exc()}", trial, spent
    )

