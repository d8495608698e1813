"""What a report is made of: the data read once from the store (:class:`Report`), and the digest
of its inputs that tells whether a written report is still up to date."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from bench import analysis
from bench.leaderboard import Leaderboard, leaderboard
from bench.catalogue import Catalogue
from bench.environment import distribution_version
from bench.plan import run_specs, suite_problems
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

    @property
    def problems(self) -> list[str]:
        return list(dict.fromkeys(s.problem for s in self.specs))

    @property
    def order(self) -> list[str]:
        """Strategies in leaderboard order, then those without a complete run."""
        ranked = list(self.board.table["strategy"])
        return ranked + [s.name for s in self.strategies if s.name not in ranked]

    def metric(self, problem: str) -> str:
        return self.catalogue.metric(problem)



def inputs_digest(suite: Suite, catalogue: Catalogue, strategies: Sequence[StrategyInfo],
                  store: Store) -> str:
    """A digest of everything a report is made from: the suite, the catalogue's fingerprint and
    references, the strategies' identities, the state of every run in the store (status, trial
    count, last change), the harness's source and the versions of the libraries that compute and
    draw. Cheap: no trial is read."""
    specs = run_specs(suite, catalogue, strategies)
    problems = sorted({s.problem for s in specs})
    code = hashlib.sha256()
    for path in sorted(Path(__file__).parent.glob("*.py")):
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
            store: Store) -> Report:
    specs = run_specs(suite, catalogue, strategies)
    ids = [s.run_id for s in specs]
    status = store.run_status(ids)
    errors = store.run_errors(i for i, state in status.items() if state == "failed")
    diverged = {i: n for i, n in store.run_diverged(ids).items() if n}
    trials = analysis.trial_records(store, specs, suite.name)
    curve = analysis.curves(trials, suite.budget)
    runs = analysis.run_table(trials, curve, catalogue, suite.budget)
    return Report(
        suite=suite, catalogue=catalogue, strategies=strategies, specs=specs, status=status,
        errors=errors, trials=trials, curve=curve, runs=runs, board=leaderboard(runs),
        refs=analysis.references(catalogue, suite_problems(suite, catalogue)), diverged=diverged,
    )
