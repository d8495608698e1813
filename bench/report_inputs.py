"""What a report is made of: the data read once from the store and the statistics computed once
from it (:class:`Report`), and the digest of its inputs that tells whether a written report is
still up to date.

A report is one pass: :func:`plan_report` asks the planner for the suite's runs once,
:func:`inputs_digest` and :func:`collect` take them from there, and every writer (tables,
figures, page, README, manifest) reads the :class:`Report` and computes nothing again."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import pandas as pd

from bench import analysis
from bench.leaderboard import Leaderboard, equal_time_leaderboard, leaderboard
from bench.catalogue import Catalogue
from bench.environment import distribution_version
from bench.plan import run_specs, suite_problems
from bench.report_curves import Curves, compute_curves
from bench.records import RunSpec
from bench.store import Store
from bench.strategy import StrategyInfo
from bench.suite import Suite

#: Libraries whose versions can change a report's numbers or figures.
REPORT_LIBRARIES = ("numpy", "pandas", "scipy", "scikit-posthocs", "statsmodels", "matplotlib",
                    "seaborn", "pyarrow", "tabulate", "plotly")


@dataclass(frozen=True)
class Report:
    """What a report is made of, computed once from the store."""

    suite: Suite
    catalogue: Catalogue
    strategies: Sequence[StrategyInfo]
    specs: list[RunSpec]
    status: dict[str, str]
    errors: dict[str, str]
    trials: pd.DataFrame
    curve: pd.DataFrame
    runs: pd.DataFrame
    board: Leaderboard
    refs: pd.DataFrame
    diverged: dict[str, int]  # run id -> times it was started over (replay diverged)
    curves: Curves | None = None  # None before any complete run
    #: the runs cut at random search's seconds (``analysis.EQUAL_TIME_COLUMNS``) and their
    #: leaderboard: the equal-time view beside the leaderboard at equal evaluations
    runs_time: pd.DataFrame | None = None
    board_time: Leaderboard | None = None

    @property
    def problems(self) -> list[str]:
        return list(dict.fromkeys(s.problem for s in self.specs))

    @property
    def order(self) -> list[str]:
        """Strategies in leaderboard order, then those without a complete run."""
        ranked = list(self.board.table["strategy"])
        return ranked + [s.name for s in self.strategies if s.name not in ranked]

    @property
    def drawn(self) -> list[str]:
        """Strategies with a complete run, in leaderboard order: those the figures show."""
        present = set(self.runs["strategy"])
        return [s for s in self.order if s in present]

    def metric(self, problem: str) -> str:
        return self.catalogue.metric(problem)



@dataclass(frozen=True)
class Figure:
    """A figure drawn for the report: its files and the caption that says how to read it."""

    stem: str
    title: str
    caption: str
    paths: tuple[Path, ...] = ()


@dataclass(frozen=True)
class Planned:
    """The suite's problems and runs, as the planner gives them: asked for once per report."""

    problems: list[str]
    specs: list[RunSpec] = field(default_factory=list)


def plan_report(suite: Suite, catalogue: Catalogue,
                strategies: Sequence[StrategyInfo]) -> Planned:
    """The problems and runs a report of ``suite`` covers."""
    problems = suite_problems(suite, catalogue)
    return Planned(problems, run_specs(suite, catalogue, strategies, problems))


def inputs_digest(suite: Suite, catalogue: Catalogue, strategies: Sequence[StrategyInfo],
                  store: Store, planned: Planned | None = None) -> str:
    """A digest of everything a report is made from: the suite, the catalogue's fingerprint and
    references, the strategies' identities, the state of every run in the store (status, trial
    count, last change), the harness's source and the versions of the libraries that compute and
    draw. Cheap: no trial is read. ``planned``: the suite's runs, if already asked for."""
    specs = (planned or plan_report(suite, catalogue, strategies)).specs
    problems = sorted({s.problem for s in specs})
    code = hashlib.sha256()
    here = Path(__file__).parent
    for path in sorted([*here.glob("*.py"), *here.glob("page_assets/*")]):
        code.update(path.read_bytes())
    payload = {
        "suite": [suite.name, list(suite.problems), suite.strategies, suite.seeds, suite.budget,
                  suite.description],
        "fingerprint": catalogue.fingerprint,
        "references": {p: repr(catalogue.reference(p)) for p in problems},
        "strategies": [s.version for s in strategies],
        "runs": sorted(store.run_states(s.run_id for s in specs).items()),
        "code": code.hexdigest(),
        "libraries": {d: distribution_version(d) for d in REPORT_LIBRARIES},
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()


def up_to_date(out: Path, digest: str) -> bool:
    """Whether ``out`` holds every file of a report made from inputs with this digest."""
    try:
        manifest = json.loads((out / "manifest.json").read_text())
    except (OSError, ValueError):
        return False
    files = manifest.get("files") or []
    return (manifest.get("inputs_digest") == digest and bool(files)
            and all((out / name).is_file() for name in files))


def collect(suite: Suite, catalogue: Catalogue, strategies: Sequence[StrategyInfo],
            store: Store, planned: Planned | None = None) -> Report:
    """Read the report's data from ``store``, once, and compute its statistics, once.
    ``planned``: the suite's runs, if already asked for."""
    planned = planned or plan_report(suite, catalogue, strategies)
    specs = planned.specs
    ids = [s.run_id for s in specs]
    status = store.run_status(ids)
    errors = store.run_errors(i for i, state in status.items() if state == "failed")
    diverged = {i: n for i, n in store.run_diverged(ids).items() if n}
    trials = analysis.trial_records(store, specs, suite.name)
    curve = analysis.curves(trials, suite.budget)
    # a problem without frozen references (the user's own) is normalized within the report
    within = analysis.in_report_references(catalogue, planned.problems, trials)
    if within:
        catalogue = _with_references(catalogue, within)
    runs = analysis.run_table(trials, curve, catalogue, suite.budget)
    runs_time = analysis.equal_time_runs(trials, runs, catalogue)
    board = leaderboard(runs)
    if within:
        board = replace(board, notes=(analysis.in_report_note(list(within)), *board.notes))
    report = Report(
        suite=suite, catalogue=catalogue, strategies=strategies, specs=specs, status=status,
        errors=errors, trials=trials, curve=curve, runs=runs, board=board,
        refs=analysis.references(catalogue, planned.problems), diverged=diverged,
        runs_time=runs_time, board_time=equal_time_leaderboard(runs_time),
    )
    if curve.empty:
        return report
    return replace(report, curves=compute_curves(curve, trials, runs, report.refs, catalogue,
                                                 report.drawn))


def _with_references(catalogue: Catalogue, references: dict) -> Catalogue:
    """``catalogue`` with ``references`` added, keeping the digests it has already computed."""
    out = replace(catalogue, references={**catalogue.references, **references})
    for name in ("problem_digests", "fingerprint"):
        if name in catalogue.__dict__:
            out.__dict__[name] = catalogue.__dict__[name]
    return out
