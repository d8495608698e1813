"""Seeding an empty store from a suite's committed results, so that a fresh clone computes only
what it adds.

``results/<suite>/`` holds every trial of the suite's runs (``trials.parquet``) and the manifest
that says what made them. When ``searchbench run`` starts on an empty store, it copies in the
committed runs it would otherwise compute, provided that nothing that makes their scores differs:
the problem's digest (its definition and data; the whole catalogue's fingerprint when the results
record no digests), the cost curve its runs were charged by and the ``ref_random`` they were told
(``run_terms`` in the manifest; results that do not record them are not seeded), the strategy's
identity (library version and source hash, which includes its parameters through its name), the
suite's budget, Python and the versions of the packages that compute scores (numpy, scipy,
scikit-learn, threadpoolctl, and each strategy's library and requirements). What cannot be
seeded, and why, is said in one line each.
"""

from __future__ import annotations

import json
import math
import platform
from collections.abc import Callable, Sequence
from pathlib import Path

from bench.catalogue import Catalogue
from bench.environment import distribution_version, run_versions
from bench.records import (COST_EPS, RunOutcome, RunSpec, TrialRecord, problem_terms,
                           run_terms)
from bench.store import Store
from bench.strategy import StrategyInfo
from bench.suite import Suite

#: Packages whose versions change every score (they evaluate the problems).
SCORE_PACKAGES = ("numpy", "scipy", "scikit-learn", "threadpoolctl")


def seed_store(store: Store, suite: Suite, catalogue: Catalogue,
               strategies: Sequence[StrategyInfo], specs: Sequence[RunSpec], results: Path,
               say: Callable[[str], None]) -> int:
    """Copy into ``store`` the committed complete runs among ``specs``; return how many."""
    where = f"{results}/trials.parquet"
    manifest_path, trials_path = results / "manifest.json", results / "trials.parquet"
    if not trials_path.is_file() or not manifest_path.is_file():
        say(f"empty store, not seeded: no committed results for suite {suite.name} ({where} "
            "and manifest.json); every run is computed")
        return 0
    manifest = json.loads(manifest_path.read_text())
    problems = {spec.problem for spec in specs}
    same, changed_problems = _same_problems(manifest, catalogue, problems)
    if not same:
        committed_fp = manifest.get("catalogue", {}).get("fingerprint")
        say(f"empty store, not seeded from {where}: made for catalogue fingerprint "
            f"{str(committed_fp)[:12]}, this catalogue is {catalogue.fingerprint[:12]}, and "
            + ("no problem asked for is defined as it was" if changed_problems else
               "the results do not record each problem's digest"
               if not manifest.get("catalogue", {}).get("problem_digests") else
               "none of the problems asked for is in them"))
        return 0
    recorded_terms = manifest.get("run_terms")
    if not isinstance(recorded_terms, dict):
        say(f"empty store, not seeded from {where}: the results do not record the cost curve "
            "and ref_random their runs were charged and told with")
        return 0
    committed_budget = manifest.get("suite", {}).get("budget")
    if committed_budget != suite.budget:
        say(f"empty store, not seeded from {where}: made with budget {committed_budget}, this run "
            f"asks for {suite.budget}")
        return 0
    packages = {p for pid in problems
                for p in catalogue.problems[pid].requires}
    differ = _environment_differences(manifest, strategies, packages)
    if differ:
        say(f"empty store, not seeded from {where}: other versions here ({'; '.join(differ)})")
        return 0

    import pandas as pd

    identities = {s["name"]: s["identity"] for s in manifest.get("strategies", [])}
    infos = {s.name: s for s in strategies}
    wanted = {spec.run_id: spec for spec in specs}
    frame = pd.read_parquet(trials_path)
    reported = _reported_runs(results)
    seeded, trials, other_terms = 0, 0, set()
    for (problem, strategy, version, seed), rows in frame.groupby(
            ["problem", "strategy", "strategy_version", "seed"], sort=False):
        if problem not in same or strategy not in infos:
            continue
        multi_fidelity = infos[strategy].multi_fidelity
        spec = RunSpec(problem=problem, strategy=strategy, strategy_version=version,
                       seed=int(seed), budget=suite.budget, fingerprint=catalogue.fingerprint,
                       terms=problem_terms(catalogue, problem, multi_fidelity))
        if spec.run_id not in wanted:
            continue
        if _recorded_terms(recorded_terms, problem, multi_fidelity) != spec.terms:
            other_terms.add(problem)  # charged or told otherwise than a run would be now
            continue
        rows = rows.sort_values("trial")
        cost = float(rows["cost"].sum())
        # the report lists only complete runs; one may end below the budget when its next trial
        # would exceed it (a multi-fidelity trial charged c(f)) or its strategy is exhausted
        listed = reported.get((problem, strategy, version, int(seed)))
        complete = (cost >= suite.budget - COST_EPS or listed is not None) and (
            listed is None or (listed[0] == len(rows) and math.isclose(listed[1], cost,
                                                                      abs_tol=1e-6)))
        if not complete or list(rows["trial"]) != list(range(len(rows))):
            continue
        # the versions here, which the check above found equal to those the results were made with
        store.start_run(spec, run_versions(infos[strategy].packages,
                                           catalogue.problems[problem].requires))
        for row in rows.itertuples(index=False):
            store.add_trial(TrialRecord(
                run_id=spec.run_id, trial=int(row.trial), params=json.loads(row.params),
                fidelity=float(row.fidelity), cost=float(row.cost), score=_number(row.score),
                score_std=_number(row.score_std), test_score=_number(row.test_score),
                eval_seconds=float(row.eval_seconds), suggest_seconds=float(row.suggest_seconds),
                status=row.status, error=row.error, finished_at=row.finished_at,
                extras=_extras(getattr(row, "extras", None)),
                # results made before CPU seconds were recorded have no such column
                eval_cpu_seconds=_number(getattr(row, "eval_cpu_seconds", None))))
        store.finish_run(RunOutcome(spec.run_id, "complete", "", len(rows), cost))
        seeded, trials = seeded + 1, trials + len(rows)
    changed = sorted(s.name for s in strategies
                     if s.name in identities and identities[s.name] != s.version)
    new = sorted(s.name for s in strategies if s.name not in identities)
    say(f"empty store seeded from {where}: {seeded} committed runs ({trials} trials) of the "
        f"{len(wanted)} asked for")
    if changed:
        say(f"  not seeded, identity changed since the results were made: {', '.join(changed)}")
    if new:
        say(f"  not in the committed results: {', '.join(new)}")
    if changed_problems:
        say(f"  not seeded, problem defined otherwise since the results were made: "
            f"{', '.join(changed_problems)}")
    if other_terms:
        say(f"  not seeded, another cost curve or ref_random now than the results were made "
            f"with: {', '.join(sorted(other_terms))}")
    absent = sorted(problems - same - set(changed_problems))
    if absent:
        say(f"  problems not in the committed results: {', '.join(absent)}")
    return seeded


def _same_problems(manifest: dict, catalogue: Catalogue,
                   problems: set[str]) -> tuple[set[str], list[str]]:
    """The problems asked for whose committed runs are valid here, and those defined otherwise.

    Under the same catalogue fingerprint, all of them. Under another one (a problem was added,
    removed or changed anywhere in the catalogue), a run is still valid when its own problem's
    digest (definition and data) is the one the results record: a run's trials depend on its
    problem only, never on the rest of the catalogue. This is the rule references follow too
    (:mod:`bench.references`: an entry is stale when its problem's digest changed), so a change
    to how a problem is computed must show in its definition, whatever the catalogue's version
    says."""
    recorded = manifest.get("catalogue", {})
    if recorded.get("fingerprint") == catalogue.fingerprint:
        return set(problems), []
    digests = recorded.get("problem_digests") or {}
    if not digests:
        return set(), []
    same = {p for p in problems if digests.get(p) == catalogue.problem_digests.get(p)}
    return same, sorted(p for p in problems if p in digests and p not in same)


def _recorded_terms(recorded: dict, problem: str, multi_fidelity: bool) -> str | None:
    """The :func:`bench.records.run_terms` that the results' runs of ``problem`` were made
    under (the manifest's ``run_terms``: the cost curve and ref_random of each problem), for a
    strategy that is or is not multi-fidelity; None if the results do not record them."""
    entry = recorded.get(problem)
    if not isinstance(entry, dict):
        return None
    curve = entry.get("cost_curve")
    return run_terms(entry.get("ref_random"), curve if multi_fidelity else None)


def _environment_differences(manifest: dict, strategies: Sequence[StrategyInfo],
                             problem_packages: set[str] = frozenset()) -> list[str]:
    """What differs between the versions here and those the results were made with; a version
    the manifest does not record counts as a difference (it cannot be shown to be equal)."""
    installed = manifest.get("packages", {}).get("installed", {})
    python = manifest.get("machine", {}).get("python")
    out = []
    if python != platform.python_version():
        out.append(f"python {platform.python_version()} here, {python or 'not recorded'} in the "
                   "results")
    names = list(SCORE_PACKAGES) + sorted(problem_packages)
    for s in strategies:
        cls = s.cls
        names += [s.library, *(cls.requires if cls is not None else ())]
    # searchbench itself is not a package of the manifest: its code is in every identity's hash
    for name in dict.fromkeys(n for n in names if n and n != "searchbench"):
        theirs = _lookup(installed, name)
        mine = distribution_version(name)
        if theirs != mine:
            out.append(f"{name} {mine or 'not installed'} here, {theirs or 'not recorded'} in "
                       "the results")
    return out


def _lookup(installed: dict, name: str) -> str | None:
    """A package's version in the manifest, whatever the spelling (``scikit_learn``)."""
    key = name.lower().replace("_", "-")
    for other, version in installed.items():
        if other.lower().replace("_", "-") == key:
            return version
    return None


def _reported_runs(results: Path) -> dict[tuple[str, str, str, int], tuple[int, float]]:
    """The runs of the committed report (``runs.csv`` lists complete runs only), with their
    number of trials and cost, which the committed trials must match."""
    path = results / "runs.csv"
    if not path.is_file():
        return {}
    import pandas as pd

    runs = pd.read_csv(path)
    return {(p, s, v, int(seed)): (int(n), float(c)) for p, s, v, seed, n, c in
            zip(runs["problem"], runs["strategy"], runs["strategy_version"], runs["seed"],
                runs["trials"], runs["cost"])}


def _extras(value) -> dict | None:
    """A trial's side metrics as the trial record holds them (a JSON text, or empty)."""
    return json.loads(value) if isinstance(value, str) and value else None


def _number(value) -> float | None:
    missing = value is None or (isinstance(value, float) and math.isnan(value))
    return None if missing else float(value)
