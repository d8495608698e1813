"""From a suite to the runs it needs, and which of them the store already holds.

A :class:`Plan` is a planner's output: the runs split by what the store has, with the cost model
that orders and learns while they execute (:func:`cost_model`). Both live here, above the
catalogue, the store and the cost model they are made from, so that the data-only records and
the low-level cost model never need to know of either."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from bench.catalogue import Catalogue
from bench.costs import CostModel
from bench.environment import Versions, run_versions
from bench.errors import BadInput
from bench.records import RunSpec, Task, TrialRecord, problem_terms, run_terms
from bench.store import Store
from bench.strategy import StrategyInfo
from bench.suite import Suite, resolve
from bench.variants import select


@dataclass
class Plan:
    """The runs a command asks for, split by what the store already has."""

    specs: list[RunSpec]
    todo: list[Task] = field(default_factory=list)
    done: list[RunSpec] = field(default_factory=list)
    failed: list[RunSpec] = field(default_factory=list)  # failed before, not retried
    costs: CostModel | None = None

    @property
    def resumed(self) -> int:
        return sum(1 for t in self.todo if t.prior)


def cost_model(catalogue: Catalogue, store: Store | None) -> CostModel:
    """What runs are expected to cost before any of them starts: the store's own measurements
    on this machine first, else the catalogue's reference seconds per evaluation."""
    evals = {pid: ref.eval_seconds for pid in catalogue.problems
             if (ref := catalogue.reference(pid)) is not None and ref.eval_seconds}
    suggests: dict[str, float] = {}
    if store is not None:
        measured_evals, suggests = store.timings()
        evals.update(measured_evals)
    return CostModel(evals, suggests)


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


def run_specs(suite: Suite, catalogue: Catalogue, strategies: Sequence[StrategyInfo],
              problems: Sequence[str] | None = None) -> list[RunSpec]:
    """Every run the suite asks for, problem-major, under the terms (cost curve, ref_random) of
    the problem's current reference; ``problems``: the suite's problems
    (:func:`suite_problems`), if already resolved."""
    return [
        RunSpec(problem=pid, strategy=s.name, strategy_version=s.version, seed=seed,
                budget=suite.budget, fingerprint=catalogue.run_fingerprint(pid),
                terms=problem_terms(catalogue, pid, s.multi_fidelity))
        for pid in (suite_problems(suite, catalogue) if problems is None else problems)
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
