"""References that hold: finding the pooled references that published runs beat.

A reference's ``ref_best`` is meant to be the best score the problem allows at any budget a
suite uses. When the runs of a published report beat it, the normalized scores above 1 say more
about the reference than about the strategies, so the protocol (v3) refreshes it, with a larger
reference budget (``searchbench references --beaten``), and bumps the catalogue version.

The rule: a reference is **beaten** when, for some strategy in some published report, the
amount by which its runs' best scores exceed ``ref_best`` (in normalized units; a run that does
not exceed it counts 0), averaged over that strategy's seeds, is more than :data:`MARGIN`. The
excess is averaged, not the normalized score itself, because one seed that goes past the
reference already shows a configuration better than it, while a strategy's mean can stay below 1
however far that seed went (on vae-digits, TPE's mean is 0.67 with one seed at 1.166). The
margin keeps a hair's breadth over the reference, as ties of an accuracy's steps give, from
counting.

Runs are normalized here with the *current* reference entry, from their raw best scores, and
only where the report's manifest records the same problem digest as the entry: runs of another
definition of the problem say nothing about this reference.
"""

from __future__ import annotations

import csv
import json
import math
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

#: Normalized units by which a strategy's runs may beat a reference on average over its seeds.
MARGIN = 0.02


@dataclass(frozen=True)
class PublishedRun:
    """One run of a published report, as much of it as the check needs."""

    report: str  # the report's folder, e.g. results/generative
    problem: str
    strategy: str
    seed: int
    best_score: float
    digest: str | None  # the problem's digest in the report's manifest


@dataclass(frozen=True)
class Beaten:
    """A reference beaten by one strategy's runs in one report."""

    problem: str
    report: str
    strategy: str
    seeds: int
    mean_excess: float  # normalized units above 1, averaged over the seeds (0 for a seed below)
    best: float  # the strategy's best normalized score there


def published_runs(results: Path) -> list[PublishedRun]:
    """The runs of every report under ``results`` (each folder with a ``runs.csv`` and a
    ``manifest.json``)."""
    runs = []
    for table in sorted(Path(results).glob("*/runs.csv")):
        manifest = table.with_name("manifest.json")
        digests = {}
        if manifest.exists():
            digests = json.loads(manifest.read_text()).get("catalogue", {}).get(
                "problem_digests", {})
        report = f"{table.parent.parent.name}/{table.parent.name}"
        with table.open(newline="") as f:
            for row in csv.DictReader(f):
                try:
                    score = float(row["best_score"])
                except (KeyError, ValueError):
                    continue
                if math.isfinite(score):
                    runs.append(PublishedRun(report, row["problem"], row["strategy"],
                                             int(row["seed"]), score,
                                             digests.get(row["problem"])))
    return runs


def beaten_references(runs: Iterable[PublishedRun], entries: Mapping[str, Mapping],
                      margin: float = MARGIN) -> list[Beaten]:
    """Every (problem, report, strategy) whose runs beat the problem's reference in
    ``entries`` (references.json's) by more than ``margin`` on average over the seeds, the
    largest excess first."""
    groups: dict[tuple[str, str, str], list[float]] = defaultdict(list)
    for run in runs:
        entry = entries.get(run.problem)
        if not entry or run.digest is None or entry.get("digest") != run.digest:
            continue
        low, high = float(entry["ref_random"]), float(entry["ref_best"])
        if not high > low:
            continue  # saturated: no normalized score to beat
        groups[run.problem, run.report, run.strategy].append((run.best_score - low) / (high - low))
    found = []
    for (problem, report, strategy), scores in groups.items():
        excess = sum(max(0.0, s - 1.0) for s in scores) / len(scores)
        if excess > margin:
            found.append(Beaten(problem, report, strategy, len(scores), excess, max(scores)))
    return sorted(found, key=lambda b: (-b.mean_excess, b.problem, b.strategy))


def beaten_problems(beaten: Iterable[Beaten]) -> list[str]:
    """The problems among ``beaten``, in order of their largest excess."""
    return list(dict.fromkeys(b.problem for b in beaten))


def describe(beaten: Iterable[Beaten]) -> str:
    """One line naming the references to refresh and by how much each was beaten."""
    beaten = list(beaten)
    worst = {}
    for b in beaten:
        worst.setdefault(b.problem, b)
    parts = [f"{pid} ({b.strategy} in {b.report}: {b.mean_excess:.3f} above on average over "
             f"{b.seeds} seeds, up to {b.best:.3f}"
             + (f"; {n - 1} more strategies" if (n := sum(x.problem == pid for x in beaten)) > 1
                else "") + ")"
             for pid, b in worst.items()]
    return (f"references to refresh with a larger budget (published runs beat them by more than "
            f"{MARGIN} normalized on average over a strategy's seeds): " + "; ".join(parts)
            + "; `searchbench references --beaten` recomputes them")


def larger_budget(entry: Mapping | None, default: int) -> int:
    """The reference budget a beaten reference is remade with: twice the one it was made with
    (``default`` for an entry that does not record it)."""
    return 2 * int((entry or {}).get("budget") or default)
