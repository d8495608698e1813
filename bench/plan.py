"""From a suite to the runs it needs, and which of them the store already holds."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from bench.catalogue import Catalogue
from bench.errors import BadInput
from bench.execute import CostModel, Plan, Task, environment
from bench.runner import RunSpec
from bench.store import Store
from bench.strategy import StrategyInfo
from bench.suite import Suite, resolve


def select_strategies(
    patterns: Sequence[str] | None, discovered: Mapping[str, StrategyInfo]
) -> list[StrategyInfo]:
    """The strategies to run: every available one when ``patterns`` is None.

    A strategy named exactly that cannot load is bad input; one only matched by a glob pattern
    is left out (it is listed, with its reason, by ``searchbench list strategies``).
    """
    if patterns is None:
        return [info for info in discovered.values() if info.available]
    chosen = resolve(patterns, discovered, "strategy")
    for name in chosen:
        info = discovered[name]
        if not info.available and name in patterns:
            raise BadInput(f"strategy {name!r} cannot be used: {info.reason} ({info.origin})")
    picked = [discovered[n] for n in chosen if discovered[n].available]
    if not picked:
        raise BadInput(f"no available strategy matches {', '.join(patterns)}")
    return picked


def suite_problems(suite: Suite, catalogue: Catalogue) -> list[str]:
    return resolve(suite.problems, catalogue.problems, "problem")


def run_specs(suite: Suite, catalogue: Catalogue, strategies: Sequence[StrategyInfo]) -> list[RunSpec]:
    """Every run the suite asks for, problem-major."""
    return [
        RunSpec(problem=pid, strategy=s.name, strategy_version=s.version, seed=seed,
                budget=suite.budget, fingerprint=catalogue.fingerprint)
        for pid in suite_problems(suite, catalogue)
        for s in strategies
        for seed in range(suite.seeds)
    ]


def build_plan(
    suite: Suite,
    catalogue: Catalogue,
    strategies: Sequence[StrategyInfo],
    store: Store | None,
    retry_failed: bool = False,
) -> Plan:
    """Split the suite's runs into done, failed (left alone) and to do (new or resumed)."""
    specs = run_specs(suite, catalogue, strategies)
    status = store.run_status(s.run_id for s in specs) if store is not None else {}
    by_name = {s.name: s for s in strategies}
    here = environment()
    plan = Plan(specs=specs)
    for spec in specs:
        state = status.get(spec.run_id)
        if state == "complete":
            plan.done.append(spec)
            continue
        if state == "failed" and not retry_failed:
            plan.failed.append(spec)
            continue
        prior = tuple(store.trials(spec.run_id)) if state is not None else ()
        reference = catalogue.reference(spec.problem)
        plan.todo.append(Task(
            spec=spec,
            problem=catalogue.problems[spec.problem],
            strategy=by_name[spec.strategy],
            prior=prior,
            ref_random=reference.ref_random if reference else None,
            cost_curve=reference.cost_curve if reference else None,
            expected_seconds=_expected_seconds(catalogue, spec),
            problem_digest=catalogue.problem_digests[spec.problem],
            environment=here,
        ))
    if plan.todo:
        plan.costs = cost_model(catalogue, store)
    return plan


def cost_model(catalogue: Catalogue, store: Store | None) -> CostModel:
    """What runs are expected to cost before any of them starts: the store's own measurements
    on this machine first, else the catalogue's reference seconds per evaluation."""
    evals = {pid: ref.eval_seconds for pid, ref in catalogue.references.items() if ref.eval_seconds}
    suggests: dict[str, float] = {}
    if store is not None:
        measured_evals, suggests = store.timings()
        evals.update(measured_evals)
    return CostModel(evals, suggests)


def _expected_seconds(catalogue: Catalogue, spec: RunSpec) -> float:
    reference = catalogue.reference(spec.problem)
    per_eval = reference.eval_seconds if reference and reference.eval_seconds else 1.0
    return per_eval * spec.budget
