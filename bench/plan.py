"""From a suite to the runs it needs, and which of them the store already holds."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from bench.catalogue import Catalogue
from bench.costs import cost_model
from bench.environment import Versions, run_versions
from bench.errors import BadInput
from bench.records import Plan, RunSpec, Task, TrialRecord, problem_terms, run_terms
from bench.store import Store
from bench.strategy import StrategyInfo
from bench.suite import Suite, resolve
from bench.variants import select


def select_strategies(
    patterns: Sequence[str] | None, discovered: Mapping[str, StrategyInfo]
) -> list[StrategyInfo]:
    """The strategies to run: names, glob patterns and variants (``name[key=value]``), or every
    available one when ``patterns`` is None (see :func:`bench.variants.select`)."""
    from bench.registry import parametrized

    return select(patterns, discovered, parametrized())


def suite_problems(suite: Suite, catalogue: Catalogue) -> list[str]:
    """The suite's problem ids. A problem that cannot run here (its extra is not installed) is
    bad input when named exactly, and left out when only a glob pattern matches it."""
    chosen = resolve(suite.problems, catalogue.problems, "problem")
    kept = []
    for pid in chosen:
        reason = catalogue.problems[pid].unavailable
        if reason and pid in suite.problems:
            raise BadInput(f"problem {pid!r} cannot be used: {reason}")
        if not reason:
            kept.append(pid)
    if not kept:
        reasons = {catalogue.problems[p].unavailable for p in chosen}
        raise BadInput(f"no problem of {', '.join(suite.problems)} can be used: "
                       f"{'; '.join(sorted(reasons))}")
    return kept


def run_specs(suite: Suite, catalogue: Catalogue, strategies: Sequence[StrategyInfo]) -> list[RunSpec]:
    """Every run the suite asks for, problem-major, under the terms (cost curve, ref_random) of
    the problem's current reference."""
    return [
        RunSpec(problem=pid, strategy=s.name, strategy_version=s.version, seed=seed,
                budget=suite.budget, fingerprint=catalogue.fingerprint,
                terms=problem_terms(catalogue, pid, s.multi_fidelity))
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
    memo: dict = {}

    def versions(spec: RunSpec):
        info, requires = by_name[spec.strategy], catalogue.problems[spec.problem].requires
        key = (info.packages, tuple(requires))
        if key not in memo:
            memo[key] = run_versions(info.packages, requires)
        return memo[key]

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
        plan.todo.append(make_task(spec, catalogue, by_name[spec.strategy], prior,
                                   reference.ref_random if reference else None, versions(spec),
                                   reference.cost_curve if reference else None))
    if store is not None:  # a store never mixes runs made under other versions
        store.check_versions({s.run_id: versions(s) for s in [*plan.done, *(t.spec for t in plan.todo)]})
    if plan.todo:
        plan.costs = cost_model(catalogue, store)
    return plan


def make_task(spec: RunSpec, catalogue: Catalogue, strategy: StrategyInfo,
              prior: tuple[TrialRecord, ...] = (), ref_random: float | None = None,
              versions: Versions | None = None, cost_curve: tuple | None = None) -> Task:
    """A run with all a worker needs, and the versions it must run under."""
    if versions is None:
        versions = run_versions(strategy.packages, catalogue.problems[spec.problem].requires)
    charged_by = cost_curve if strategy.multi_fidelity else None
    if spec.terms != run_terms(ref_random, charged_by):  # the key must say what is charged
        raise ValueError(f"run {spec.run_id} of {spec.problem} is keyed for other terms than "
                         "the cost curve and ref_random it is given")
    return Task(spec=spec, problem=catalogue.problems[spec.problem], strategy=strategy,
                prior=prior, ref_random=ref_random, cost_curve=cost_curve,
                problem_digest=catalogue.problem_digests[spec.problem], environment=versions)
