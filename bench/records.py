"""The records that cross module boundaries: runs, trials, outcomes, tasks, events.

Data only: nothing here runs, evaluates or stores anything, so that the store, planning, the
estimate, the references and the report can share these types without importing execution code.
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Protocol, Union

from bench.space import Config, Space

if TYPE_CHECKING:
    from bench.strategy import StrategyInfo

#: Slack for comparing cumulated fractional costs with the budget.
COST_EPS = 1e-9


class RunnableProblem(Protocol):
    """What execution uses of a problem (:class:`bench.problem.Problem` is one)."""

    id: str
    space: Space
    fidelity: Any  # its ``min_fraction`` is the lowest fidelity a strategy may ask for
    time_limit: float
    requires: tuple[str, ...]  # distributions whose versions can change its scores

    def prepare(self) -> None:
        """Load the data and compute the splits, once, before the first evaluation."""

    def evaluate(self, config: Config, fidelity: float = 1.0) -> Any:
        """Score ``config`` (a :class:`bench.problem.Evaluation`)."""


class CataloguedProblem(Protocol):
    """What the catalogue and the report use of a problem."""

    id: str
    requires: tuple[str, ...]  # distributions whose versions can change its scores

    def to_dict(self) -> dict:
        """Everything that defines the problem, JSON-ready (with its ``metric``)."""

    def data_digest(self) -> str:
        """A hash of the problem's data."""

    @property
    def unavailable(self) -> str | None:
        """Why it cannot run on this installation (a missing extra), or None."""


@dataclass(frozen=True)
class RunSpec:
    """What identifies a run (and nothing else: a run does not know which suite asked for it).

    ``terms`` is :func:`run_terms` of the cost curve the run is charged by (multi-fidelity
    strategies only: the others are charged 1 per trial) and the ``ref_random`` its failed
    trials are told (:func:`problem_terms`): both change what a run does, so a refreshed
    reference or curve makes other runs, and stored or committed runs made under the old ones
    are never taken for them. Empty for a run charged its nominal fidelity and told no reference (a reference run):
    such runs keep the ids they had before ``terms`` existed.
    """

    problem: str
    strategy: str
    strategy_version: str
    seed: int
    budget: int
    fingerprint: str
    terms: str = ""

    @property
    def run_id(self) -> str:
        fields = asdict(self)
        if not fields["terms"]:
            del fields["terms"]
        key = json.dumps(fields, sort_keys=True).encode()
        return hashlib.sha256(key).hexdigest()[:20]

    @property
    def strategy_seed(self) -> int:
        return strategy_seed(self.problem, self.strategy, self.seed)


def strategy_seed(problem: str, strategy: str, seed: int) -> int:
    """The seed a strategy gets: derived from (problem, strategy, seed), never from the suite."""
    digest = hashlib.sha256(f"{problem}\x1f{strategy}\x1f{seed}".encode()).digest()
    return int.from_bytes(digest[:4], "little") & 0x7FFFFFFF


def run_terms(ref_random: float | None, cost_curve: Sequence | None) -> str:
    """A digest of what a run is charged by (its problem's cost curve c(f)) and told on a
    failed trial (its ``ref_random``): the :attr:`RunSpec.terms` of runs made under them; empty
    when there are neither (a trial then costs f and a failure is told 0)."""
    if ref_random is None and not cost_curve:
        return ""
    curve = [[float(f), float(c)] for f, c in cost_curve] if cost_curve else None
    text = json.dumps({"cost_curve": curve,
                       "ref_random": None if ref_random is None else float(ref_random)},
                      sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def problem_terms(catalogue: Any, problem: str, multi_fidelity: bool = True) -> str:
    """:func:`run_terms` of a run on ``problem`` under its current reference in ``catalogue`` (a
    :class:`bench.catalogue.Catalogue`): its ref_random and, for a multi-fidelity strategy, its
    cost curve (a strategy that asks only for full evaluations is charged 1 per trial whatever
    the curve, so a refreshed curve leaves its runs as they are)."""
    ref = catalogue.reference(problem)
    if ref is None:
        return ""
    return run_terms(ref.ref_random, ref.cost_curve if multi_fidelity else None)


def canonical(params: Config) -> str:
    return json.dumps(params, sort_keys=True, allow_nan=False)


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds")


@dataclass(frozen=True)
class TrialRecord:
    """One evaluated configuration of one run, as the store keeps it."""

    run_id: str
    trial: int
    params: Config
    fidelity: float
    cost: float
    score: float | None
    score_std: float | None
    test_score: float | None
    eval_seconds: float  # wall seconds of the evaluation
    suggest_seconds: float
    status: str  # ok | failed | timeout
    error: str
    finished_at: str
    extras: dict | None = None  # named side metrics of the evaluation, if the problem gives any
    #: CPU seconds of the evaluation on the process that evaluated it, what cost curves are
    #: measured in; None when unknown (a timeout, or a trial stored before they were recorded)
    eval_cpu_seconds: float | None = None

    def same_suggestion(self, params: Config, fidelity: float) -> bool:
        return canonical(self.params) == canonical(params) and math.isclose(
            self.fidelity, fidelity, rel_tol=0, abs_tol=1e-12
        )


@dataclass(frozen=True)
class RunOutcome:
    """How a run ended: ``complete`` (budget spent or strategy exhausted) or ``failed``."""

    run_id: str
    status: str
    error: str = ""
    n_trials: int = 0
    cost: float = 0.0


@dataclass(frozen=True)
class Task:
    """A run to execute, with all a worker needs (and nothing it would have to look up)."""

    spec: RunSpec
    problem: RunnableProblem
    strategy: StrategyInfo
    prior: tuple[TrialRecord, ...] = ()
    ref_random: float | None = None
    cost_curve: tuple | None = None  # the problem's frozen c(f), which the runner charges
    problem_digest: str = ""  # the catalogue's hash of the problem: workers share equal problems
    environment: tuple[tuple[str, str], ...] = ()  # the owner's versions that make the scores

    @property
    def remaining(self) -> float:
        return max(0.0, self.spec.budget - sum(r.cost for r in self.prior))


@dataclass
class Summary:
    """What an execution did."""

    executed: int = 0
    completed: int = 0
    trials: int = 0
    failed: list[tuple[RunSpec, str]] = field(default_factory=list)
    seconds: float = 0.0
    retried: int = 0  # runs started again after their worker died
    diverged: int = 0  # resumed runs whose strategy proposed otherwise than before: rerun


# -- events: what a worker tells the owner while it runs -------------------------------------
@dataclass(frozen=True)
class Started:
    """A worker began a run."""

    run_id: str
    pid: int


@dataclass(frozen=True)
class TrialDone:
    """A trial of a run finished."""

    record: TrialRecord

    @property
    def run_id(self) -> str:
        return self.record.run_id


@dataclass(frozen=True)
class Diverged:
    """A resumed run's strategy proposed otherwise than its stored trials: they are dropped and
    the run starts over."""

    run_id: str
    reason: str


@dataclass(frozen=True)
class Finished:
    """A run ended (complete or failed)."""

    outcome: RunOutcome

    @property
    def run_id(self) -> str:
        return self.outcome.run_id


Event = Union[Started, TrialDone, Diverged, Finished]
